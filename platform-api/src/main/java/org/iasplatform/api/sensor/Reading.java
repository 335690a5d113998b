package org.iasplatform.api.sensor;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One reading, wherever it appears (data topic records, the readings API, server-sent events):
 * {@code {"sensor_instance_id": ID, "timestamp": <epoch ms>, "data": {...}}}.
 */
public record Reading(
        @JsonProperty("sensor_instance_id") String sensorInstanceId,
        @JsonProperty("timestamp") long timestamp,
        @JsonProperty("data") Map<String, Object> data) {
}
