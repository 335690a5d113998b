package org.iasplatform.api.sensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A control function of a sensor type, as in sensorTypeRegistration.json:
 * {@code {"name": ..., "number_of_parameters": N, "params": [{"level": "int"}]}}.
 */
public record ControlFunction(
        @JsonProperty("name") String name,
        @JsonProperty("number_of_parameters") int numberOfParameters,
        @JsonProperty("params") List<Map<String, FieldType>> params) {

    public ControlFunction {
        params = params == null ? List.of() : List.copyOf(params);
    }

    /** The parameters, name to type, in declaration order. */
    @JsonIgnore
    public Map<String, FieldType> parameterTypes() {
        Map<String, FieldType> result = new LinkedHashMap<>();
        params.forEach(result::putAll);
        return result;
    }
}
