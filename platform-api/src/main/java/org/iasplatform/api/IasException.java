package org.iasplatform.api;

import java.util.List;

import org.iasplatform.api.validation.ValidationError;

/** A request the platform refuses, with every reason found: what is wrong and what is expected. */
public class IasException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;
    private final List<ValidationError> errors;

    public IasException(ErrorKind kind, List<ValidationError> errors) {
        super(summary(kind, errors));
        this.kind = kind;
        this.errors = List.copyOf(errors);
    }

    public IasException(ErrorKind kind, String path, String message) {
        this(kind, List.of(new ValidationError(path, message)));
    }

    public ErrorKind kind() {
        return kind;
    }

    public List<ValidationError> errors() {
        return errors;
    }

    private static String summary(ErrorKind kind, List<ValidationError> errors) {
        StringBuilder sb = new StringBuilder(kind.name());
        for (ValidationError e : errors) {
            sb.append("; ").append(e.path().isEmpty() ? "(document)" : e.path()).append(": ").append(e.message());
        }
        return sb.toString();
    }
}
