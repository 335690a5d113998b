package org.iasplatform.api.deploy;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One sensor bound to an algorithm instance: the sensor instance chosen for entry {@code index} of the deploy config's
 * {@code sensor_info}.
 */
public record BoundSensor(
        @JsonProperty("index") int index,
        @JsonProperty("sensor_instance_id") String sensorInstanceId,
        @JsonProperty("sensor_type") String sensorType,
        @JsonProperty("data_topic") String dataTopic,
        @JsonProperty("control_topic") String controlTopic) {
}
