package org.iasplatform.sensor.manager.internal;

import java.util.concurrent.atomic.AtomicLong;

import org.iasplatform.api.sensor.ConnectionState;
import org.iasplatform.api.sensor.SensorConnection;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorStatus;
import org.iasplatform.api.sensor.SensorType;

/**
 * The manager's state for one registered instance. Lifecycle fields (instance, type, driver, connection, context) change
 * only under the manager's lock; they are volatile so that control commands and statuses read them without it. Counters
 * and state are updated by the driver's threads through the current {@link ManagedContext}.
 */
final class InstanceSlot {
    volatile SensorInstance instance;
    /** The instance's type, null while it could not be looked up. */
    volatile SensorType type;
    /** The driver chosen for it, null if none serves its type. */
    volatile DriverEntry driver;
    /** The live connection, null when none (no driver, or the driver failed to connect). */
    volatile SensorConnection connection;
    /** The context given with {@link #connection}. */
    volatile ManagedContext context;

    private volatile ConnectionState state = ConnectionState.DISCONNECTED;
    private volatile String detail = "";
    final AtomicLong readings = new AtomicLong();
    final AtomicLong invalid = new AtomicLong();
    private final AtomicLong lastReadingAt = new AtomicLong();

    InstanceSlot(SensorInstance instance) {
        this.instance = instance;
    }

    String id() {
        return instance.id();
    }

    synchronized void state(ConnectionState state, String detail) {
        this.state = state;
        this.detail = detail == null ? "" : detail;
    }

    void detail(String detail) {
        this.detail = detail == null ? "" : detail;
    }

    ConnectionState state() {
        return state;
    }

    String detail() {
        return detail;
    }

    void published(long timestamp) {
        readings.incrementAndGet();
        lastReadingAt.accumulateAndGet(timestamp, Math::max);
    }

    void rejected(String reason) {
        invalid.incrementAndGet();
        detail = reason == null ? "" : reason;
    }

    SensorStatus status() {
        DriverEntry d = driver;
        return new SensorStatus(instance.id(), state, d == null ? "" : d.name(), readings.get(), invalid.get(), lastReadingAt.get(),
                detail);
    }
}
