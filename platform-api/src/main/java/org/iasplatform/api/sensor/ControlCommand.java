package org.iasplatform.api.sensor;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A control command for a sensor instance, {@code {"function": NAME, "params": {...}}}, written to the device as is. */
public record ControlCommand(@JsonProperty("function") String function, @JsonProperty("params") Map<String, Object> params) {
    public ControlCommand {
        params = params == null ? Map.of() : params;
    }
}
