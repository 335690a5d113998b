package org.iasplatform.validation.internal;

import java.util.ArrayList;
import java.util.List;

import org.iasplatform.api.validation.ConfigKind;
import org.iasplatform.api.validation.ConfigValidator;
import org.iasplatform.api.validation.ValidationError;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A default validator: the kind's JSON Schema ({@code /schemas/<kind>.schema.json} in this bundle), then semantic checks
 * the schema cannot express. A semantic finding at a place the schema already faulted (or inside it) is left out, so
 * each problem is reported once.
 */
abstract class SchemaBackedValidator implements ConfigValidator {
    private final ConfigKind kind;
    private final String whole;
    private final SchemaCheck schema;

    /**
     * @param kind  the kind checked
     * @param whole how messages name the item itself, e.g. "the sensor type"
     */
    SchemaBackedValidator(ConfigKind kind, String whole) {
        this.kind = kind;
        this.whole = whole;
        this.schema = new SchemaCheck("/schemas/" + kind.id() + ".schema.json", whole);
    }

    @Override
    public List<ValidationError> validate(ConfigKind kind, JsonNode item) {
        if (kind != this.kind) {
            return List.of();
        }
        if (item == null || item.isMissingNode() || item.isNull()) {
            return List.of(new ValidationError("", whole + " is missing; expected a JSON object"));
        }
        List<ValidationError> result = new ArrayList<>(schema.validate(item));
        if (!item.isObject()) {
            return List.copyOf(result);
        }
        Problems semantic = new Problems();
        check(item, semantic);
        for (ValidationError e : semantic.list()) {
            boolean covered = result.stream().anyMatch(s -> Pointers.isSameOrAncestor(s.path(), e.path()));
            if (!covered) {
                result.add(e);
            }
        }
        return List.copyOf(result);
    }

    /** The checks beyond the schema, on an item known to be an object (but otherwise possibly schema-invalid). */
    abstract void check(JsonNode item, Problems problems);
}
