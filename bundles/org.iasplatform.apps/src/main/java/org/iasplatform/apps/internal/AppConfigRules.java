package org.iasplatform.apps.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.app.AlgorithmDescriptor;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorType;
import org.iasplatform.api.validation.ConfigKind;
import org.iasplatform.api.validation.ValidationError;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The checks of an app.zip's appConfig.json, once the archive itself is known to be safe:
 * <ol>
 * <li>it is one JSON object (no trailing content, no key given twice);</li>
 * <li>every {@link org.iasplatform.api.validation.ConfigValidator} of kind {@code app-config} accepts it, and it has what
 * the repository itself relies on (an application name, a usable id, algorithms with a name and a script); every
 * algorithm's script file is in the archive, relative to appConfig.json's folder — all of these are INVALID problems,
 * reported together;</li>
 * <li>every input sensor type is registered (UNPROCESSABLE, all such problems together).</li>
 * </ol>
 * Paths are JSON pointers into appConfig.json (e.g. {@code /algorithm_list/0/script/name}); the upload's own
 * {@code application_id} parameter is reported as {@code application_id}.
 */
final class AppConfigRules {
    /** Longest application id accepted. */
    static final int MAX_ID_LENGTH = 128;

    /**
     * What an accepted appConfig.json declares.
     *
     * @param applicationId   the id to store the upload under (the parameter, else appConfig's id, else the name)
     * @param idPath          where that id came from: {@code application_id} (the upload's parameter), else a pointer
     * @param applicationName {@code application_name}
     * @param developerId     {@code developer_id} as text, or null
     * @param algorithms      the algorithms, in order
     * @param appConfig       the whole document
     */
    record Declared(String applicationId, String idPath, String applicationName, String developerId,
            List<AlgorithmDescriptor> algorithms, JsonNode appConfig) {
    }

    private final ObjectMapper mapper;

    AppConfigRules() {
        this.mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    /**
     * @param archive       the inspected archive
     * @param idParameter   the upload's {@code application_id}, or null/blank
     * @param validators    the app-config validators (at least one)
     * @param sensorTypes   the sensor registry
     */
    Declared check(ArchiveInspector.Archive archive, String idParameter, ValidatorWhiteboard validators,
            SensorRegistry sensorTypes) throws IasException {
        JsonNode config = parse(archive);

        Problems invalid = new Problems();
        validators.validate(ConfigKind.APP_CONFIG, config).forEach(invalid::add);
        Problems own = new Problems();
        String name = requiredText(config, "application_name", "the application's name, e.g. \"Bus_management\"", own);
        String id = applicationId(config, idParameter, name, own);
        String idPath = idParameter != null && !idParameter.isBlank() ? "application_id"
                : present(config.get("application_id")) ? "/application_id" : "/application_name";
        String developer = scalarText(config.get("developer_id"));
        List<AlgorithmDescriptor> algorithms = algorithms(config, archive, own);
        for (ValidationError e : own.list()) {
            if (!invalid.covers(e.path())) {
                invalid.add(e);
            }
        }
        invalid.throwIfAny(ErrorKind.INVALID);

        checkSensorTypes(config, algorithms, sensorTypes);
        return new Declared(id, idPath, name, developer, algorithms, config);
    }

    private JsonNode parse(ArchiveInspector.Archive archive) throws IasException {
        String entry = archive.appConfigEntry();
        JsonNode config;
        try {
            config = mapper.readTree(archive.appConfig());
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new IasException(ErrorKind.INVALID, entry, Texts.quote(entry) + " is not valid JSON" + where + " ("
                    + e.getOriginalMessage() + "); expected one JSON object with application_name, application_id, "
                    + "developer_id, environment and algorithm_list");
        } catch (IOException e) {
            throw new IllegalStateException("cannot parse appConfig.json from memory", e);
        }
        if (config == null || config.isMissingNode()) {
            throw new IasException(ErrorKind.INVALID, entry, Texts.quote(entry) + " is empty; expected one JSON object with "
                    + "application_name, application_id, developer_id, environment and algorithm_list");
        }
        if (!config.isObject()) {
            throw new IasException(ErrorKind.INVALID, entry, Texts.quote(entry) + " holds a JSON " + config.getNodeType()
                    .name().toLowerCase(Locale.ROOT) + "; expected one JSON object with application_name, application_id, "
                    + "developer_id, environment and algorithm_list");
        }
        return config;
    }

    /** The id the upload is stored under; problems with it are added to {@code own}. */
    private static String applicationId(JsonNode config, String parameter, String name, Problems own) {
        if (parameter != null && !parameter.isBlank()) {
            String id = parameter.strip();
            String problem = idProblem(id);
            if (problem != null) {
                own.add("application_id", "application id " + Texts.quote(id) + " " + problem + "; expected " + ID_EXPECTED);
            }
            return id;
        }
        JsonNode given = config.get("application_id");
        if (present(given)) {
            if (!given.isTextual() && !given.isIntegralNumber()) {
                own.add("/application_id", "application_id is a " + given.getNodeType().name().toLowerCase(Locale.ROOT)
                        + "; expected " + ID_EXPECTED);
                return null;
            }
            String id = given.asText().strip();
            String problem = id.isEmpty() ? "is empty" : idProblem(id);
            if (problem != null) {
                own.add("/application_id", "application_id " + Texts.quote(id) + " " + problem + "; expected " + ID_EXPECTED);
            }
            return id;
        }
        return name;
    }

    private static final String ID_EXPECTED = "a whole number or text of 1 to " + MAX_ID_LENGTH
            + " characters without '/', '\\' or control characters";

    private static String idProblem(String id) {
        if (id.length() > MAX_ID_LENGTH) {
            return "is longer than " + MAX_ID_LENGTH + " characters";
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isISOControl(c) || c == '/' || c == '\\') {
                return "contains '" + (Character.isISOControl(c) ? "\\u" + Integer.toHexString(c) : c) + "'";
            }
        }
        return null;
    }

    private List<AlgorithmDescriptor> algorithms(JsonNode config, ArchiveInspector.Archive archive, Problems own) {
        JsonNode list = config.get("algorithm_list");
        if (list == null || !list.isArray() || list.isEmpty()) {
            own.add("/algorithm_list", "algorithm_list is missing or empty; expected a list of at least one algorithm "
                    + "{algorithm_name, script: {name}, input_sensors: [{sensor_type}]}");
            return List.of();
        }
        List<AlgorithmDescriptor> result = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "/algorithm_list/" + i;
            JsonNode algorithm = list.get(i);
            if (!algorithm.isObject()) {
                own.add(at, "algorithm " + i + " is not an object; expected {algorithm_name, script: {name}, "
                        + "input_sensors: [{sensor_type}]}");
                continue;
            }
            String name = requiredText(algorithm, "algorithm_name", "the algorithm's name, e.g. \"fareCalculator\"", own, at);
            if (name != null) {
                Integer earlier = names.putIfAbsent(name, i);
                if (earlier != null) {
                    own.add(at + "/algorithm_name", "algorithm " + Texts.quote(name) + " is declared twice (also at "
                            + "/algorithm_list/" + earlier + "); expected unique algorithm names");
                }
            }
            JsonNode script = algorithm.get("script");
            String file = null;
            String runtime = null;
            if (script == null || !script.isObject()) {
                own.add(at + "/script", "script is missing or not an object; expected {\"name\": the algorithm's file in "
                        + "app.zip, e.g. \"fareCalculator.py\"}");
            } else {
                file = requiredText(script, "name", "the algorithm's file in app.zip, e.g. \"fareCalculator.py\"", own,
                        at + "/script");
                JsonNode givenRuntime = script.get("runtime");
                if (present(givenRuntime)) {
                    if (!givenRuntime.isTextual() || givenRuntime.asText().isBlank()) {
                        own.add(at + "/script/runtime", "script.runtime is not a runtime name; expected \""
                                + AlgorithmDescriptor.RUNTIME_BUNDLE + "\", \"" + AlgorithmDescriptor.RUNTIME_PROCESS
                                + "\" or \"" + AlgorithmDescriptor.RUNTIME_DOCKER + "\", or no runtime (implied by the file)");
                    } else {
                        runtime = givenRuntime.asText().strip();
                    }
                }
                if (file != null) {
                    file = checkScriptFile(file, name, archive, at + "/script/name", own);
                }
            }
            List<String> inputs = inputSensorTypes(algorithm.get("input_sensors"), at, own);
            if (name != null && file != null) {
                result.add(new AlgorithmDescriptor(name, file, runtime != null ? runtime : AlgorithmDescriptor.runtimeOf(file),
                        inputs));
            }
        }
        return result;
    }

    /** The script path relative to the root (leading "./" removed), after checking the file is in the archive. */
    private static String checkScriptFile(String given, String algorithm, ArchiveInspector.Archive archive, String at,
            Problems own) {
        String file = given;
        while (file.startsWith("./")) {
            file = file.substring(2);
        }
        String who = algorithm == null ? "the algorithm" : "algorithm " + Texts.quote(algorithm);
        String problem = file.isEmpty() ? "names no file" : ArchiveInspector.nameProblem(file);
        if (problem == null && file.endsWith("/")) {
            problem = "names a folder";
        }
        if (problem != null) {
            own.add(at, who + "'s script " + Texts.quote(given) + " " + problem + "; expected a file name relative to "
                    + "appConfig.json's folder, e.g. \"fareCalculator.py\" or \"algorithms/fareCalculator.py\"");
            return null;
        }
        String path = archive.root() + file;
        if (archive.files().contains(path)) {
            return file;
        }
        if (archive.directories().contains(path + "/")) {
            own.add(at, who + "'s script " + Texts.quote(given) + " is a folder in app.zip (" + Texts.quote(path + "/")
                    + "); expected the algorithm's file");
            return null;
        }
        String base = file.substring(file.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        List<String> similar = archive.files().stream()
                .filter(f -> f.substring(f.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT).equals(base)).sorted().limit(3)
                .map(Texts::quote).toList();
        own.add(at, who + "'s script file " + Texts.quote(given) + " is not in app.zip; expected the file "
                + Texts.quote(path) + " (paths are relative to the folder of appConfig.json)"
                + (similar.isEmpty() ? "" : "; found " + String.join(", ", similar) + " (names are case-sensitive)"));
        return null;
    }

    private static List<String> inputSensorTypes(JsonNode inputs, String at, Problems own) {
        List<String> types = new ArrayList<>();
        if (!present(inputs)) {
            return types;
        }
        if (!inputs.isArray()) {
            own.add(at + "/input_sensors", "input_sensors is not a list; expected a list of {\"sensor_type\": name}");
            return types;
        }
        for (int j = 0; j < inputs.size(); j++) {
            JsonNode input = inputs.get(j);
            String inputAt = at + "/input_sensors/" + j;
            if (!input.isObject()) {
                own.add(inputAt, "input sensor " + j + " is not an object; expected {\"sensor_type\": name}");
                continue;
            }
            String type = requiredText(input, "sensor_type", "the name of a registered sensor type, e.g. \"gps-sensor\"", own,
                    inputAt);
            if (type != null) {
                types.add(type);
            }
        }
        return types;
    }

    /** UNPROCESSABLE with every input sensor type that is not registered. */
    private static void checkSensorTypes(JsonNode config, List<AlgorithmDescriptor> algorithms, SensorRegistry registry)
            throws IasException {
        Problems unprocessable = new Problems();
        Map<String, Boolean> registered = new HashMap<>();
        JsonNode list = config.get("algorithm_list");
        for (int i = 0; i < list.size(); i++) {
            JsonNode inputs = list.get(i).get("input_sensors");
            if (inputs == null || !inputs.isArray()) {
                continue;
            }
            String algorithm = scalarText(list.get(i).get("algorithm_name"));
            for (int j = 0; j < inputs.size(); j++) {
                String type = scalarText(inputs.get(j).get("sensor_type"));
                if (type == null) {
                    continue;
                }
                Boolean known = registered.get(type);
                if (known == null) {
                    known = lookUp(registry, type).isPresent();
                    registered.put(type, known);
                }
                if (!known) {
                    unprocessable.add("/algorithm_list/" + i + "/input_sensors/" + j + "/sensor_type", "algorithm "
                            + Texts.quote(algorithm) + " reads sensor type " + Texts.quote(type) + ", which is not registered; "
                            + "expected a registered sensor type (register it first with sensorTypeRegistration.json)");
                }
            }
        }
        unprocessable.throwIfAny(ErrorKind.UNPROCESSABLE);
    }

    private static Optional<SensorType> lookUp(SensorRegistry registry, String type) throws IasException {
        try {
            return registry.sensorType(type);
        } catch (RuntimeException e) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", "the sensor registry cannot be reached to check the input "
                    + "sensor types (" + e.getMessage() + "); nothing was stored, try again later");
        }
    }

    private static String requiredText(JsonNode object, String field, String expected, Problems own) {
        return requiredText(object, field, expected, own, "");
    }

    private static String requiredText(JsonNode object, String field, String expected, Problems own, String at) {
        JsonNode value = object.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            own.add(at + "/" + field, field + (value == null || value.isNull() ? " is missing" : value.isTextual()
                    ? " is empty" : " is not text") + "; expected " + expected);
            return null;
        }
        return value.asText();
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode();
    }

    /** The text of a string or number node, else null. */
    private static String scalarText(JsonNode node) {
        return node != null && (node.isTextual() || node.isNumber()) ? node.asText() : null;
    }
}
