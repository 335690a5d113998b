package org.iasplatform.api.sensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A registered sensor type, in the JSON form of sensorTypeRegistration.json. Two definitions are the same when they are
 * {@link #equals(Object) equal}; registering the same one twice is harmless.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SensorType(
        @JsonProperty("sensor_type_name") String name,
        @JsonProperty("company") String company,
        @JsonProperty("sensor_data_structure") @JsonAlias("Sensor_data_structure") Map<String, FieldType> dataStructure,
        @JsonProperty("control_functions") ControlFunctions controlFunctions) {

    public SensorType {
        dataStructure = dataStructure == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(dataStructure));
        controlFunctions = controlFunctions == null ? ControlFunctions.NONE : controlFunctions;
    }
}
