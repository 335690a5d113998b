package org.iasplatform.sensor.manager.internal;

import java.util.Map;

import org.iasplatform.api.sensor.ConnectionState;
import org.iasplatform.api.sensor.SensorConnectionContext;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorType;

/**
 * The context given to a driver for one connection. Once the connection is replaced or closed the context is
 * {@link #deactivate() deactivated}: whatever the old driver still reports is ignored.
 */
final class ManagedContext implements SensorConnectionContext {
    /** Where accepted readings go. */
    interface ReadingSink {
        /** Validates and publishes; returns whether the reading was accepted. */
        boolean offer(InstanceSlot slot, SensorInstance instance, SensorType type, Map<String, Object> data);
    }

    private final InstanceSlot slot;
    private final SensorInstance instance;
    private final SensorType type;
    private final ReadingSink sink;
    private volatile boolean active = true;

    ManagedContext(InstanceSlot slot, SensorInstance instance, SensorType type, ReadingSink sink) {
        this.slot = slot;
        this.instance = instance;
        this.type = type;
        this.sink = sink;
    }

    void deactivate() {
        active = false;
    }

    boolean isActive() {
        return active;
    }

    @Override
    public SensorInstance instance() {
        return instance;
    }

    @Override
    public SensorType type() {
        return type;
    }

    @Override
    public boolean reading(Map<String, Object> data) {
        return active && sink.offer(slot, instance, type, data);
    }

    @Override
    public void invalid(String reason) {
        if (active) {
            slot.rejected(reason);
        }
    }

    @Override
    public void connected() {
        if (active) {
            slot.state(ConnectionState.CONNECTED, "");
        }
    }

    @Override
    public void disconnected(String reason) {
        if (active) {
            slot.state(ConnectionState.DISCONNECTED, reason);
        }
    }
}
