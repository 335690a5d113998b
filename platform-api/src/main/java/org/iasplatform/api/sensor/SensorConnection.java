package org.iasplatform.api.sensor;

import java.io.IOException;

import org.osgi.annotation.versioning.ConsumerType;

/** A driver's live connection to one sensor instance. */
@ConsumerType
public interface SensorConnection extends AutoCloseable {
    /**
     * Delivers a control command (already checked against the type's control functions) to the device.
     *
     * @throws IOException when the device cannot be reached now
     */
    void control(ControlCommand command) throws IOException;

    /** Stops serving the instance and releases its resources; no call to the context follows. */
    @Override
    void close();
}
