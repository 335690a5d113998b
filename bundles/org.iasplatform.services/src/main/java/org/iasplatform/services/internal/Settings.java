package org.iasplatform.services.internal;

import java.time.Duration;
import java.util.List;

/**
 * The watchdog's settings, independent of the OSGi configuration annotation; checked when made.
 *
 * @param checkPeriod     how often the components are looked at
 * @param backoffInitial  the wait before the first restart of a failed component; doubled for every restart within the
 *                        window before it
 * @param backoffMax      the longest wait before a restart
 * @param maxRestarts     how many restarts within the window a component gets; failing again after them, it is given up
 * @param window          the window restarts are counted in
 * @param bundlePrefixes  the symbolic name prefixes of the bundles whose components are watched
 * @param lagTimeout      how long asking the broker for the consumers' lag may take
 */
record Settings(Duration checkPeriod, Duration backoffInitial, Duration backoffMax, int maxRestarts, Duration window,
        List<String> bundlePrefixes, Duration lagTimeout) {

    Settings {
        atLeast("check_period_ms", checkPeriod, 50);
        atLeast("restart_backoff_initial_ms", backoffInitial, 0);
        atLeast("restart_backoff_max_ms", backoffMax, 0);
        if (backoffMax.compareTo(backoffInitial) < 0) {
            throw new IllegalArgumentException("restart_backoff_max_ms (" + backoffMax.toMillis()
                    + ") must not be below restart_backoff_initial_ms (" + backoffInitial.toMillis() + ")");
        }
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("restart_max must be 0 or more, got " + maxRestarts);
        }
        atLeast("restart_window_seconds (in ms)", window, 1000);
        atLeast("lag_timeout_ms", lagTimeout, 100);
        bundlePrefixes = bundlePrefixes == null ? List.of()
                : bundlePrefixes.stream().map(String::strip).filter(p -> !p.isEmpty()).distinct().toList();
        if (bundlePrefixes.isEmpty()) {
            throw new IllegalArgumentException("bundle_prefixes names no prefix; expected e.g. org.iasplatform");
        }
    }

    /** The wait before the restart that follows {@code restartsInWindow} restarts within the window. */
    Duration backoff(int restartsInWindow) {
        long ms = backoffInitial.toMillis();
        for (int i = 0; i < restartsInWindow && ms < backoffMax.toMillis(); i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, backoffMax.toMillis()));
    }

    /** Whether the components of the bundle with this symbolic name are watched. */
    boolean watches(String symbolicName) {
        return symbolicName != null && bundlePrefixes.stream().anyMatch(symbolicName::startsWith);
    }

    private static void atLeast(String name, Duration value, long minMs) {
        if (value == null || value.toMillis() < minMs) {
            throw new IllegalArgumentException(name + " must be at least " + minMs + ", got "
                    + (value == null ? "nothing" : value.toMillis()));
        }
    }
}
