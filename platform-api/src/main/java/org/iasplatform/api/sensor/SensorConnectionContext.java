package org.iasplatform.api.sensor;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/** What the sensor manager gives a driver for one instance: the instance, its type, and where to report. */
@ProviderType
public interface SensorConnectionContext {
    SensorInstance instance();

    SensorType type();

    /**
     * Offers one reading's fields. The manager checks them against the type's data structure: a match is stamped with the
     * instance id and the current time and published to the data topic; a mismatch is counted as invalid and dropped.
     *
     * @return whether the reading was accepted
     */
    boolean reading(Map<String, Object> data);

    /** Counts a device message that could not be understood at all (e.g. not JSON), and drops it. */
    void invalid(String reason);

    /** The device is connected. */
    void connected();

    /** The device is not reachable; the driver keeps trying to reconnect with back-off. */
    void disconnected(String reason);
}
