package org.iasplatform.api.sensor;

import java.util.Arrays;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

/** The type of one field of a sensor's data structure or of a control function's parameter. */
public enum FieldType {
    STRING("string"),
    INT("int"),
    FLOAT("float"),
    BOOL("bool");

    private final String id;

    FieldType(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }

    public static Optional<FieldType> byId(String id) {
        return Arrays.stream(values()).filter(t -> t.id.equals(id)).findFirst();
    }

    /** Whether a JSON value is of this type: an int is integral, a float any number, a bool a boolean, a string text. */
    public boolean accepts(JsonNode value) {
        if (value == null) {
            return false;
        }
        return switch (this) {
            case STRING -> value.isTextual();
            case INT -> value.isIntegralNumber();
            case FLOAT -> value.isNumber();
            case BOOL -> value.isBoolean();
        };
    }
}
