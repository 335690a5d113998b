package org.iasplatform.rest.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.sensor.ControlCommand;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads a control command {@code {"function": NAME, "params": {...}}} from a request body. */
final class ControlBodies {
    static final String EXPECTED = "{\"function\": NAME, \"params\": {...}}";

    private ControlBodies() {
    }

    /**
     * @param node the command
     * @param at   where it stands in the body (a JSON pointer; "" for the body itself)
     */
    static ControlCommand parse(JsonNode node, ObjectMapper mapper, String at) throws IasException {
        if (node == null || !node.isObject()) {
            throw new IasException(ErrorKind.INVALID, at, "expected a control command " + EXPECTED);
        }
        JsonNode function = node.get("function");
        if (function == null || !function.isTextual() || function.asText().isBlank()) {
            throw new IasException(ErrorKind.INVALID, at + "/function", "expected the name of a control function of the sensor's type");
        }
        JsonNode params = node.get("params");
        if (params != null && !params.isNull() && !params.isObject()) {
            throw new IasException(ErrorKind.INVALID, at + "/params", "expected an object of parameter name to value");
        }
        Map<String, Object> values = params == null || params.isNull() ? Map.of()
                : mapper.convertValue(params, new TypeReference<LinkedHashMap<String, Object>>() {
                });
        return new ControlCommand(function.asText(), values);
    }
}
