package org.iasplatform.lifecycle.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bson.Document;

/**
 * What happens to an instance that crashed (its node reported FAILED without {@code "interrupted"}: a non-zero exit, an
 * exception out of a bundle algorithm, its runtime went away): it is started again after a back-off of
 * {@code backoffInitialMs}, doubled with every further failure within the window and capped at {@code backoffMaxMs},
 * until it has failed {@code maxFailures} times within {@code windowMs}; that failure makes it FAILED for good.
 * <p>
 * The defaults come from server-lifecycle's configuration ({@code restart_max_failures}, {@code restart_window_seconds},
 * {@code restart_backoff_initial_ms}, {@code restart_backoff_max_ms}); a deployment overrides any of them with the
 * optional {@code "restart_policy": {"max_failures", "window_seconds", "backoff_initial_ms", "backoff_max_ms"}} of its
 * deploy-config algorithm entry, stored with the instance as {@code restart_policy}. A value that is missing, not a
 * whole number or out of range keeps the default.
 *
 * @param maxFailures      failures within the window that make the instance FAILED (1: never restarted)
 * @param windowMs         the window, ms
 * @param backoffInitialMs the wait before the first restart, ms
 * @param backoffMaxMs     the longest wait, ms (at least {@code backoffInitialMs})
 */
record RestartPolicy(int maxFailures, long windowMs, long backoffInitialMs, long backoffMaxMs) {
    /** The per-deployment field (in the deploy-config entry and in the instance's record). */
    static final String FIELD = "restart_policy";
    /** The record's failure times within the window (epoch ms, platform clock), oldest first. */
    static final String FAILURES = "failures";

    RestartPolicy {
        maxFailures = Math.max(1, maxFailures);
        windowMs = Math.max(1, windowMs);
        backoffInitialMs = Math.max(0, backoffInitialMs);
        backoffMaxMs = Math.max(backoffInitialMs, backoffMaxMs);
    }

    /** The policy from server-lifecycle's configuration. */
    static RestartPolicy of(ServerLifecycleComponent.Config config) {
        return new RestartPolicy(config.restart__max__failures(),
                Math.min(Math.max(1, config.restart__window__seconds()), Long.MAX_VALUE / 1000) * 1000,
                config.restart__backoff__initial__ms(), config.restart__backoff__max__ms());
    }

    /** This policy with the overrides of a deployment's {@code restart_policy} object (null: none). */
    RestartPolicy overriddenBy(Object override) {
        if (!(override instanceof Document o)) {
            return this;
        }
        long window = whole(o, "window_seconds", 1, Long.MAX_VALUE / 1000, -1);
        return new RestartPolicy((int) whole(o, "max_failures", 1, Integer.MAX_VALUE, maxFailures),
                window < 0 ? windowMs : window * 1000, whole(o, "backoff_initial_ms", 0, Long.MAX_VALUE, backoffInitialMs),
                whole(o, "backoff_max_ms", 0, Long.MAX_VALUE, backoffMaxMs));
    }

    /** The policy in force for an instance: the defaults with the record's {@code restart_policy}. */
    RestartPolicy forRecord(Document d) {
        return d == null ? this : overriddenBy(d.get(FIELD));
    }

    /** The wait before the restart that follows the {@code failures}-th failure within the window (1 = the first). */
    long backoffMs(int failures) {
        long wait = backoffInitialMs;
        for (int i = 1; i < failures && wait < backoffMaxMs; i++) {
            wait = wait > backoffMaxMs / 2 ? backoffMaxMs : wait * 2;
        }
        return Math.min(wait, backoffMaxMs);
    }

    /** The failure times of the record still within the window at {@code now}, with {@code now} added. */
    List<Long> failuresWith(Document d, long now) {
        List<Long> result = new ArrayList<>();
        if (d != null && d.get(FAILURES) instanceof List<?> list) {
            for (Object o : list) {
                long at = o instanceof Number n ? n.longValue() : o instanceof Date date ? date.getTime() : -1;
                if (at >= 0 && now - at < windowMs) {
                    result.add(at);
                }
            }
        }
        result.add(now);
        return result;
    }

    /** How the policy reads in a reason, e.g. "at most 5 failures within 300 s". */
    String describe() {
        return "at most " + maxFailures + (maxFailures == 1 ? " failure" : " failures") + " within "
                + seconds(windowMs) + " s";
    }

    /** Milliseconds as seconds for reasons: 2000 → "2", 250 → "0.25". */
    static String seconds(long ms) {
        return BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString();
    }

    /** A whole number field of {@code o} from {@code min} to {@code max}, else {@code fallback}. */
    private static long whole(Document o, String field, long min, long max, long fallback) {
        Object v = o.get(field);
        if (v instanceof Integer || v instanceof Long) {
            long n = ((Number) v).longValue();
            return n >= min && n <= max ? n : fallback;
        }
        if (v instanceof Double x && x == Math.rint(x) && x >= min && x <= max) {
            return x.longValue();
        }
        return fallback;
    }
}
