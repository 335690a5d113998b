package org.iasplatform.sensor.manager.internal;

import java.util.Iterator;
import java.util.Map;

import org.iasplatform.api.sensor.FieldType;
import org.iasplatform.api.sensor.SensorType;

import com.fasterxml.jackson.databind.JsonNode;

/** Checks a reading's fields against a sensor type's {@code sensor_data_structure}. */
final class ReadingValidator {
    private ReadingValidator() {
    }

    /**
     * @return null if {@code data} has every declared field with the right type and no other field; otherwise what is
     *         wrong
     */
    static String problem(SensorType type, JsonNode data) {
        if (data == null || !data.isObject()) {
            return "reading is not a JSON object";
        }
        for (Map.Entry<String, FieldType> field : type.dataStructure().entrySet()) {
            JsonNode value = data.get(field.getKey());
            if (value == null) {
                return "missing field '" + field.getKey() + "'";
            }
            if (!field.getValue().accepts(value)) {
                return "field '" + field.getKey() + "' is not " + field.getValue().id() + ": " + abbreviate(value.toString());
            }
        }
        for (Iterator<String> names = data.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!type.dataStructure().containsKey(name)) {
                return "unexpected field '" + abbreviate(name) + "'";
            }
        }
        return null;
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}
