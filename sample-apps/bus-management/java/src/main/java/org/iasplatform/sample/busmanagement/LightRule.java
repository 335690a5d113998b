package org.iasplatform.sample.busmanagement;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * When to switch a bus's light on: for a reading below the threshold (40 lux), with a level of 1 per started 10 lux of
 * darkness (1 to 10); not again for {@code resendAfterMs} of reading time (readings already on their way still show the
 * dark), and at once again after a bright reading. Thread-safe.
 */
public final class LightRule {
    public static final int LUX_THRESHOLD = 40;
    public static final long RESEND_AFTER_MS = 10_000;
    public static final int MAX_LEVEL = 10;

    private final int threshold;
    private final long resendAfterMs;
    private Long lastSent;

    public LightRule() {
        this(LUX_THRESHOLD, RESEND_AFTER_MS);
    }

    public LightRule(int threshold, long resendAfterMs) {
        this.threshold = threshold;
        this.resendAfterMs = resendAfterMs;
    }

    public int threshold() {
        return threshold;
    }

    /** The level to switch the light on with for this reading, or empty to do nothing. */
    public synchronized OptionalInt decide(int lux, long timestamp) {
        if (lux >= threshold) {
            lastSent = null;
            return OptionalInt.empty();
        }
        if (lastSent != null && timestamp - lastSent >= 0 && timestamp - lastSent < resendAfterMs) {
            return OptionalInt.empty();
        }
        lastSent = timestamp;
        return OptionalInt.of(levelFor(lux, threshold));
    }

    /** 1 per started 10 lux below the threshold, from 1 to {@link #MAX_LEVEL}. */
    public static int levelFor(int lux, int threshold) {
        long level = (long) Math.ceil((threshold - (long) lux) / 10.0);
        return (int) Math.max(1, Math.min(MAX_LEVEL, level));
    }

    /** The seed's dashboard message: {@code {"Light": "Switch on light as lux is <lux>"}}. */
    public static Map<String, Object> dashboardMessage(int lux) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("Light", "Switch on light as lux is " + lux);
        return message;
    }
}
