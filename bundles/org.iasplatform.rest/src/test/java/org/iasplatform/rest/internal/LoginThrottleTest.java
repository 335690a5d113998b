package org.iasplatform.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

/** The login throttle on a clock the test moves. */
public class LoginThrottleTest {
    private static final String A = "10.0.0.1";
    private static final String B = "10.0.0.2";
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private LoginThrottle throttle(int pair, int address, int user, int maxTracked) {
        return new LoginThrottle(new LoginThrottle.Limits(pair, address, user, Duration.ofSeconds(60), Duration.ofSeconds(10),
                Duration.ofSeconds(40), maxTracked), now::get);
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    private static void fail(LoginThrottle t, String address, String user, int times) {
        for (int i = 0; i < times; i++) {
            t.failed(address, user);
        }
    }

    @Test
    public void aUserNameAtAnAddressIsLockedOutAfterTheLimitUntilTheLockOutEnds() {
        LoginThrottle t = throttle(3, 0, 0, 100);
        assertTrue(t.enabled());
        fail(t, A, "admin", 2);
        assertEquals(Optional.empty(), t.lockedFor(A, "admin"));
        List<LoginThrottle.Lockout> began = t.failed(A, "admin");
        assertEquals(List.of(new LoginThrottle.Lockout("user 'admin' from " + A, Duration.ofSeconds(10), 3)), began);
        assertEquals(Optional.of(Duration.ofSeconds(10)), t.lockedFor(A, "admin"));
        assertEquals("another user name at the address is not locked", Optional.empty(), t.lockedFor(A, "user"));
        assertEquals("the user name from another address is not locked", Optional.empty(), t.lockedFor(B, "admin"));
        advance(Duration.ofSeconds(9));
        assertEquals(Optional.of(Duration.ofSeconds(1)), t.lockedFor(A, "admin"));
        advance(Duration.ofSeconds(1));
        assertEquals(Optional.empty(), t.lockedFor(A, "admin"));
        fail(t, A, "admin", 2);
        assertEquals("the count started over after the lock-out", Optional.empty(), t.lockedFor(A, "admin"));
    }

    @Test
    public void eachLockOutInARowDoublesUpToTheMaximum() {
        LoginThrottle t = throttle(3, 0, 0, 100);
        for (long expected : new long[] {10, 20, 40, 40}) {
            fail(t, A, "admin", 3);
            assertEquals(Optional.of(Duration.ofSeconds(expected)), t.lockedFor(A, "admin"));
            advance(Duration.ofSeconds(expected));
            assertEquals(Optional.empty(), t.lockedFor(A, "admin"));
        }
        advance(Duration.ofSeconds(101)); // quiet longer than the window and the longest lock-out: back to the first
        fail(t, A, "admin", 3);
        assertEquals(Optional.of(Duration.ofSeconds(10)), t.lockedFor(A, "admin"));
    }

    @Test
    public void failuresOlderThanTheWindowDoNotCount() {
        LoginThrottle t = throttle(3, 0, 0, 100);
        fail(t, A, "admin", 2);
        advance(Duration.ofSeconds(61));
        fail(t, A, "admin", 2);
        assertEquals(Optional.empty(), t.lockedFor(A, "admin"));
        t.failed(A, "admin");
        assertTrue(t.lockedFor(A, "admin").isPresent());
    }

    @Test
    public void aSuccessForgetsTheUserNamesFailuresButNotTheAddresses() {
        LoginThrottle t = throttle(3, 5, 0, 100);
        fail(t, A, "admin", 2);
        t.succeeded(A, "admin");
        fail(t, A, "admin", 2);
        assertEquals(Optional.empty(), t.lockedFor(A, "admin"));
        // 4 failures from A so far: one more, under any name, locks the address out for every name
        List<LoginThrottle.Lockout> began = t.failed(A, "somebody");
        assertEquals(1, began.size());
        assertEquals("address " + A, began.get(0).what());
        assertTrue(t.lockedFor(A, "user").isPresent());
        assertEquals(Optional.empty(), t.lockedFor(B, "user"));
    }

    @Test
    public void aUserNameCanBeLimitedOverAllAddresses() {
        LoginThrottle t = throttle(0, 0, 3, 100);
        t.failed("10.0.0.1", "admin");
        t.failed("10.0.0.2", "admin");
        assertEquals(Optional.empty(), t.lockedFor("10.0.0.9", "admin"));
        t.failed("10.0.0.3", "admin");
        assertTrue(t.lockedFor("10.0.0.9", "admin").isPresent());
        assertEquals(Optional.empty(), t.lockedFor("10.0.0.9", "user"));
    }

    @Test
    public void memoryIsBoundedAndAClientThatKeepsTryingStaysLocked() {
        LoginThrottle t = throttle(3, 5, 0, 100);
        fail(t, A, "admin", 5);
        assertTrue(t.lockedFor(A, "admin").isPresent());
        for (int i = 0; i < 10_000; i++) {
            t.failed("192.168." + (i / 250) + "." + (i % 250), "u" + i + "x".repeat(1000));
            assertTrue(t.tracked() <= 100);
            if (i % 10 == 0) {
                assertTrue("the locked address, trying again, is still locked at " + i, t.lockedFor(A, "other").isPresent());
            }
        }
        assertEquals(100, t.tracked());
    }

    @Test
    public void limitsOfZeroSwitchTheThrottleOff() {
        LoginThrottle t = throttle(0, 0, 0, 100);
        assertFalse(t.enabled());
        fail(t, A, "admin", 100);
        assertEquals(Optional.empty(), t.lockedFor(A, "admin"));
        assertEquals(0, t.tracked());
        assertFalse(new LoginThrottle(LoginThrottle.Limits.OFF, now::get).enabled());
    }

    @Test
    public void userNamesAreLoggedPrintable() {
        assertEquals("a?b", LoginThrottle.printable("a\nb"));
        assertEquals(65, LoginThrottle.printable("x".repeat(500)).length());
    }

    @Test(expected = IllegalArgumentException.class)
    public void theLongestLockOutIsAtLeastTheFirst() {
        new LoginThrottle.Limits(3, 0, 0, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(10), 10);
    }

    @Test
    public void theConfigurationDefaults() throws Exception {
        assertEquals(5, RestConfig.class.getMethod("login__max__failures").getDefaultValue());
        assertEquals(20, RestConfig.class.getMethod("login__max__failures__per__address").getDefaultValue());
        assertEquals(0, RestConfig.class.getMethod("login__max__failures__per__user").getDefaultValue());
    }
}
