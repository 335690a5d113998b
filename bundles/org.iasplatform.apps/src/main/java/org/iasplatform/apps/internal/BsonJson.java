package org.iasplatform.apps.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.bson.Document;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Converts a JSON tree to BSON values and back, value by value. Unlike a round trip through {@link Document#parse}, user
 * JSON that happens to look like MongoDB extended JSON (e.g. {@code {"$date": …}}) is kept as written, and numbers keep
 * their kind (int, long, double; integers too large for a long become Decimal128).
 */
final class BsonJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private BsonJson() {
    }

    /** A JSON object as a document (field order kept). */
    static Document toDocument(JsonNode object) {
        Document document = new Document();
        object.fields().forEachRemaining(field -> document.put(field.getKey(), toBson(field.getValue())));
        return document;
    }

    static Object toBson(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isObject()) {
            return toDocument(node);
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            node.forEach(item -> list.add(toBson(item)));
            return list;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isInt() || node.isShort()) {
            return node.intValue();
        }
        if (node.isLong()) {
            return node.longValue();
        }
        if (node.isBigInteger()) {
            BigInteger value = node.bigIntegerValue();
            if (value.compareTo(LONG_MIN) >= 0 && value.compareTo(LONG_MAX) <= 0) {
                return value.longValue();
            }
            return decimal(new BigDecimal(value), node);
        }
        if (node.isBigDecimal()) {
            return decimal(node.decimalValue(), node);
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isBinary()) {
            return node.asText();
        }
        return node.asText();
    }

    private static Object decimal(BigDecimal value, JsonNode node) {
        try {
            return new Decimal128(value);
        } catch (NumberFormatException e) {
            return node.doubleValue();
        }
    }

    /** A stored document (or any BSON value) as JSON. */
    static JsonNode toJson(Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            map.forEach((k, v) -> object.set(String.valueOf(k), toJson(v)));
            return object;
        }
        if (value instanceof List<?> list) {
            ArrayNode array = NODES.arrayNode();
            list.forEach(item -> array.add(toJson(item)));
            return array;
        }
        if (value instanceof String s) {
            return NODES.textNode(s);
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof Integer i) {
            return NODES.numberNode(i);
        }
        if (value instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (value instanceof Double d) {
            return NODES.numberNode(d);
        }
        if (value instanceof Decimal128 d) {
            BigDecimal big = d.bigDecimalValue();
            return big.scale() <= 0 ? NODES.numberNode(big.toBigInteger()) : NODES.numberNode(big);
        }
        if (value instanceof Date date) {
            return NODES.textNode(date.toInstant().toString());
        }
        if (value instanceof ObjectId id) {
            return NODES.textNode(id.toHexString());
        }
        return NODES.textNode(String.valueOf(value));
    }
}
