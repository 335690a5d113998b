package org.iasplatform.rest.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

import org.iasplatform.api.IasException;
import org.iasplatform.api.manager.PlatformManager;
import org.iasplatform.api.manager.RegistrationOutcome;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.MessageHandler;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.api.sensor.ControlCommand;
import org.iasplatform.api.sensor.SensorConnections;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorStatus;
import org.iasplatform.api.sensor.SensorType;

import com.fasterxml.jackson.databind.JsonNode;

/** In-memory platform services for the dispatcher tests. */
final class FakeServices implements Services {
    final Map<String, SensorType> types = new LinkedHashMap<>();
    final Map<String, SensorInstance> instances = new LinkedHashMap<>();
    final Map<String, SensorStatus> statuses = new LinkedHashMap<>();
    final Map<String, List<Message>> topics = new LinkedHashMap<>();
    final List<Object> calls = new ArrayList<>();
    /** Thrown by every PlatformManager call when set. */
    Exception failure;
    boolean completed = true;
    boolean reachable = true;
    boolean registryPresent = true;
    boolean platformManagerPresent = true;
    int lastLatestCount;

    final PlatformManager platformManager = new PlatformManager() {
        @Override
        public RegistrationOutcome<String> registerSensorTypes(JsonNode document) throws IasException {
            fail();
            calls.add(document);
            return new RegistrationOutcome<>("r-1", completed, completed ? List.of("gps") : List.of());
        }

        @Override
        public void deleteSensorType(String name) throws IasException {
            fail();
            calls.add("deleteType " + name);
        }

        @Override
        public RegistrationOutcome<SensorInstance> registerSensorInstances(JsonNode document) throws IasException {
            fail();
            calls.add(document);
            return new RegistrationOutcome<>("r-2", completed, completed ? List.copyOf(instances.values()) : List.of());
        }

        @Override
        public void deleteSensorInstance(String id) throws IasException {
            fail();
            calls.add("deleteInstance " + id);
        }

        @Override
        public void sendControl(String sensorInstanceId, ControlCommand command) throws IasException {
            fail();
            calls.add(sensorInstanceId + " " + command);
        }

        private void fail() throws IasException {
            if (failure instanceof IasException e) {
                throw e;
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
        }
    };

    final SensorRegistry registry = new SensorRegistry() {
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
            return instances.values().stream().filter(i -> sensorType == null || i.sensorType().equals(sensorType))
                    .filter(i -> i.matches(tags)).toList();
        }

        @Override
        public Optional<SensorInstance> sensorInstance(String id) {
            return Optional.ofNullable(instances.get(id));
        }
    };

    final SensorConnections connections = new SensorConnections() {
        @Override
        public List<SensorStatus> statuses() {
            return List.copyOf(statuses.values());
        }

        @Override
        public Optional<SensorStatus> status(String id) {
            return Optional.ofNullable(statuses.get(id));
        }
    };

    final Messaging messaging = new Messaging() {
        @Override
        public CompletionStage<Void> publish(String topic, String key, String json) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Subscription subscribe(String group, Collection<String> t, MessageHandler handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Subscription subscribe(String group, Pattern t, MessageHandler handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Subscription follow(Collection<String> t, MessageHandler handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void ensureTopics(Collection<String> t) {
        }

        @Override
        public void deleteTopics(Collection<String> t) {
        }

        @Override
        public List<Message> latest(String topic, int count, Duration timeout) throws MessagingException {
            lastLatestCount = count;
            List<Message> all = topics.getOrDefault(topic, List.of());
            return all.subList(Math.max(0, all.size() - count), all.size());
        }

        @Override
        public boolean isReachable(Duration timeout) {
            return reachable;
        }
    };

    @Override
    public PlatformManager platformManager() {
        return platformManagerPresent ? platformManager : null;
    }

    @Override
    public SensorRegistry sensorRegistry() {
        return registryPresent ? registry : null;
    }

    @Override
    public SensorConnections sensorConnections() {
        return connections;
    }

    @Override
    public Messaging messaging() {
        return messaging;
    }
}
