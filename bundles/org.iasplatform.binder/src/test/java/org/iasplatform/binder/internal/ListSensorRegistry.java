package org.iasplatform.binder.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.ControlFunctions;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorType;

/** A {@link SensorRegistry} over lists (the registry is not under test here); filters tags as the real one does. */
final class ListSensorRegistry implements SensorRegistry {
    final List<SensorType> types = new CopyOnWriteArrayList<>();
    final List<SensorInstance> instances = new CopyOnWriteArrayList<>();

    ListSensorRegistry type(String name) {
        types.add(new SensorType(name, "acme", Map.of(), ControlFunctions.NONE));
        return this;
    }

    ListSensorRegistry instance(String id, String type, String ip, int port, Map<String, String> tags) {
        instances.add(new SensorInstance(id, type, ip, port, null, tags, Topics.dataTopic(id), Topics.controlTopic(id)));
        return this;
    }

    @Override
    public List<SensorType> sensorTypes() {
        return List.copyOf(types);
    }

    @Override
    public Optional<SensorType> sensorType(String name) {
        return types.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    @Override
    public List<SensorInstance> sensorInstances(String sensorType, Map<String, String> tags) {
        List<SensorInstance> result = new ArrayList<>();
        for (SensorInstance s : instances) {
            if ((sensorType == null || sensorType.equals(s.sensorType()))
                    && tags.entrySet().stream().allMatch(e -> e.getValue().equals(s.tags().get(e.getKey())))) {
                result.add(s);
            }
        }
        return result;
    }

    @Override
    public Optional<SensorInstance> sensorInstance(String id) {
        return instances.stream().filter(s -> s.id().equals(id)).findFirst();
    }
}
