package org.iasplatform.lifecycle.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bson.Document;
import org.iasplatform.api.deploy.BoundSensor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;

/** Reading and writing the stores' documents: typed field access and JSON to BSON. Stateless. */
final class Docs {
    private Docs() {
    }

    static String str(Document d, String field) {
        Object v = d.get(field);
        return v == null ? null : v.toString();
    }

    static long longOf(Document d, String field, long fallback) {
        return d.get(field) instanceof Number n ? n.longValue() : fallback;
    }

    static int intOf(Document d, String field, int fallback) {
        return d.get(field) instanceof Number n ? n.intValue() : fallback;
    }

    static Integer intOrNull(Document d, String field) {
        return d.get(field) instanceof Number n ? n.intValue() : null;
    }

    static double doubleOf(Document d, String field, double fallback) {
        return d.get(field) instanceof Number n ? n.doubleValue() : fallback;
    }

    static Instant instant(Document d, String field) {
        Object v = d.get(field);
        if (v instanceof Date date) {
            return date.toInstant();
        }
        return v instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : null;
    }

    static Date date(long epochMillis) {
        return new Date(epochMillis);
    }

    /** A JSON value as the BSON value it stores as (objects as Documents, arrays as lists); null for absent or null. */
    static Object bson(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        return Document.parse("{\"v\": " + node + "}").get("v");
    }

    /** A stored value (Document, list, scalar) as JSON; a JSON null for null. */
    static JsonNode json(ObjectMapper mapper, Object bsonValue) {
        if (bsonValue == null) {
            return NullNode.getInstance();
        }
        try {
            return mapper.readTree(new Document("v", bsonValue).toJson()).get("v");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored value that is no JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A text field of a JSON object; null when absent, null or empty. */
    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
    }

    /** The stored BoundSensor list (as the binder and the docs write it). */
    static List<BoundSensor> sensors(Document d) {
        List<BoundSensor> result = new ArrayList<>();
        Object v = d.get("sensors");
        if (v instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Document s) {
                    result.add(new BoundSensor(intOf(s, "index", result.size()), str(s, "sensor_instance_id"),
                            str(s, "sensor_type"), str(s, "data_topic"), str(s, "control_topic")));
                }
            }
        }
        return result;
    }
}
