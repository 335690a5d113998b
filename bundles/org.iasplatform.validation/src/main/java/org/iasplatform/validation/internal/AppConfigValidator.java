package org.iasplatform.validation.internal;

import java.util.HashMap;
import java.util.Map;

import org.iasplatform.api.validation.ConfigKind;
import org.iasplatform.api.validation.ConfigValidator;
import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The appConfig.json of an app.zip: {@code application_name}, {@code application_id}, {@code developer_id},
 * {@code environment}, {@code algorithm_list: [{algorithm_name, script: {name}, input_sensors: [{sensor_type}]}]}.
 */
@Component(service = ConfigValidator.class, property = ConfigValidator.PROPERTY_KIND + "=app-config")
public class AppConfigValidator extends SchemaBackedValidator {
    public AppConfigValidator() {
        super(ConfigKind.APP_CONFIG, "the application config");
    }

    @Override
    void check(JsonNode item, Problems problems) {
        JsonNode algorithms = item.get("algorithm_list");
        if (algorithms == null || !algorithms.isArray()) {
            return;
        }
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < algorithms.size(); i++) {
            JsonNode algorithm = algorithms.get(i);
            if (!algorithm.isObject()) {
                continue;
            }
            String at = Pointers.child("/algorithm_list", i);
            String name = Names.text(algorithm.get("algorithm_name"));
            if (name != null) {
                Integer earlier = names.putIfAbsent(name, i);
                if (earlier != null) {
                    problems.add(at + "/algorithm_name", "algorithm " + Texts.quote(name) + " is declared twice (also at "
                            + "algorithm_list[" + earlier + "]); expected unique algorithm names");
                }
            }
            JsonNode script = algorithm.get("script");
            String file = script == null ? null : Names.text(script.get("name"));
            if (file != null && !file.isEmpty()) {
                String problem = Names.fileNameProblem(file);
                if (problem != null) {
                    problems.add(at + "/script/name", "script name " + Texts.quote(file) + " " + problem + "; expected "
                            + Names.FILE_NAME_EXPECTED);
                }
            }
        }
    }
}
