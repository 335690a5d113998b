package org.iasplatform.lifecycle.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Instance tokens: 32 random bytes from {@link SecureRandom}, base64url without padding, fresh for every start. Only their
 * SHA-256 is stored; checking compares digests with {@link MessageDigest#isEqual} (constant time).
 */
final class Tokens {
    private static final int TOKEN_BYTES = 32;

    private final SecureRandom random = new SecureRandom();

    /** A new token. */
    String newToken() {
        byte[] bytes = new byte[TOKEN_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The SHA-256 of a token in lower-case hex, as stored. */
    static String sha256Hex(String token) {
        return HexFormat.of().formatHex(sha256(token));
    }

    /** Whether {@code token} hashes to {@code storedHex}; false for a missing token or hash. */
    static boolean matches(String token, String storedHex) {
        if (token == null || token.isEmpty() || storedHex == null || storedHex.length() != 64) {
            return false;
        }
        byte[] stored;
        try {
            stored = HexFormat.of().parseHex(storedHex);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(sha256(token), stored);
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
