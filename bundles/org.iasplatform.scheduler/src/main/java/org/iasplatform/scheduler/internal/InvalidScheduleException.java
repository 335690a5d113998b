package org.iasplatform.scheduler.internal;

import java.util.List;
import java.util.stream.Collectors;

/** A scheduling_info that cannot be planned: its errors, each with the JSON pointer of the field and what is expected. */
final class InvalidScheduleException extends Exception {
    private static final long serialVersionUID = 1L;

    /** One error: the field ({@code /scheduling_info/...}) and what is wrong with it. */
    record Error(String path, String message) {
    }

    private final transient List<Error> errors;

    InvalidScheduleException(List<Error> errors) {
        super(errors.stream().map(e -> e.path() + ": " + e.message()).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    List<Error> errors() {
        return errors;
    }
}
