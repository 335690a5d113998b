package org.iasplatform.sensor.registry.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Does the registry's work for one pipeline message and publishes its outcome to {@link Topics#SENSOR_REGISTRY_EVENTS}.
 * Idempotent: a redelivered message finds its own earlier work already stored and reports the same outcome. A request is
 * all or nothing: when any item is refused, nothing of it is stored.
 */
final class RegistrationHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RegistrationHandler.class);

    private final SensorStore store;
    private final Messaging messaging;
    private final ObjectMapper mapper;

    RegistrationHandler(SensorStore store, Messaging messaging, ObjectMapper mapper) {
        this.store = store;
        this.messaging = messaging;
        this.mapper = mapper;
    }

    /** Handles a message of {@link Topics#PM_TO_SENSOR_TYPE_REG}. */
    void handleTypeMessage(Message message) throws Exception {
        JsonNode request = mapper.readTree(message.value());
        String op = request.path("op").asText();
        ObjectNode event = event(request, "sensor-type");
        ArrayNode names = event.putArray("sensor_types");
        ArrayNode errors = event.putArray("errors");
        if ("register".equals(op)) {
            List<SensorType> types = new ArrayList<>();
            JsonNode items = request.path("sensor_types");
            for (int i = 0; i < items.size(); i++) {
                SensorType type = mapper.treeToValue(items.get(i), SensorType.class);
                Optional<SensorType> existing = store.type(type.name());
                if (existing.isPresent() && !existing.get().equals(type)) {
                    errors.addObject().put("path", "/" + i + "/sensor_type_name").put("message", "sensor type \""
                            + type.name() + "\" is already registered with a different definition; delete it first or use another name");
                }
                types.add(type);
            }
            if (errors.isEmpty()) {
                store.saveTypes(types);
                types.forEach(t -> names.add(t.name()));
                event.put("status", "ok");
            } else {
                event.put("status", "conflict");
            }
        } else if ("delete".equals(op)) {
            String name = request.path("name").asText();
            long inUse;
            if (store.type(name).isEmpty()) {
                event.put("status", "not_found");
                errors.addObject().put("path", "name").put("message", "sensor type \"" + name + "\" is not registered");
            } else if ((inUse = store.countInstancesOfType(name)) > 0) {
                event.put("status", "conflict");
                errors.addObject().put("path", "name").put("message", "sensor type \"" + name + "\" still has " + inUse
                        + " registered instance(s); delete them first");
            } else {
                store.deleteType(name);
                names.add(name);
                event.put("status", "ok");
            }
        } else {
            LOG.warn("Ignoring sensor type message {} with unknown op '{}'", message.key(), op);
            return;
        }
        publish(message.key(), event);
    }

    /** Handles a message of {@link Topics#PM_TO_SENSOR_INS_REG}. */
    void handleInstanceMessage(Message message) throws Exception {
        JsonNode request = mapper.readTree(message.value());
        String op = request.path("op").asText();
        ObjectNode event = event(request, "sensor-instance");
        ArrayNode done = event.putArray("sensor_instances");
        ArrayNode errors = event.putArray("errors");
        if ("register".equals(op)) {
            List<SensorInstance> instances = new ArrayList<>();
            JsonNode items = request.path("sensor_instances");
            String status = "ok";
            Map<String, Boolean> typeRegistered = new HashMap<>(); // one store look-up per type, not per instance
            for (int i = 0; i < items.size(); i++) {
                SensorInstance instance = SensorInstance.fromJson(items.get(i));
                Optional<SensorInstance> existing = store.instance(instance.id());
                if (!typeRegistered.computeIfAbsent(instance.sensorType(), t -> store.type(t).isPresent())) {
                    status = "unprocessable";
                    errors.addObject().put("path", "/" + i + "/sensor_type").put("message", "sensor type \""
                            + instance.sensorType() + "\" is not registered; register the type first");
                } else if (existing.isPresent() && !existing.get().equals(instance)) {
                    status = "unprocessable".equals(status) ? status : "conflict";
                    errors.addObject().put("path", "/" + i).put("message", "a " + instance.sensorType() + " at "
                            + instance.ip() + ":" + instance.port() + " is already registered (" + instance.id()
                            + ") with other tags; delete it first to change them");
                }
                instances.add(instance);
            }
            if (errors.isEmpty()) {
                // every topic first, then every instance in one write: a broker or store failure on the way leaves
                // none of the request's instances stored (the message comes again and the request is done whole)
                List<String> topics = new ArrayList<>();
                instances.forEach(i -> topics.addAll(List.of(i.dataTopic(), i.controlTopic())));
                messaging.ensureTopics(topics);
                store.saveInstances(instances);
                instances.forEach(i -> done.add(i.toJson()));
            }
            event.put("status", status);
        } else if ("delete".equals(op)) {
            String id = request.path("id").asText();
            Optional<SensorInstance> existing = store.instance(id);
            if (existing.isEmpty()) {
                event.put("status", "not_found");
                errors.addObject().put("path", "id").put("message", "sensor instance \"" + id + "\" is not registered");
            } else {
                store.deleteInstance(id);
                deleteTopicsQuietly(existing.get());
                done.add(existing.get().toJson());
                event.put("status", "ok");
            }
        } else {
            LOG.warn("Ignoring sensor instance message {} with unknown op '{}'", message.key(), op);
            return;
        }
        publish(message.key(), event);
    }

    private void deleteTopicsQuietly(SensorInstance instance) {
        try {
            messaging.deleteTopics(List.of(instance.dataTopic(), instance.controlTopic()));
        } catch (MessagingException e) {
            LOG.warn("Sensor instance {} deleted, but its topics could not be deleted: {}", instance.id(), e.getMessage());
        }
    }

    private ObjectNode event(JsonNode request, String kind) {
        ObjectNode event = mapper.createObjectNode();
        event.put("request_id", request.path("request_id").asText());
        event.put("kind", kind);
        event.put("op", request.path("op").asText());
        return event;
    }

    private void publish(String key, ObjectNode event) throws Exception {
        // Wait for the broker's acknowledgement: only then may the request message be committed.
        messaging.publish(Topics.SENSOR_REGISTRY_EVENTS, key, mapper.writeValueAsString(event)).toCompletableFuture().get();
        LOG.info("sensor registry: {} {} {} -> {}", event.path("kind").asText(), event.path("op").asText(), key,
                event.path("status").asText());
    }
}
