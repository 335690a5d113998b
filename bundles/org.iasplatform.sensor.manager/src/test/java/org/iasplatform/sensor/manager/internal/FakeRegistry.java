package org.iasplatform.sensor.manager.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorType;

/** An in-memory {@link SensorRegistry}; {@link #onLoad} runs while the instance list is read. */
final class FakeRegistry implements SensorRegistry {
    final Map<String, SensorType> types = new ConcurrentHashMap<>();
    final List<SensorInstance> instances = new CopyOnWriteArrayList<>();
    volatile Runnable onLoad = () -> {
    };
    volatile RuntimeException failLoad;

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
        if (failLoad != null) {
            throw failLoad;
        }
        List<SensorInstance> snapshot = instances.stream()
                .filter(i -> sensorType == null || i.sensorType().equals(sensorType)).filter(i -> i.matches(tags)).toList();
        onLoad.run();
        return snapshot;
    }

    @Override
    public Optional<SensorInstance> sensorInstance(String id) {
        return instances.stream().filter(i -> i.id().equals(id)).findFirst();
    }
}
