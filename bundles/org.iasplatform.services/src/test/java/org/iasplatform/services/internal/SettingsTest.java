package org.iasplatform.services.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.List;

import org.junit.Test;

/** The watchdog's settings: the back-off and the watched bundles, and configurations refused saying why. */
public class SettingsTest {
    private static Settings settings(long initialMs, long maxMs, int maxRestarts, List<String> prefixes) {
        return new Settings(Duration.ofMillis(2000), Duration.ofMillis(initialMs), Duration.ofMillis(maxMs), maxRestarts,
                Duration.ofSeconds(600), prefixes, Duration.ofSeconds(3));
    }

    @Test
    public void theBackOffDoublesUpToItsMaximum() {
        Settings s = settings(1000, 5000, 5, List.of("org.iasplatform"));
        assertEquals(List.of(1000L, 2000L, 4000L, 5000L, 5000L), List.of(0, 1, 2, 3, 30).stream()
                .map(n -> s.backoff(n).toMillis()).toList());
        assertEquals(0, settings(0, 0, 5, List.of("x")).backoff(3).toMillis());
    }

    @Test
    public void onlyBundlesWithAWatchedPrefixAreWatched() {
        Settings s = settings(1000, 5000, 5, List.of(" org.iasplatform ", "", "com.example.ias"));
        assertEquals(List.of("org.iasplatform", "com.example.ias"), s.bundlePrefixes());
        assertTrue(s.watches("org.iasplatform.binder"));
        assertTrue(s.watches("com.example.ias.driver"));
        assertFalse(s.watches("org.apache.karaf.shell.core"));
        assertFalse(s.watches(null));
    }

    @Test
    public void badValuesAreRefusedSayingWhatIsExpected() {
        expect("restart_backoff_max_ms (500) must not be below restart_backoff_initial_ms (1000)",
                () -> settings(1000, 500, 5, List.of("x")));
        expect("restart_max must be 0 or more, got -1", () -> settings(1000, 5000, -1, List.of("x")));
        expect("bundle_prefixes names no prefix; expected e.g. org.iasplatform", () -> settings(1000, 5000, 5,
                List.of(" ")));
        expect("check_period_ms must be at least 50, got 10", () -> new Settings(Duration.ofMillis(10),
                Duration.ofMillis(1), Duration.ofMillis(1), 1, Duration.ofSeconds(10), List.of("x"), Duration.ofSeconds(1)));
    }

    private static void expect(String message, Runnable making) {
        try {
            making.run();
            fail("accepted; expected: " + message);
        } catch (IllegalArgumentException e) {
            assertEquals(message, e.getMessage());
        }
    }
}
