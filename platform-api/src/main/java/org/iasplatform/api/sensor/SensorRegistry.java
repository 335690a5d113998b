package org.iasplatform.api.sensor;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** Read access to the registered sensor types and instances (the store behind {@code sensor_registry}). */
@ProviderType
public interface SensorRegistry {
    List<SensorType> sensorTypes();

    Optional<SensorType> sensorType(String name);

    /**
     * @param sensorType only instances of this type; {@code null} for every type
     * @param tags       only instances having every one of these tag values; empty for no filter
     */
    List<SensorInstance> sensorInstances(String sensorType, Map<String, String> tags);

    Optional<SensorInstance> sensorInstance(String id);
}
