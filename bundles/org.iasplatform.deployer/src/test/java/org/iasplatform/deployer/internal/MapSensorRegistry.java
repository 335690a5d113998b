package org.iasplatform.deployer.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorType;

/** A {@link SensorRegistry} holding types only (the deployer reads nothing else). */
final class MapSensorRegistry implements SensorRegistry {
    final Map<String, SensorType> types = new ConcurrentHashMap<>();

    @Override
    public List<SensorType> sensorTypes() {
        return List.copyOf(types.values());
    }

    @Override
    public Optional<SensorType> sensorType(String name) {
        return Optional.ofNullable(types.get(name));
    }

    @Override
    public List<SensorInstance> sensorInstances(String sensorType, Map<String, String> tags) {
        return List.of();
    }

    @Override
    public Optional<SensorInstance> sensorInstance(String id) {
        return Optional.empty();
    }
}
