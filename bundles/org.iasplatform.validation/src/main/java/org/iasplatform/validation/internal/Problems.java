package org.iasplatform.validation.internal;

import java.util.ArrayList;
import java.util.List;

import org.iasplatform.api.validation.ValidationError;

/** The problems found by one validation call, in the order found. */
final class Problems {
    private final List<ValidationError> errors = new ArrayList<>();

    void add(String path, String message) {
        errors.add(new ValidationError(path, message));
    }

    void addAll(List<ValidationError> more) {
        errors.addAll(more);
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    List<ValidationError> list() {
        return List.copyOf(errors);
    }
}
