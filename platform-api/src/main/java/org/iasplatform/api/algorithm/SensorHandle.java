package org.iasplatform.api.algorithm;

import java.util.Map;
import java.util.function.Consumer;

import org.iasplatform.api.IasException;
import org.iasplatform.api.deploy.BoundSensor;
import org.iasplatform.api.sensor.Reading;
import org.osgi.annotation.versioning.ProviderType;

/** A sensor bound to an algorithm instance. */
@ProviderType
public interface SensorHandle {
    /** Which sensor it is (index, sensor instance id, type, topics). */
    BoundSensor binding();

    /**
     * Delivers every reading published from now on to {@code consumer} (on a thread of the platform's, in order) until the
     * returned handle is closed or the instance stops.
     */
    AutoCloseable subscribe(Consumer<Reading> consumer) throws IasException;

    /** Sends a control command, checked against the sensor type's control functions (INVALID if it does not fit). */
    void control(String function, Map<String, Object> params) throws IasException;
}
