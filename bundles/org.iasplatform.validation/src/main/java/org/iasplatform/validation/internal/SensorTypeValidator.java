package org.iasplatform.validation.internal;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import org.iasplatform.api.validation.ConfigKind;
import org.iasplatform.api.validation.ConfigValidator;
import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One sensor type of sensorTypeRegistration.json: {@code sensor_type_name}, {@code company},
 * {@code sensor_data_structure} (or {@code Sensor_data_structure}), {@code control_functions}.
 */
@Component(service = ConfigValidator.class, property = ConfigValidator.PROPERTY_KIND + "=sensor-type")
public class SensorTypeValidator extends SchemaBackedValidator {
    static final String DATA_STRUCTURE = "sensor_data_structure";
    static final String DATA_STRUCTURE_SEED = "Sensor_data_structure";

    public SensorTypeValidator() {
        super(ConfigKind.SENSOR_TYPE, "the sensor type");
    }

    @Override
    void check(JsonNode item, Problems problems) {
        checkDataStructure(item, problems);
        checkControlFunctions(item.get("control_functions"), problems);
    }

    private static void checkDataStructure(JsonNode item, Problems problems) {
        JsonNode structure = item.get(DATA_STRUCTURE);
        JsonNode seedSpelling = item.get(DATA_STRUCTURE_SEED);
        if (structure == null && seedSpelling == null) {
            problems.add("/" + DATA_STRUCTURE, DATA_STRUCTURE + " is required: expected an object mapping each field of a "
                    + "reading to its type (string, int, float or bool), e.g. {\"x\": \"float\"}");
            return;
        }
        if (structure != null && seedSpelling != null) {
            problems.add("/" + DATA_STRUCTURE_SEED, "the data structure is given twice, as " + DATA_STRUCTURE + " and as "
                    + DATA_STRUCTURE_SEED + "; expected it once (" + DATA_STRUCTURE_SEED + " is the seed's spelling of "
                    + DATA_STRUCTURE + ")");
        }
        String base = "/" + (structure != null ? DATA_STRUCTURE : DATA_STRUCTURE_SEED);
        JsonNode fields = structure != null ? structure : seedSpelling;
        if (fields.isObject()) {
            for (Iterator<String> it = fields.fieldNames(); it.hasNext();) {
                if (it.next().isBlank()) {
                    problems.add(Pointers.child(base, ""), "a field of the data structure has an empty name; expected a "
                            + "field name such as \"temperature\"");
                }
            }
        }
    }

    private static void checkControlFunctions(JsonNode control, Problems problems) {
        if (control == null || !control.isObject()) {
            return;
        }
        String base = "/control_functions";
        JsonNode declared = control.get("number_of_functions");
        JsonNode details = control.get("function_details");
        if (details != null && !details.isArray()) {
            return;
        }
        int count = details == null ? 0 : details.size();
        if (declared != null && declared.canConvertToExactIntegral() && declared.asLong() >= 0 && declared.asLong() != count) {
            problems.add(base + "/number_of_functions", "number_of_functions is " + declared.asLong()
                    + " but function_details lists " + Texts.plural(count, "function", "functions")
                    + "; expected number_of_functions to equal the number of entries in function_details");
        }
        if (details == null) {
            return;
        }
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < details.size(); i++) {
            JsonNode function = details.get(i);
            if (!function.isObject()) {
                continue;
            }
            String at = Pointers.child(base + "/function_details", i);
            String name = Names.text(function.get("name"));
            if (name != null) {
                Integer earlier = names.putIfAbsent(name, i);
                if (earlier != null) {
                    problems.add(at + "/name", "control function " + Texts.quote(name) + " is declared twice (also at "
                            + "function_details[" + earlier + "]); expected unique function names");
                }
            }
            checkParams(function, at, name, problems);
        }
    }

    private static void checkParams(JsonNode function, String at, String functionName, Problems problems) {
        JsonNode declared = function.get("number_of_parameters");
        JsonNode params = function.get("params");
        if (params != null && !params.isArray()) {
            return;
        }
        int count = params == null ? 0 : params.size();
        if (declared != null && declared.canConvertToExactIntegral() && declared.asLong() >= 0 && declared.asLong() != count) {
            problems.add(at + "/number_of_parameters", "number_of_parameters is " + declared.asLong() + " but params lists "
                    + Texts.plural(count, "parameter", "parameters")
                    + "; expected number_of_parameters to equal the number of entries in params");
        }
        if (params == null) {
            return;
        }
        String of = functionName == null ? "" : " of " + Texts.quote(functionName);
        Map<String, Integer> names = new HashMap<>();
        for (int k = 0; k < params.size(); k++) {
            JsonNode param = params.get(k);
            if (!param.isObject() || param.size() != 1) {
                continue;
            }
            String name = param.fieldNames().next();
            String paramAt = Pointers.child(at + "/params", k);
            if (name.isBlank()) {
                problems.add(Pointers.child(paramAt, name), "a parameter" + of + " has an empty name; expected "
                        + "{parameter_name: type}, e.g. {\"level\": \"int\"}");
                continue;
            }
            Integer earlier = names.putIfAbsent(name, k);
            if (earlier != null) {
                problems.add(Pointers.child(paramAt, name), "parameter " + Texts.quote(name) + " is declared twice in function"
                        + of + " (also at params[" + earlier + "]); expected unique parameter names");
            }
        }
    }
}
