package org.iasplatform.rest.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Remembers successful logins for a while so each call does not run JAAS again; keyed by a SHA-256 of the credentials,
 * never the password itself. Failures are not remembered.
 */
public final class CachingAuthenticator implements Authenticator {
    static final int MAX_ENTRIES = 10_000;

    private record Entry(Set<String> roles, long expiresAtNanos) {
    }

    private final Authenticator delegate;
    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    public CachingAuthenticator(Authenticator delegate, long ttlSeconds, LongSupplier nanoClock) {
        this.delegate = delegate;
        this.ttlNanos = Math.max(0, ttlSeconds) * 1_000_000_000L;
        this.nanoClock = nanoClock;
    }

    @Override
    public Optional<Set<String>> authenticate(String user, String password) {
        if (ttlNanos == 0) {
            return delegate.authenticate(user, password);
        }
        String key = key(user, password);
        long now = nanoClock.getAsLong();
        Entry entry = cache.get(key);
        if (entry != null && now - entry.expiresAtNanos() < 0) {
            return Optional.of(entry.roles());
        }
        Optional<Set<String>> roles = delegate.authenticate(user, password);
        if (roles.isPresent()) {
            if (cache.size() >= MAX_ENTRIES) {
                cache.values().removeIf(e -> now - e.expiresAtNanos() >= 0);
                if (cache.size() >= MAX_ENTRIES) {
                    cache.clear();
                }
            }
            cache.put(key, new Entry(Set.copyOf(roles.get()), now + ttlNanos));
        } else {
            cache.remove(key);
        }
        return roles;
    }

    static String key(String user, String password) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(user.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(password.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always there", e);
        }
    }
}
