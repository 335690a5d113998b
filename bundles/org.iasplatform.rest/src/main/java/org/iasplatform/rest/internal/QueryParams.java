package org.iasplatform.rest.internal;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;

/** Query parameters checked the same way everywhere: a bad one is a 400 naming it and saying what is expected. */
final class QueryParams {
    private QueryParams() {
    }

    /** An integer from {@code min} to {@code max}; {@code fallback} when absent. */
    static int intInRange(Optional<String> value, String name, int fallback, int min, int max) throws IasException {
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.get().strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IasException(ErrorKind.INVALID, name, "expected an integer from " + min + " to " + max + ", got '"
                + value.get() + "'");
    }

    /** One of an enum's constants (any case); null when absent or blank. */
    static <E extends Enum<E>> E enumValue(Optional<String> value, Class<E> type, String name) throws IasException {
        if (value.isEmpty() || value.get().isBlank()) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.get().strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IasException(ErrorKind.INVALID, name, "unknown " + name + " '" + value.get() + "'; expected one of "
                    + List.of(type.getEnumConstants()));
        }
    }

    /** true or false (any case); null when absent or blank. */
    static Boolean bool(Optional<String> value, String name) throws IasException {
        if (value.isEmpty() || value.get().isBlank()) {
            return null;
        }
        String v = value.get().strip().toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("false")) {
            return Boolean.valueOf(v);
        }
        throw new IasException(ErrorKind.INVALID, name, "expected true or false, got '" + value.get() + "'");
    }
}
