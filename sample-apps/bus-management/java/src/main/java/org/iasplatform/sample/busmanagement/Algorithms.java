package org.iasplatform.sample.busmanagement;

import java.util.Map;

import org.iasplatform.api.algorithm.AlgorithmContext;
import org.iasplatform.api.sensor.Reading;

/** What the two algorithms share. */
final class Algorithms {
    private Algorithms() {
    }

    /**
     * Waits until the instance is asked to stop. The runtime both marks the instance stopped and interrupts its thread: an
     * interrupt after the stop request is the normal end, any other interrupt is passed on.
     */
    static void awaitStop(AlgorithmContext context) throws InterruptedException {
        try {
            context.awaitStop();
        } catch (InterruptedException e) {
            if (!context.isStopped()) {
                throw e;
            }
        }
    }

    /** A numeric field of a reading's data, or null when it is missing or not a number. */
    static Double number(Reading reading, String field) {
        Map<String, Object> data = reading == null ? null : reading.data();
        Object value = data == null ? null : data.get(field);
        return value instanceof Number n && Double.isFinite(n.doubleValue()) ? n.doubleValue() : null;
    }

    /** A text field of a reading's data, or null. */
    static String text(Reading reading, String field) {
        Map<String, Object> data = reading == null ? null : reading.data();
        Object value = data == null ? null : data.get(field);
        return value == null ? null : value.toString();
    }

    /** The reading's timestamp, or now when it has none. */
    static long timestamp(Reading reading) {
        return reading.timestamp() > 0 ? reading.timestamp() : System.currentTimeMillis();
    }
}
