package org.iasplatform.rest.internal;

import java.time.Instant;
import java.util.List;

import org.iasplatform.api.validation.ValidationError;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The REST API's JSON settings and its error shape. */
public final class Json {
    private Json() {
    }

    /** Times ({@link Instant}) are written as ISO-8601 text, e.g. {@code "2025-06-01T08:00:00Z"}. */
    public static ObjectMapper newMapper() {
        SimpleModule time = new SimpleModule("ias-time");
        time.addSerializer(Instant.class, ToStringSerializer.instance);
        return new ObjectMapper()
                .registerModule(time)
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
