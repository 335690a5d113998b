package org.iasplatform.api.validation;

import java.util.Objects;

/**
 * One problem found in an input.
 *
 * @param path    where: a JSON pointer into the submitted document (e.g. {@code /sensor_type_list/0/sensor_type_name}), or a
 *                field name for non-JSON input; empty for the document as a whole
 * @param message what is wrong and what is expected
 */
public record ValidationError(String path, String message) {
    public ValidationError {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    /** The same error, its path placed under {@code prefix} (a JSON pointer). */
    public ValidationError under(String prefix) {
        return new ValidationError(prefix + path, message);
    }
}
