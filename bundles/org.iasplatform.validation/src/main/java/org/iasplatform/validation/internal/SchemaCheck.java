package org.iasplatform.validation.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.iasplatform.api.validation.ValidationError;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.InputStreamSource;

/**
 * One JSON Schema (draft 2020-12) loaded from this bundle's resources, and the translation of the validator's findings
 * into plain-English {@link ValidationError}s: what is wrong and what is expected, at a JSON pointer into the item.
 * Nothing is ever fetched from the network: every reference is internal to the schema document.
 */
final class SchemaCheck {
    /** The pattern of numbered entries in the seed form of deploy configs. */
    static final String NUMBERED_ENTRY_PATTERN = "^[1-9][0-9]*$";

    private final JsonNode schemaDoc;
    private final JsonSchema schema;
    private final String whole;

    /**
     * @param resource the schema's resource path in this bundle, e.g. {@code /schemas/sensor-type.schema.json}
     * @param whole    how messages name the item itself, e.g. "the sensor type"
     */
    SchemaCheck(String resource, String whole) {
        this.whole = whole;
        try (InputStream in = SchemaCheck.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema resource " + resource + " is missing from the bundle");
            }
            this.schemaDoc = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema resource " + resource, e);
        }
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                builder -> builder.schemaLoaders(loaders -> loaders.add(iri -> noRemoteSchema(iri.toString()))));
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .pathType(PathType.JSON_POINTER)
                .locale(Locale.ENGLISH)
                .build();
        this.schema = factory.getSchema(schemaDoc, config);
        this.schema.initializeValidators();
    }

    private static InputStreamSource noRemoteSchema(String iri) {
        return () -> {
            throw new IOException("schema " + iri + " is not shipped with the platform; remote schemas are never fetched");
        };
    }

    /** Every schema violation of {@code item}, translated; empty when the item conforms. */
    List<ValidationError> validate(JsonNode item) {
        Set<ValidationMessage> messages = schema.validate(item);
        Set<ValidationError> errors = new LinkedHashSet<>();
        for (ValidationMessage m : messages) {
            errors.add(translate(m));
        }
        return new ArrayList<>(errors);
    }

    private ValidationError translate(ValidationMessage m) {
        String at = pointer(m.getInstanceLocation());
        String keywordPointer = m.getSchemaLocation() == null ? "" : pointer(m.getSchemaLocation().getFragment());
        JsonNode keywordValue = schemaDoc.at(keywordPointer);
        JsonNode subschema = schemaDoc.at(parentPointer(keywordPointer));
        JsonNode value = m.getInstanceNode();
        String name = Pointers.displayName(at, whole);
        String expected = description(subschema);
        String keyword = m.getType() == null ? "" : m.getType();

        switch (keyword) {
            case "required": {
                String property = m.getProperty() != null ? m.getProperty() : String.valueOf(first(m.getArguments()));
                String propertyExpected = description(subschema.path("properties").path(property));
                return new ValidationError(Pointers.child(at, property),
                        property + " is required" + (propertyExpected == null ? "" : ": expected " + propertyExpected));
            }
            case "additionalProperties": {
                String property = m.getProperty() != null ? m.getProperty() : String.valueOf(first(m.getArguments()));
                List<String> allowed = new ArrayList<>();
                subschema.path("properties").fieldNames().forEachRemaining(allowed::add);
                subschema.path("patternProperties").fieldNames().forEachRemaining(p -> allowed.add(
                        NUMBERED_ENTRY_PATTERN.equals(p) ? "numbered entries (\"1\", \"2\", ...)" : "names matching " + p));
                String where = at.isEmpty() ? "" : " in " + name;
                String message = allowed.isEmpty()
                        ? "unknown field " + Texts.quote(property) + where + "; expected no fields here"
                        : "unknown field " + Texts.quote(property) + where + (allowed.size() == 1 ? "; expected only the field " : "; expected only the fields ")
                                + Texts.all(allowed);
                return new ValidationError(Pointers.child(at, property), message);
            }
            case "type": {
                List<String> types = new ArrayList<>();
                if (keywordValue.isArray()) {
                    keywordValue.forEach(t -> types.add(Texts.schemaType(t.asText())));
                } else {
                    types.add(Texts.schemaType(keywordValue.asText()));
                }
                return new ValidationError(at, name + " must be " + Texts.either(types) + ", not " + Texts.kindOf(value)
                        + (expected == null ? "" : "; expected " + expected));
            }
            case "enum": {
                List<String> options = new ArrayList<>();
                keywordValue.forEach(o -> options.add(o.isTextual() ? o.asText() : o.toString()));
                String title = subschema.path("title").asText(null);
                String what = title != null ? "unknown " + title + " " + Texts.value(value)
                        : name + " " + Texts.value(value) + " is not allowed";
                return new ValidationError(at, what + "; expected one of " + String.join(", ", options));
            }
            case "const":
                return new ValidationError(at, name + " is " + Texts.value(value) + "; expected " + keywordValue);
            case "pattern": {
                String expectation = expected != null ? expected : "text matching the pattern " + keywordValue.asText();
                if (value != null && value.isTextual() && value.asText().isEmpty()) {
                    return new ValidationError(at, name + " must not be empty; expected " + expectation);
                }
                return new ValidationError(at, name + " " + Texts.value(value) + " is not valid; expected " + expectation);
            }
            case "minLength": {
                int min = keywordValue.asInt();
                if (min <= 1) {
                    return new ValidationError(at,
                            name + " must not be empty" + (expected == null ? "" : "; expected " + expected));
                }
                return new ValidationError(at, name + " is too short (" + length(value) + " characters); expected at least "
                        + min + " characters");
            }
            case "maxLength":
                return new ValidationError(at, name + " is too long (" + length(value) + " characters); expected at most "
                        + keywordValue.asInt() + " characters");
            case "minimum":
                return new ValidationError(at, name + " is " + Texts.value(value) + ", which is too small; expected "
                        + keywordValue.asText() + " or more");
            case "exclusiveMinimum":
                return new ValidationError(at, name + " is " + Texts.value(value) + ", which is too small; expected more than "
                        + keywordValue.asText());
            case "maximum":
                return new ValidationError(at, name + " is " + Texts.value(value) + ", which is too large; expected "
                        + keywordValue.asText() + " or less");
            case "exclusiveMaximum":
                return new ValidationError(at, name + " is " + Texts.value(value) + ", which is too large; expected less than "
                        + keywordValue.asText());
            case "minItems": {
                int min = keywordValue.asInt();
                String expectation = expected != null ? expected : "at least " + Texts.plural(min, "item", "items");
                return new ValidationError(at, (size(value) == 0 ? name + " is empty"
                        : name + " has " + Texts.plural(size(value), "item", "items")) + "; expected " + expectation);
            }
            case "maxItems":
                return new ValidationError(at, name + " has " + Texts.plural(size(value), "item", "items") + "; expected at most "
                        + keywordValue.asInt());
            case "minProperties": {
                int min = keywordValue.asInt();
                String expectation = expected != null ? expected : "at least " + Texts.plural(min, "field", "fields");
                return new ValidationError(at, (size(value) == 0 ? name + " has no fields"
                        : name + " has " + Texts.plural(size(value), "field", "fields")) + "; expected " + expectation);
            }
            case "maxProperties": {
                int max = keywordValue.asInt();
                String expectation = expected != null ? expected : "at most " + Texts.plural(max, "field", "fields");
                return new ValidationError(at, name + " has " + Texts.plural(size(value), "field", "fields") + "; expected "
                        + expectation);
            }
            case "uniqueItems":
                return new ValidationError(at, name + " lists the same item more than once; expected each item once");
            default: {
                String detail = m.getError();
                return new ValidationError(at, name + " is not valid" + (detail == null || detail.isBlank() ? "" : " (" + detail + ")")
                        + (expected == null ? "" : "; expected " + expected));
            }
        }
    }

    /** The schema's description of what it expects, following internal {@code $ref}s. */
    private String description(JsonNode schemaNode) {
        JsonNode current = schemaNode;
        for (int depth = 0; depth < 10 && current != null && current.isObject(); depth++) {
            JsonNode description = current.get("description");
            if (description != null && description.isTextual()) {
                return description.asText();
            }
            JsonNode ref = current.get("$ref");
            if (ref == null || !ref.isTextual() || !ref.asText().startsWith("#")) {
                return null;
            }
            current = schemaDoc.at(ref.asText().substring(1));
        }
        return null;
    }

    private static String pointer(JsonNodePath path) {
        if (path == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < path.getNameCount(); i++) {
            Object element = path.getElement(i);
            if (element instanceof Integer index) {
                sb.append('/').append(index);
            } else {
                sb.append(Pointers.child("", String.valueOf(element)));
            }
        }
        return sb.toString();
    }

    private static String parentPointer(String pointer) {
        int slash = pointer.lastIndexOf('/');
        return slash <= 0 ? "" : pointer.substring(0, slash);
    }

    private static Object first(Object[] arguments) {
        return arguments == null || arguments.length == 0 ? "" : arguments[0];
    }

    private static int length(JsonNode value) {
        return value == null || !value.isTextual() ? 0 : value.asText().codePointCount(0, value.asText().length());
    }

    private static int size(JsonNode value) {
        return value == null ? 0 : value.size();
    }
}
