package org.iasplatform.rest.internal;

import java.util.List;

import org.iasplatform.api.validation.ValidationError;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The REST API's JSON settings and its error shape. */
public final class Json {
    private Json() {
    }

    public static ObjectMapper newMapper() {
        return new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** {@code {"errors": [{"path", "message"}, ...]}}. */
    public static ObjectNode errors(ObjectMapper mapper, List<ValidationError> errors) {
        ObjectNode body = mapper.createObjectNode();
        ArrayNode list = body.putArray("errors");
        for (ValidationError e : errors) {
            list.addObject().put("path", e.path()).put("message", e.message());
        }
        return body;
    }
}
