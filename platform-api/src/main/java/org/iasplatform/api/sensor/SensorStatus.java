package org.iasplatform.api.sensor;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the platform knows of one sensor instance's connection.
 *
 * @param sensorInstanceId the instance
 * @param state            CONNECTED or DISCONNECTED
 * @param driver           the driver serving it: its bundle symbolic name and version
 * @param readings         readings accepted and published since the platform started serving it
 * @param invalid          device messages that did not match the type, counted and dropped
 * @param lastReadingAt    epoch ms of the last accepted reading, 0 if none
 * @param detail           why it is disconnected, or the last problem seen; empty otherwise
 */
public record SensorStatus(
        @JsonProperty("sensor_instance_id") String sensorInstanceId,
        @JsonProperty("state") ConnectionState state,
        @JsonProperty("driver") String driver,
        @JsonProperty("readings") long readings,
        @JsonProperty("invalid") long invalid,
        @JsonProperty("last_reading_at") long lastReadingAt,
        @JsonProperty("detail") String detail) {
}
