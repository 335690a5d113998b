package org.iasplatform.api.sensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.iasplatform.api.validation.ValidationError;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A registered sensor type, in the JSON form of sensorTypeRegistration.json. Two definitions are the same when they are
 * {@link #equals(Object) equal}; registering the same one twice is harmless.
 *
 * @param maxSilenceSeconds optional ({@code max_silence_seconds}): a connected instance of this type that sends no
 *                          reading for longer raises a SENSOR_SILENT alert; null for none (since 1.2)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SensorType(
        @JsonProperty("sensor_type_name") String name,
        @JsonProperty("company") String company,
        @JsonProperty("sensor_data_structure") @JsonAlias("Sensor_data_structure") Map<String, FieldType> dataStructure,
        @JsonProperty("control_functions") ControlFunctions controlFunctions,
        @JsonProperty("max_silence_seconds") Long maxSilenceSeconds) {

    /** A type without a silence limit. */
    public SensorType(String name, String company, Map<String, FieldType> dataStructure,
            ControlFunctions controlFunctions) {
        this(name, company, dataStructure, controlFunctions, null);
    }

    @JsonCreator
    public SensorType {
        dataStructure = dataStructure == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(dataStructure));
        controlFunctions = controlFunctions == null ? ControlFunctions.NONE : controlFunctions;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Checks a control command against this type's control functions: the function exists, every declared parameter is
     * given with its type, and no other parameter is. Empty when the command is acceptable.
     */
    public List<ValidationError> checkControl(ControlCommand command) {
        List<ValidationError> errors = new ArrayList<>();
        List<String> known = controlFunctions.functionDetails().stream().map(ControlFunction::name).toList();
        if (command.function() == null || command.function().isEmpty()) {
            errors.add(new ValidationError("/function", "a control function name is required; expected one of " + known));
            return errors;
        }
        ControlFunction function = controlFunctions.function(command.function()).orElse(null);
        if (function == null) {
            errors.add(new ValidationError("/function", "sensor type \"" + name + "\" has no control function \""
                    + command.function() + "\"; expected one of " + known));
            return errors;
        }
        Map<String, FieldType> declared = function.parameterTypes();
        declared.forEach((param, fieldType) -> {
            Object value = command.params().get(param);
            if (!command.params().containsKey(param)) {
                errors.add(new ValidationError("/params/" + param, "parameter \"" + param + "\" is missing; expected a "
                        + fieldType.id()));
            } else if (!fieldType.accepts(JSON.valueToTree(value))) {
                errors.add(new ValidationError("/params/" + param, "parameter \"" + param + "\" is " + value + "; expected a "
                        + fieldType.id()));
            }
        });
        command.params().keySet().stream().filter(p -> !declared.containsKey(p)).forEach(p -> errors.add(new ValidationError(
                "/params/" + p, "unknown parameter \"" + p + "\" of " + function.name() + "; expected only " + declared.keySet())));
        return errors;
    }
}
