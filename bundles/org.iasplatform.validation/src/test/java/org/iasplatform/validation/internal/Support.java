package org.iasplatform.validation.internal;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.iasplatform.api.validation.ConfigKind;
import org.iasplatform.api.validation.ConfigValidator;
import org.iasplatform.api.validation.ValidationError;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The four default validators, fixtures, and checks every message must pass. */
final class Support {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private final Map<ConfigKind, ConfigValidator> validators = new EnumMap<>(ConfigKind.class);

    Support() {
        validators.put(ConfigKind.SENSOR_TYPE, new SensorTypeValidator());
        validators.put(ConfigKind.SENSOR_INSTANCE, new SensorInstanceValidator());
        validators.put(ConfigKind.APP_CONFIG, new AppConfigValidator());
        validators.put(ConfigKind.DEPLOY_CONFIG, new DeployConfigValidator());
    }

    List<ValidationError> validate(ConfigKind kind, JsonNode item) {
        List<ValidationError> errors = validators.get(kind).validate(kind, item);
        errors.forEach(Support::assertReadable);
        return errors;
    }

    List<ValidationError> validate(ConfigKind kind, String json) {
        try {
            return validate(kind, MAPPER.readTree(json));
        } catch (IOException e) {
            throw new AssertionError("test input is not JSON: " + json, e);
        }
    }

    static String fixtureText(String name) throws IOException {
        try (InputStream in = Support.class.getResourceAsStream("/fixtures/" + name)) {
            assertNotNull("fixture " + name, in);
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static JsonNode fixture(String name) throws IOException {
        return MAPPER.readTree(fixtureText(name));
    }

    /** The items of a file in any of its forms: one object, an array, or {wrapper: [...]}. */
    static List<JsonNode> items(JsonNode document, String wrapper) {
        List<JsonNode> items = new ArrayList<>();
        JsonNode list = document.isObject() && document.has(wrapper) ? document.get(wrapper) : document;
        if (list.isArray()) {
            list.forEach(items::add);
        } else {
            items.add(list);
        }
        return items;
    }

    /** Plain English: no schema jargon or library paths, and it says what is expected. */
    static void assertReadable(ValidationError e) {
        String m = e.message();
        assertFalse("empty message at " + e.path(), m.isBlank());
        for (String jargon : new String[] { "$.", "regex", "does not match", "schema", "additionalProperties", "minLength",
                "minProperties", "minItems", "/$defs", "#/" }) {
            assertFalse("jargon '" + jargon + "' in: " + m, m.contains(jargon));
        }
        assertTrue("path is not a JSON pointer: " + e.path(), e.path().isEmpty() || e.path().startsWith("/"));
        assertTrue("does not say what is expected: " + m, m.contains("expected") || m.contains("must be"));
    }

    static String describe(List<ValidationError> errors) {
        StringBuilder sb = new StringBuilder();
        errors.forEach(e -> sb.append("\n  ").append(e.path()).append(": ").append(e.message()));
        return sb.toString();
    }
}
