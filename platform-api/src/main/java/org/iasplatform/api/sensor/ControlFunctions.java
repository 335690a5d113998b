package org.iasplatform.api.sensor;

import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The {@code control_functions} block of a sensor type. */
public record ControlFunctions(
        @JsonProperty("number_of_functions") int numberOfFunctions,
        @JsonProperty("function_details") List<ControlFunction> functionDetails) {

    public static final ControlFunctions NONE = new ControlFunctions(0, List.of());

    public ControlFunctions {
        functionDetails = functionDetails == null ? List.of() : List.copyOf(functionDetails);
    }

    public Optional<ControlFunction> function(String name) {
        return functionDetails.stream().filter(f -> f.name().equals(name)).findFirst();
    }
}
