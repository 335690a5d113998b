package org.iasplatform.apps.internal;

import java.util.ArrayList;
import java.util.List;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.validation.ValidationError;

/**
 * The problems of one kind found in an upload, collected so that one refusal reports all of them; an archive with
 * thousands of bad entries is reported with the first {@value #MAX_REPORTED} and a count of the rest.
 */
final class Problems {
    static final int MAX_REPORTED = 100;

    private final List<ValidationError> errors = new ArrayList<>();
    private int dropped;

    void add(String path, String message) {
        add(new ValidationError(path, message));
    }

    void add(ValidationError error) {
        if (errors.size() < MAX_REPORTED) {
            errors.add(error);
        } else {
            dropped++;
        }
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    List<ValidationError> list() {
        return List.copyOf(errors);
    }

    /** Whether a problem is already reported at {@code path} or at a place containing it (a JSON pointer prefix). */
    boolean covers(String path) {
        return errors.stream().anyMatch(e -> e.path().equals(path) || path.startsWith(e.path() + "/"));
    }

    /** Refuses with every problem collected, as {@code kind}; does nothing when there is none. */
    void throwIfAny(ErrorKind kind) throws IasException {
        if (errors.isEmpty()) {
            return;
        }
        List<ValidationError> all = new ArrayList<>(errors);
        if (dropped > 0) {
            all.add(new ValidationError("", "… and " + dropped + " more problem" + (dropped == 1 ? "" : "s")
                    + " of the same kind, not listed"));
        }
        throw new IasException(kind, all);
    }
}
