package org.iasplatform.validation.internal;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** How values and JSON types are written in error messages. */
final class Texts {
    private static final int MAX_VALUE_CHARS = 60;

    private Texts() {
    }

    /** A value as it appears in a message: JSON text (strings quoted), shortened when long. */
    static String value(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "(missing)";
        }
        String text = node.toString();
        return text.length() > MAX_VALUE_CHARS ? text.substring(0, MAX_VALUE_CHARS - 3) + "..." : text;
    }

    /** A string value quoted as in JSON. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        String shown = s.length() > MAX_VALUE_CHARS ? s.substring(0, MAX_VALUE_CHARS - 3) + "..." : s;
        for (char c : shown.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** What kind of JSON value a node is, with its article: "a string", "an object", ... */
    static String kindOf(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isTextual()) {
            return "a string";
        }
        if (node.isIntegralNumber()) {
            return "a whole number";
        }
        if (node.isNumber()) {
            return "a decimal number";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        if (node.isObject()) {
            return "an object";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isNull()) {
            return "null";
        }
        return "a value of an unsupported kind";
    }

    /** A JSON Schema type name in plain words, with its article. */
    static String schemaType(String type) {
        return switch (type) {
            case "string" -> "a string";
            case "integer" -> "a whole number";
            case "number" -> "a number";
            case "boolean" -> "a boolean (true or false)";
            case "object" -> "an object";
            case "array" -> "a list";
            case "null" -> "null";
            default -> type;
        };
    }

    /** "a", "a or b", "a, b or c". */
    static String either(List<String> items) {
        return join(items, " or ");
    }

    /** "a", "a and b", "a, b and c". */
    static String all(List<String> items) {
        return join(items, " and ");
    }

    private static String join(List<String> items, String lastSeparator) {
        List<String> list = new ArrayList<>(items);
        if (list.isEmpty()) {
            return "";
        }
        if (list.size() == 1) {
            return list.get(0);
        }
        return String.join(", ", list.subList(0, list.size() - 1)) + lastSeparator + list.get(list.size() - 1);
    }

    static String plural(long count, String singular, String plural) {
        return count + " " + (count == 1 ? singular : plural);
    }
}
