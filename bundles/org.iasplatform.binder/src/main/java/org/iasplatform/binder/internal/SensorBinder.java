package org.iasplatform.binder.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.iasplatform.api.deploy.BoundSensor;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.NotAJsonObjectException;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.validation.ValidationError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The sensor binder's work for one message of {@link Topics#PM_TO_SENSOR_BINDER} (docs/pipeline-messages.md).
 * <ul>
 * <li>{@code start}: binds every {@code sensor_info} entry of the deployment to one registered sensor instance of the
 * entry's type whose fields match every key/value of every object of its {@code filter_sensors} (merged); among several,
 * the first by id. The same sensor may be bound by many jobs. The binding is stored in {@code binding_db.sensor_map} (its
 * ObjectId is the instance id) before the start, with {@code instance_id} and {@code sensors}, is published to
 * {@link Topics#SENSOR_BINDER_TO_SCHEDULER}. A redelivered start reuses the job's stored binding. When any entry cannot be
 * bound, nothing is stored or forwarded: a refusal ({@code status: unprocessable}, one error per entry) goes to
 * {@link Topics#DEPLOYMENT_EVENTS}.</li>
 * <li>{@code stop}, {@code run}: forwarded unchanged, so that they stay behind the job's start in its partition.</li>
 * </ul>
 * A handler exception (store or broker unreachable) leaves the message uncommitted: it is delivered again.
 */
final class SensorBinder {
    private static final Logger LOG = LoggerFactory.getLogger(SensorBinder.class);
    static final String SOURCE = "sensor-binder";

    private final BindingStore store;
    private final SensorRegistry registry;
    private final Messaging messaging;
    private final ObjectMapper mapper;
    private final Clock clock;

    SensorBinder(BindingStore store, SensorRegistry registry, Messaging messaging, ObjectMapper mapper, Clock clock) {
        this.store = store;
        this.registry = registry;
        this.messaging = messaging;
        this.mapper = mapper;
        this.clock = clock;
    }

    /** Handles one message of {@link Topics#PM_TO_SENSOR_BINDER}. */
    void handle(Message message) throws Exception {
        JsonNode request;
        try {
            request = message.jsonObject(mapper);
        } catch (NotAJsonObjectException e) {
            LOG.warn("Dropping message {}: {}", message.position(), e.getMessage());
            return;
        }
        String op = request.path("op").asText();
        switch (op) {
            case "start" -> start(message, (ObjectNode) request);
            case "stop", "run" -> forward(message, request);
            default -> LOG.warn("Dropping message {} with unknown op '{}'", message.key(), op);
        }
    }

    private void start(Message message, ObjectNode request) throws Exception {
        String jobId = request.path("job_id").asText("");
        if (jobId.isEmpty()) {
            refuse(request, List.of(new ValidationError("job_id", "the start names no job_id; expected the job id the "
                    + "platform manager assigned")));
            return;
        }
        JsonNode deploy = request.path("deploy");
        Optional<BindingStore.Binding> existing = store.byJob(jobId);
        BindingStore.Binding binding;
        if (existing.isPresent()) {
            binding = existing.get(); // a redelivered start: the first binding stands
            LOG.debug("Job {} is bound already as instance {}", jobId, binding.instanceId());
        } else {
            List<ValidationError> errors = new ArrayList<>();
            List<BoundSensor> sensors = bind(deploy.get("sensor_info"), errors);
            if (!errors.isEmpty()) {
                refuse(request, errors);
                return;
            }
            binding = store.insertOrGet(jobId, deploy.path("application_name").asText(null),
                    deploy.path("algorithm_name").asText(null), sensors, clock.instant());
        }
        ObjectNode out = mapper.createObjectNode();
        out.set("request_id", orNull(request.get("request_id")));
        out.put("op", "start");
        out.put("job_id", jobId);
        out.put("instance_id", binding.instanceId());
        out.set("deploy", orNull(request.get("deploy")));
        out.set("app", orNull(request.get("app")));
        out.set("sensors", mapper.valueToTree(binding.sensors()));
        out.set("requested_at", orNull(request.get("requested_at")));
        publish(Topics.SENSOR_BINDER_TO_SCHEDULER, jobId, out.toString());
        LOG.info("Job {} ({}/{}) bound as instance {} to {}", jobId, deploy.path("application_name").asText(),
                deploy.path("algorithm_name").asText(), binding.instanceId(),
                binding.sensors().stream().map(BoundSensor::sensorInstanceId).toList());
    }

    /** Binds every entry; an entry that cannot be bound adds an error (at {@code /sensor_info/<i>}) instead. */
    List<BoundSensor> bind(JsonNode sensorInfo, List<ValidationError> errors) {
        List<BoundSensor> sensors = new ArrayList<>();
        if (sensorInfo == null || sensorInfo.isNull() || sensorInfo.isMissingNode()) {
            return sensors; // an algorithm without input sensors
        }
        if (!sensorInfo.isArray()) {
            errors.add(new ValidationError("/sensor_info", "sensor_info is a " + sensorInfo.getNodeType().name().toLowerCase()
                    + "; expected a list of {\"sensor_type\", \"filter_sensors\"} entries"));
            return sensors;
        }
        for (int i = 0; i < sensorInfo.size(); i++) {
            BoundSensor bound = bindEntry(i, sensorInfo.get(i), errors);
            if (bound != null) {
                sensors.add(bound);
            }
        }
        return sensors;
    }

    /** The sensor entry {@code i} binds to, or null after adding the reason to {@code errors}. */
    private BoundSensor bindEntry(int i, JsonNode entry, List<ValidationError> errors) {
        String path = "/sensor_info/" + i;
        String type = entry.path("sensor_type").asText("");
        if (type.isEmpty()) {
            errors.add(new ValidationError(path, "sensor_info entry " + i + " names no sensor_type; expected the name of "
                    + "a registered sensor type"));
            return null;
        }
        Map<String, String> filter = new LinkedHashMap<>();
        List<String> conflicts = new ArrayList<>();
        JsonNode filters = entry.path("filter_sensors");
        List<JsonNode> objects = new ArrayList<>();
        if (filters.isArray()) {
            filters.forEach(objects::add);
        } else if (filters.isObject()) {
            objects.add(filters);
        }
        for (JsonNode object : objects) {
            object.fields().forEachRemaining(e -> {
                String value = e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString();
                String before = filter.putIfAbsent(e.getKey(), value);
                if (before != null && !before.equals(value)) {
                    conflicts.add("\"" + e.getKey() + "\" is both \"" + before + "\" and \"" + value + "\"");
                }
            });
        }
        if (!conflicts.isEmpty()) {
            errors.add(new ValidationError(path, "the filter_sensors of sensor_info entry " + i + " (type \"" + type
                    + "\") contradict each other: " + String.join(", ", conflicts) + "; no sensor can match both; "
                    + "expected one value per key"));
            return null;
        }
        if (registry.sensorType(type).isEmpty()) {
            errors.add(new ValidationError(path, "sensor type \"" + type + "\" is not registered; expected a registered "
                    + "sensor type with at least one instance matching " + describe(filter)));
            return null;
        }
        Map<String, String> tags = new LinkedHashMap<>(filter);
        tags.keySet().removeAll(SensorInstance.RESERVED_FIELDS); // matched below, against the instance's own fields
        Optional<SensorInstance> first = registry.sensorInstances(type, tags).stream()
                .filter(s -> type.equals(s.sensorType()) && matches(s, filter))
                .min(Comparator.comparing(SensorInstance::id));
        if (first.isEmpty()) {
            errors.add(new ValidationError(path, "no registered sensor instance of type \"" + type + "\" matches "
                    + describe(filter) + "; expected at least one " + type + " instance having "
                    + (filter.isEmpty() ? "any tags" : "every one of these key/values")
                    + " (register one with sensorInstance.json, or change filter_sensors)"));
            return null;
        }
        SensorInstance s = first.get();
        return new BoundSensor(i, s.id(), s.sensorType(), s.dataTopic(), s.controlTopic());
    }

    /**
     * Whether the instance has every key/value of the filter: tags, or its own fields ({@code ip}, {@code port}, {@code id}
     * …) in the flat form the seed stores.
     */
    static boolean matches(SensorInstance instance, Map<String, String> filter) {
        ObjectNode flat = instance.toJson();
        for (Map.Entry<String, String> e : filter.entrySet()) {
            String key = switch (e.getKey()) {
                case "_id", "sensor_instance_id" -> "id";
                default -> e.getKey();
            };
            JsonNode actual = flat.get(key);
            if (actual == null || actual.isNull() || !e.getValue().equals(actual.asText())) {
                return false;
            }
        }
        return true;
    }

    private String describe(Map<String, String> filter) {
        if (filter.isEmpty()) {
            return "an empty filter";
        }
        try {
            return "filter " + mapper.writeValueAsString(filter);
        } catch (JsonProcessingException e) {
            return "filter " + filter;
        }
    }

    private void forward(Message message, JsonNode request) throws Exception {
        String key = message.key() != null ? message.key() : request.path("job_id").asText(null);
        publish(Topics.SENSOR_BINDER_TO_SCHEDULER, key, message.value());
        LOG.info("Job {}: {} forwarded to the scheduler", key, request.path("op").asText());
    }

    private void refuse(JsonNode request, List<ValidationError> errors) throws Exception {
        ObjectNode event = mapper.createObjectNode();
        String requestId = request.path("request_id").asText("");
        event.put("request_id", requestId);
        event.set("job_id", orNull(request.get("job_id")));
        event.put("source", SOURCE);
        event.put("status", "unprocessable");
        ArrayNode list = event.putArray("errors");
        for (ValidationError e : errors) {
            list.addObject().put("path", e.path()).put("message", e.message());
        }
        event.putNull("instance_id");
        event.putNull("state");
        event.putNull("next_run");
        String key = requestId.isEmpty() ? request.path("job_id").asText(null) : requestId;
        publish(Topics.DEPLOYMENT_EVENTS, key, event.toString());
        LOG.info("Job {} refused: {}", request.path("job_id").asText(), errors);
    }

    private static JsonNode orNull(JsonNode node) {
        return node == null ? NullNode.getInstance() : node;
    }

    private void publish(String topic, String key, String json) throws Exception {
        // Wait for the broker's acknowledgement: only then may the request be committed.
        messaging.publish(topic, key, json).toCompletableFuture().get();
    }
}
