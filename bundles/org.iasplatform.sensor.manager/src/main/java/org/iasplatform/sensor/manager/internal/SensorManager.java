package org.iasplatform.sensor.manager.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.ConnectionState;
import org.iasplatform.api.sensor.ControlCommand;
import org.iasplatform.api.sensor.Reading;
import org.iasplatform.api.sensor.SensorConnection;
import org.iasplatform.api.sensor.SensorConnections;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorStatus;
import org.iasplatform.api.sensor.SensorType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The sensor manager's core, free of OSGi: keeps every registered instance connected through the driver chosen for its
 * type, validates and publishes readings, and delivers control commands.
 * <p>
 * Lifecycle changes (drivers, instances) are serialised by one lock; driver callbacks (readings, state) and control
 * commands never take it, so a slow or misbehaving device only affects its own instance.
 */
final class SensorManager implements SensorConnections {
    private static final Logger LOG = LoggerFactory.getLogger(SensorManager.class);
    private static final long PUBLISH_WARN_INTERVAL_MS = 10_000;

    /** Settings from the component's configuration. */
    record Settings(String controlGroup, long retryMs) {
        Settings {
            controlGroup = controlGroup == null || controlGroup.isBlank() ? "ias-sensor-manager-control" : controlGroup;
            retryMs = Math.max(10, retryMs);
        }
    }

    private final Messaging messaging;
    private final SensorRegistry registry;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Object lock = new Object();
    /** Guarded by {@link #lock}: the drivers by service id. */
    private final Map<Long, DriverEntry> drivers = new LinkedHashMap<>();
    /** Modified under {@link #lock}; read freely. */
    private final Map<String, InstanceSlot> slots = new ConcurrentHashMap<>();
    /** Guarded by {@link #lock}: ids deleted by events while the initial list was being loaded. */
    private final Set<String> deletedWhileLoading = new HashSet<>();
    /** Guarded by {@link #lock}. */
    private boolean loaded;
    /** Guarded by {@link #lock}. */
    private boolean stopped;
    private final Map<String, Long> lastPublishWarning = new ConcurrentHashMap<>();

    private Settings settings;
    private ScheduledExecutorService executor;
    private volatile Subscription events;
    private volatile Subscription control;

    SensorManager(Messaging messaging, SensorRegistry registry) {
        this.messaging = Objects.requireNonNull(messaging);
        this.registry = Objects.requireNonNull(registry);
    }

    /** Starts following registry events, loads the registered instances and subscribes to control topics, retrying. */
    void start(Settings settings) {
        this.settings = settings;
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ias-sensor-manager");
            t.setDaemon(true);
            return t;
        });
        executor.execute(this::startup);
        executor.scheduleWithFixedDelay(this::repairQuietly, settings.retryMs(), settings.retryMs(), TimeUnit.MILLISECONDS);
    }

    /** Whether the initial instance list is loaded and control topics are subscribed. */
    boolean isStarted() {
        return control != null;
    }

    private void startup() {
        try {
            if (events == null) {
                // follow first, so that nothing registered or deleted while the list is loaded is missed
                events = keepUnlessStopped(messaging.follow(List.of(Topics.SENSOR_REGISTRY_EVENTS), this::onRegistryEvent));
            }
            if (!isLoaded()) {
                List<SensorInstance> instances = registry.sensorInstances(null, Map.of());
                synchronized (lock) {
                    if (stopped) {
                        return;
                    }
                    for (SensorInstance instance : instances) {
                        if (!deletedWhileLoading.contains(instance.id())) {
                            upsert(instance);
                        }
                    }
                    deletedWhileLoading.clear();
                    loaded = true;
                }
                LOG.info("Sensor manager serves {} registered sensor instances", instances.size());
            }
            if (control == null) {
                control = keepUnlessStopped(messaging.subscribe(settings.controlGroup(),
                        Pattern.compile(Topics.controlTopicPattern()), this::onControl));
            }
        } catch (Exception e) {
            if (isStopped()) {
                return;
            }
            LOG.warn("Sensor manager could not start yet (retrying in {} ms): {}", settings.retryMs(), e.toString());
            try {
                executor.schedule(this::startup, settings.retryMs(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException rejected) {
                // stopping
            }
        }
    }

    /** Returns the subscription, or closes it and throws if the manager was stopped meanwhile. */
    private Subscription keepUnlessStopped(Subscription subscription) {
        synchronized (lock) {
            if (!stopped) {
                return subscription;
            }
        }
        closeQuietly(subscription);
        throw new IllegalStateException("stopped");
    }

    private boolean isStopped() {
        synchronized (lock) {
            return stopped;
        }
    }

    private boolean isLoaded() {
        synchronized (lock) {
            return loaded;
        }
    }

    /** Stops consuming, closes every connection. */
    void stop() {
        synchronized (lock) {
            stopped = true;
        }
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeQuietly(control);
        closeQuietly(events);
        synchronized (lock) {
            for (InstanceSlot slot : slots.values()) {
                disconnect(slot);
            }
            slots.clear();
        }
    }

    // ---------------------------------------------------------------- drivers

    void driverAdded(DriverEntry entry) {
        synchronized (lock) {
            drivers.put(entry.serviceId(), entry);
            LOG.info("Sensor driver {} (service {}) for {} ranking {}", entry.name(), entry.serviceId(), entry.types(),
                    entry.ranking());
            reconnectChanged();
        }
    }

    void driverModified(DriverEntry entry) {
        synchronized (lock) {
            drivers.put(entry.serviceId(), entry);
            // same service: its instances keep their connection unless they now choose another driver
            for (InstanceSlot slot : slots.values()) {
                DriverEntry current = slot.driver;
                if (current != null && current.serviceId() == entry.serviceId()) {
                    slot.driver = entry;
                }
            }
            reconnectChanged();
        }
    }

    void driverRemoved(long serviceId) {
        synchronized (lock) {
            DriverEntry removed = drivers.remove(serviceId);
            if (removed != null) {
                LOG.info("Sensor driver {} (service {}) gone", removed.name(), serviceId);
                reconnectChanged();
            }
        }
    }

    /** Reconnects the instances whose chosen driver changed, and only those. Under {@link #lock}. */
    private void reconnectChanged() {
        for (InstanceSlot slot : slots.values()) {
            DriverEntry chosen = DriverEntry.choose(drivers.values(), slot.instance.sensorType()).orElse(null);
            DriverEntry current = slot.driver;
            boolean same = chosen == null ? current == null : current != null && current.serviceId() == chosen.serviceId();
            if (!same) {
                disconnect(slot);
                connect(slot, chosen);
            }
        }
    }

    // ---------------------------------------------------------------- instances

    /** Adds or updates an instance, connecting it unless it is already served as it is. Under {@link #lock}. */
    private void upsert(SensorInstance instance) {
        if (stopped) {
            return;
        }
        InstanceSlot slot = slots.get(instance.id());
        if (slot == null) {
            slot = new InstanceSlot(instance);
            slots.put(instance.id(), slot);
        } else {
            SensorInstance old = slot.instance;
            boolean sameDevice = old.sensorType().equals(instance.sensorType()) && old.ip().equals(instance.ip())
                    && old.port() == instance.port();
            slot.instance = instance;
            if (sameDevice && slot.type != null && slot.context != null) {
                return; // already served as registered (e.g. a redelivered event): tags updated, nothing else
            }
            disconnect(slot);
        }
        connect(slot, DriverEntry.choose(drivers.values(), instance.sensorType()).orElse(null));
    }

    private void remove(String id) {
        if (!loaded) {
            deletedWhileLoading.add(id);
        }
        InstanceSlot slot = slots.remove(id);
        if (slot != null) {
            disconnect(slot);
            lastPublishWarning.remove(id);
            LOG.info("Sensor instance {} deleted: disconnected", id);
        }
    }

    /** Connects {@code slot} through {@code driver}. Under {@link #lock}. */
    private void connect(InstanceSlot slot, DriverEntry driver) {
        SensorInstance instance = slot.instance;
        slot.driver = driver;
        if (driver == null) {
            slot.state(ConnectionState.DISCONNECTED, "no driver for sensor type " + instance.sensorType());
            return;
        }
        if (slot.type == null || !slot.type.name().equals(instance.sensorType())) {
            try {
                slot.type = registry.sensorType(instance.sensorType()).orElse(null);
            } catch (RuntimeException e) {
                slot.type = null;
                slot.state(ConnectionState.DISCONNECTED, "cannot look up sensor type " + instance.sensorType() + ": " + e);
                return;
            }
            if (slot.type == null) {
                slot.state(ConnectionState.DISCONNECTED, "sensor type " + instance.sensorType() + " is not registered");
                return;
            }
        }
        ManagedContext context = new ManagedContext(slot, instance, slot.type, this::offer);
        slot.state(ConnectionState.DISCONNECTED, "connecting through " + driver.name());
        slot.context = context;
        try {
            SensorConnection connection = driver.driver().connect(context);
            if (connection == null) {
                throw new IllegalStateException("driver returned no connection");
            }
            slot.connection = connection;
            LOG.info("Sensor instance {} ({} {}:{}) served by {}", instance.id(), instance.sensorType(), instance.ip(),
                    instance.port(), driver.name());
        } catch (RuntimeException | LinkageError e) {
            context.deactivate();
            slot.context = null;
            slot.connection = null;
            slot.state(ConnectionState.DISCONNECTED, "driver " + driver.name() + " failed to connect: " + e);
            LOG.warn("Driver {} failed to connect sensor instance {}", driver.name(), instance.id(), e);
        }
    }

    /** Closes the slot's connection, if any. Under {@link #lock}. */
    private void disconnect(InstanceSlot slot) {
        ManagedContext context = slot.context;
        SensorConnection connection = slot.connection;
        slot.context = null;
        slot.connection = null;
        if (context != null) {
            context.deactivate();
        }
        if (connection != null) {
            try {
                connection.close();
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("Driver {} failed to close its connection to {}", slot.driver == null ? "?" : slot.driver.name(),
                        slot.id(), e);
            }
        }
        slot.state(ConnectionState.DISCONNECTED, "disconnected");
    }

    /** Retries the instances whose type was unknown or whose driver failed to connect. */
    void repair() {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            for (InstanceSlot slot : slots.values()) {
                if (slot.driver != null && slot.context == null) {
                    disconnect(slot);
                    connect(slot, DriverEntry.choose(drivers.values(), slot.instance.sensorType()).orElse(null));
                }
            }
        }
    }

    private void repairQuietly() {
        try {
            repair();
        } catch (RuntimeException e) {
            LOG.warn("Sensor manager repair failed", e);
        }
    }

    // ---------------------------------------------------------------- readings

    /** Validates a reading and publishes it to the instance's data topic. Called on the driver's threads. */
    private boolean offer(InstanceSlot slot, SensorInstance instance, SensorType type, Map<String, Object> data) {
        JsonNode tree;
        try {
            tree = data == null ? null : mapper.valueToTree(data);
        } catch (IllegalArgumentException e) {
            slot.rejected("reading cannot be represented as JSON: " + e.getMessage());
            return false;
        }
        String problem = ReadingValidator.problem(type, tree);
        if (problem != null) {
            slot.rejected("invalid reading: " + problem);
            return false;
        }
        long now = System.currentTimeMillis();
        String json;
        try {
            json = mapper.writeValueAsString(new Reading(instance.id(), now, data));
        } catch (Exception e) {
            slot.rejected("reading cannot be written as JSON: " + e.getMessage());
            return false;
        }
        try {
            messaging.publish(Topics.dataTopic(instance.id()), instance.id(), json).whenComplete((ok, error) -> {
                if (error == null) {
                    slot.published(now);
                } else {
                    publishFailed(slot, error);
                }
            });
        } catch (RuntimeException e) {
            publishFailed(slot, e);
            return false;
        }
        return true;
    }

    private void publishFailed(InstanceSlot slot, Throwable error) {
        slot.detail("publishing a reading failed: " + error);
        long now = System.currentTimeMillis();
        Long last = lastPublishWarning.get(slot.id());
        if (last == null || now - last > PUBLISH_WARN_INTERVAL_MS) {
            lastPublishWarning.put(slot.id(), now);
            LOG.warn("Publishing a reading of {} failed: {}", slot.id(), error.toString());
        }
    }

    // ---------------------------------------------------------------- events and control

    /** Handles one {@code sensor_registry_events} message; never throws (a bad message is logged and skipped). */
    void onRegistryEvent(Message message) {
        JsonNode event;
        try {
            event = mapper.readTree(message.value());
        } catch (Exception e) {
            LOG.warn("Ignoring malformed registry event {}: {}", message.key(), e.getMessage());
            return;
        }
        if (event == null || !"ok".equals(event.path("status").asText())) {
            return;
        }
        String kind = event.path("kind").asText();
        String op = event.path("op").asText();
        if ("sensor-instance".equals(kind)) {
            List<SensorInstance> instances = new ArrayList<>();
            for (JsonNode node : event.path("sensor_instances")) {
                if (node.isObject() && !node.path("id").asText().isEmpty()) {
                    try {
                        instances.add(SensorInstance.fromJson(node));
                    } catch (RuntimeException e) {
                        LOG.warn("Ignoring malformed sensor instance in event {}: {}", message.key(), e.toString());
                    }
                }
            }
            synchronized (lock) {
                if (stopped) {
                    return;
                }
                for (SensorInstance instance : instances) {
                    if ("register".equals(op)) {
                        deletedWhileLoading.remove(instance.id());
                        upsert(instance);
                    } else if ("delete".equals(op)) {
                        remove(instance.id());
                    }
                }
            }
        } else if ("sensor-type".equals(kind) && "register".equals(op)) {
            synchronized (lock) {
                for (InstanceSlot slot : slots.values()) {
                    if (slot.type == null && slot.driver != null) {
                        disconnect(slot);
                        connect(slot, slot.driver);
                    }
                }
            }
        }
    }

    /**
     * Hands one control command to the instance's connection. Never throws: a command that cannot be delivered is logged,
     * recorded in the instance's status and dropped.
     */
    void onControl(Message message) {
        String id = Topics.instanceOfControlTopic(message.topic());
        if (id == null || id.isEmpty()) {
            id = message.key();
        }
        InstanceSlot slot = id == null ? null : slots.get(id);
        ControlCommand command;
        try {
            command = mapper.readValue(message.value(), ControlCommand.class);
            if (command.function() == null || command.function().isBlank()) {
                throw new IllegalArgumentException("no function");
            }
        } catch (Exception e) {
            LOG.warn("Dropping malformed control command for {}: {}", id, e.getMessage());
            if (slot != null) {
                slot.detail("malformed control command dropped: " + e.getMessage());
            }
            return;
        }
        if (slot == null) {
            LOG.warn("Dropping control command {} for unknown sensor instance {}", command.function(), id);
            return;
        }
        SensorConnection connection = slot.connection;
        if (connection == null) {
            drop(slot, command, "device not connected");
            return;
        }
        try {
            connection.control(command);
            LOG.debug("Control command {} delivered to {}", command.function(), id);
        } catch (Exception | LinkageError e) {
            drop(slot, command, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static void drop(InstanceSlot slot, ControlCommand command, String reason) {
        LOG.warn("Dropping control command {} for sensor instance {}: {}", command.function(), slot.id(), reason);
        slot.detail("control command " + command.function() + " dropped: " + reason);
    }

    // ---------------------------------------------------------------- SensorConnections

    @Override
    public List<SensorStatus> statuses() {
        List<SensorStatus> result = new ArrayList<>();
        for (InstanceSlot slot : slots.values()) {
            result.add(slot.status());
        }
        result.sort(Comparator.comparing(SensorStatus::sensorInstanceId));
        return result;
    }

    @Override
    public Optional<SensorStatus> status(String sensorInstanceId) {
        InstanceSlot slot = sensorInstanceId == null ? null : slots.get(sensorInstanceId);
        return slot == null ? Optional.empty() : Optional.of(slot.status());
    }

    /** The live connection of an instance (for tests and diagnostics). */
    SensorConnection connection(String sensorInstanceId) {
        InstanceSlot slot = slots.get(sensorInstanceId);
        return slot == null ? null : slot.connection;
    }

    private static void closeQuietly(Subscription subscription) {
        if (subscription != null) {
            try {
                subscription.close();
            } catch (RuntimeException e) {
                LOG.debug("closing subscription", e);
            }
        }
    }
}
