package org.iasplatform.api.app;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One algorithm of an application, as its appConfig.json declares it.
 *
 * @param name             {@code algorithm_name}
 * @param script           {@code script.name}: the file (path inside the app, relative to appConfig.json's folder) that is the
 *                         algorithm: a {@code .jar} OSGi bundle, or a script run by an interpreter
 * @param runtime          how it runs: {@link #RUNTIME_BUNDLE} for a {@code .jar}, {@link #RUNTIME_PROCESS} otherwise, unless
 *                         {@code script.runtime} names one explicitly (e.g. {@code docker})
 * @param inputSensorTypes the {@code input_sensors}' types, in order
 */
public record AlgorithmDescriptor(
        @JsonProperty("algorithm_name") String name,
        @JsonProperty("script") String script,
        @JsonProperty("runtime") String runtime,
        @JsonProperty("input_sensors") List<String> inputSensorTypes) {

    public static final String RUNTIME_BUNDLE = "bundle";
    public static final String RUNTIME_PROCESS = "process";
    public static final String RUNTIME_DOCKER = "docker";

    public AlgorithmDescriptor {
        inputSensorTypes = inputSensorTypes == null ? List.of() : List.copyOf(inputSensorTypes);
    }

    /** The runtime a script file implies when appConfig does not name one: {@code .jar} → bundle, else process. */
    public static String runtimeOf(String script) {
        return script != null && script.toLowerCase(java.util.Locale.ROOT).endsWith(".jar") ? RUNTIME_BUNDLE : RUNTIME_PROCESS;
    }
}
