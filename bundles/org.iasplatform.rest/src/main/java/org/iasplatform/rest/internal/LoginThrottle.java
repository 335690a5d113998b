package org.iasplatform.rest.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Slows down password guessing: counts failed logins per user name at one client address, per client address and
 * (optionally) per user name, and refuses further attempts of a key that reached its limit within the window for a
 * lock-out that doubles with each lock-out of that key in a row, up to a maximum. A refused attempt is not counted and
 * never reaches the realm. A successful login forgets the failures of its user name (at that address and overall), not
 * those of the address: one valid account must not reset the guessing of others from the same client.
 * <p>
 * Memory is bounded: at most {@link Limits#maxTracked()} keys, the least recently used dropped first (a client that keeps
 * trying keeps its own key fresh). Only user names and addresses are kept, never passwords.
 */
public final class LoginThrottle {
    /** User names longer than this are keyed by a prefix and their hash (keys stay small whatever a client sends). */
    static final int MAX_USER_KEY = 128;

    /**
     * The limits; a maximum of 0 switches its key off.
     *
     * @param maxPerUserAtAddress failures of one user name from one address within the window before it is locked out
     * @param maxPerAddress       failures from one address, whatever the user names
     * @param maxPerUser          failures of one user name, from any address
     * @param window              how long a failure counts
     * @param lockout             the first lock-out; each following one of the same key in a row doubles it
     * @param maxLockout          the longest lock-out
     * @param maxTracked          the most keys remembered
     */
    public record Limits(int maxPerUserAtAddress, int maxPerAddress, int maxPerUser, Duration window, Duration lockout,
            Duration maxLockout, int maxTracked) {
        public static final Limits OFF = new Limits(0, 0, 0, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1);

        public Limits {
            if (maxPerUserAtAddress < 0 || maxPerAddress < 0 || maxPerUser < 0) {
                throw new IllegalArgumentException("a failure limit is 0 (off) or more");
            }
            if (window.isNegative() || window.isZero() || lockout.isNegative() || lockout.isZero() || maxLockout.compareTo(lockout) < 0) {
                throw new IllegalArgumentException("the window and lock-out are positive, the longest lock-out at least the first");
            }
            if (maxTracked < 1) {
                throw new IllegalArgumentException("at least one key is tracked");
            }
        }

        static Limits of(RestConfig config) {
            return new Limits(config.login__max__failures(), config.login__max__failures__per__address(),
                    config.login__max__failures__per__user(), Duration.ofSeconds(config.login__window__seconds()),
                    Duration.ofSeconds(config.login__lockout__seconds()),
                    Duration.ofSeconds(Math.max(config.login__lockout__seconds(), config.login__lockout__max__seconds())),
                    config.login__max__tracked());
        }

        boolean off() {
            return maxPerUserAtAddress == 0 && maxPerAddress == 0 && maxPerUser == 0;
        }
    }

    /** A lock-out that just began: what was locked, for how long, after how many failures. */
    public record Lockout(String what, Duration duration, int failures) {
    }

    private static final class State {
        long windowStart;
        int failures;
        int lockouts;
        long lockedUntil;
        long lastFailure;
        boolean locked;
    }

    private final Limits limits;
    private final LongSupplier nanoClock;
    private final Map<String, State> states;

    public LoginThrottle(Limits limits, LongSupplier nanoClock) {
        this.limits = limits;
        this.nanoClock = nanoClock;
        this.states = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
                return size() > limits.maxTracked();
            }
        };
    }

    public boolean enabled() {
        return !limits.off();
    }

    /** How long attempts of this user name from this address are still refused; empty when they may try. */
    public synchronized Optional<Duration> lockedFor(String address, String user) {
        long now = nanoClock.getAsLong();
        long longest = 0;
        for (String key : keys(address, user)) {
            State s = states.get(key);
            if (s != null && s.locked) {
                long left = s.lockedUntil - now;
                if (left > 0) {
                    longest = Math.max(longest, left);
                } else {
                    s.locked = false;
                    s.failures = 0;
                    s.windowStart = now;
                }
            }
        }
        return longest > 0 ? Optional.of(Duration.ofNanos(longest)) : Optional.empty();
    }

    /** Counts a failed login; the lock-outs it began (none mostly). */
    public synchronized List<Lockout> failed(String address, String user) {
        long now = nanoClock.getAsLong();
        List<Lockout> began = new ArrayList<>();
        List<String> keys = keys(address, user);
        for (String key : keys) {
            int max = max(key);
            State s = states.computeIfAbsent(key, k -> new State());
            if (s.lockouts > 0 && now - s.lastFailure > limits.window().toNanos() + limits.maxLockout().toNanos()) {
                s.lockouts = 0; // quiet for long: the back-off starts over
            }
            if (s.failures == 0 || now - s.windowStart > limits.window().toNanos()) {
                s.windowStart = now;
                s.failures = 0;
            }
            s.lastFailure = now;
            s.failures++;
            if (s.failures >= max) {
                long nanos = limits.lockout().toNanos();
                for (int i = 0; i < s.lockouts && nanos < limits.maxLockout().toNanos(); i++) {
                    nanos *= 2;
                }
                nanos = Math.min(nanos, limits.maxLockout().toNanos());
                s.lockouts++;
                s.locked = true;
                s.lockedUntil = now + nanos;
                began.add(new Lockout(describe(key), Duration.ofNanos(nanos), s.failures));
                s.failures = 0;
            }
        }
        return began;
    }

    /** A successful login: forgets the failures of the user name (at the address and overall). */
    public synchronized void succeeded(String address, String user) {
        if (limits.maxPerUserAtAddress() > 0) {
            states.remove(pairKey(address, user));
        }
        if (limits.maxPerUser() > 0) {
            states.remove(userKey(user));
        }
    }

    /** How many keys are remembered. */
    public synchronized int tracked() {
        return states.size();
    }

    private List<String> keys(String address, String user) {
        List<String> keys = new ArrayList<>(3);
        if (limits.maxPerUserAtAddress() > 0) {
            keys.add(pairKey(address, user));
        }
        if (limits.maxPerAddress() > 0) {
            keys.add("a\0" + address);
        }
        if (limits.maxPerUser() > 0) {
            keys.add(userKey(user));
        }
        return keys;
    }

    private int max(String key) {
        return switch (key.charAt(0)) {
            case 'p' -> limits.maxPerUserAtAddress();
            case 'a' -> limits.maxPerAddress();
            default -> limits.maxPerUser();
        };
    }

    private static String pairKey(String address, String user) {
        return "p\0" + address + "\0" + userPart(user);
    }

    private static String userKey(String user) {
        return "u\0" + userPart(user);
    }

    private static String userPart(String user) {
        return user.length() <= MAX_USER_KEY ? user : user.substring(0, MAX_USER_KEY) + "#" + user.hashCode();
    }

    private static String describe(String key) {
        String[] parts = key.split("\0", -1);
        return switch (parts[0]) {
            case "p" -> "user '" + printable(parts[2]) + "' from " + parts[1];
            case "a" -> "address " + parts[1];
            default -> "user '" + printable(parts[1]) + "'";
        };
    }

    /** A user name fit for a log line: control characters replaced, long ones cut. */
    static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
