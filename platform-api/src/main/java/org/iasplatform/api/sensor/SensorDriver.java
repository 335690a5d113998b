package org.iasplatform.api.sensor;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Connects registered sensor instances to their devices. Whiteboard: register implementations as OSGi services with the
 * {@value #PROPERTY_SENSOR_TYPES} property naming the sensor types served. For each instance the sensor manager uses the
 * driver registered for its type (highest service ranking first); a driver registered for {@value #ANY_TYPE} serves every
 * type that has no driver of its own. When a driver comes or goes, the instances it concerns are reconnected through the
 * driver then in force, and only those.
 */
@ConsumerType
public interface SensorDriver {
    /** Service property: the sensor type names served (String or String[]). */
    String PROPERTY_SENSOR_TYPES = "ias.sensor.types";

    /** The {@value #PROPERTY_SENSOR_TYPES} value of a fallback driver serving every type without a driver of its own. */
    String ANY_TYPE = "*";

    /**
     * Starts serving one instance. Must return promptly: connecting, reading and reconnecting happen on the driver's own
     * threads, reporting through {@code context}.
     */
    SensorConnection connect(SensorConnectionContext context);
}
