package org.iasplatform.rest.internal;

import java.util.Locale;
import java.util.Optional;

/** The token of an {@code Authorization: Bearer <token>} header (RFC 6750). */
final class BearerToken {
    static final String WWW_AUTHENTICATE = "Bearer realm=\"IAS\"";
    private static final int MAX_LENGTH = 1024;

    private BearerToken() {
    }

    /** The token, or empty when the header is absent, of another scheme, or malformed. */
    static Optional<String> parse(String header) {
        if (header == null || header.length() < 8 || !header.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return Optional.empty();
        }
        String token = header.substring(7).strip();
        if (token.isEmpty() || token.length() > MAX_LENGTH || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            return Optional.empty();
        }
        return Optional.of(token);
    }
}
