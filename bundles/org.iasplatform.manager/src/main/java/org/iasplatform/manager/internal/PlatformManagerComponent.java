package org.iasplatform.manager.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.manager.PlatformManager;
import org.iasplatform.api.manager.RegistrationOutcome;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.ControlCommand;
import org.iasplatform.api.sensor.ControlFunction;
import org.iasplatform.api.sensor.FieldType;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorType;
import org.iasplatform.api.validation.ConfigKind;
import org.iasplatform.api.validation.ConfigValidator;
import org.iasplatform.api.validation.ValidationError;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The platform manager: the one way configuration enters the pipeline. Validates with every {@link ConfigValidator} of the
 * kind (whiteboard: a validator bundle installed at runtime applies at once), refuses with every error found, publishes to
 * the seed's topics, and waits (bounded) for the sensor registry's outcome.
 */
@Component(service = PlatformManager.class, immediate = true, configurationPid = "org.iasplatform.manager",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = PlatformManagerComponent.Config.class)
public class PlatformManagerComponent implements PlatformManager {

    @ObjectClassDefinition(name = "IAS platform manager", description = "Entry point of configuration into the pipeline.")
    public @interface Config {
        @AttributeDefinition(name = "Pipeline time-out (s)", description = "How long a call waits for the pipeline's outcome before answering 'accepted, pending'.")
        int pipeline__timeout__seconds() default 15;

        @AttributeDefinition(name = "Items per request", description = "Most sensor types or instances accepted in one request.")
        int max__items() default 1000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(PlatformManagerComponent.class);

    private final Messaging messaging;
    private final SensorRegistry registry;
    /** Thread-safe once configured; shared by every call. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ValidatorWhiteboard validators = new ValidatorWhiteboard();
    private final PendingRequests pending = new PendingRequests();
    private final long timeoutMillis;
    private final int maxItems;
    private final Subscription outcomes;

    @Activate
    public PlatformManagerComponent(@Reference Messaging messaging, @Reference SensorRegistry registry, Config config) {
        this.messaging = messaging;
        this.registry = registry;
        this.timeoutMillis = TimeUnit.SECONDS.toMillis(config.pipeline__timeout__seconds());
        this.maxItems = config.max__items();
        this.outcomes = messaging.follow(List.of(Topics.SENSOR_REGISTRY_EVENTS), message -> {
            JsonNode event = JSON.readTree(message.value());
            pending.complete(event.path("request_id").asText(), event);
        });
    }

    @Deactivate
    void deactivate() {
        outcomes.close();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addValidator(ConfigValidator validator, Map<String, Object> properties) {
        validators.add(validator, properties);
        LOG.info("Config validator {} in force for {}", validator.getClass().getName(), properties.get(ConfigValidator.PROPERTY_KIND));
    }

    void removeValidator(ConfigValidator validator) {
        validators.remove(validator);
    }

    @Override
    public RegistrationOutcome<String> registerSensorTypes(JsonNode document) throws IasException {
        List<DocumentForms.Item> items = DocumentForms.split(document, "sensor_type_list", "sensor type", maxItems);
        validate(ConfigKind.SENSOR_TYPE, items);
        List<SensorType> types = new ArrayList<>();
        List<ValidationError> errors = new ArrayList<>();
        boolean conflict = false;
        Set<String> names = new HashSet<>();
        for (DocumentForms.Item item : items) {
            SensorType type = read(item, SensorType.class);
            if (!names.add(type.name())) {
                errors.add(new ValidationError(item.pointer() + "/sensor_type_name", "sensor type \"" + type.name()
                        + "\" is given twice in this request; expected each name once"));
            }
            if (registry.sensorType(type.name()).filter(existing -> !existing.equals(type)).isPresent()) {
                conflict = true;
                errors.add(new ValidationError(item.pointer() + "/sensor_type_name", "sensor type \"" + type.name()
                        + "\" is already registered with a different definition; delete it first or use another name"));
            }
            types.add(type);
        }
        refuseIf(errors, conflict ? ErrorKind.CONFLICT : ErrorKind.INVALID);
        ObjectNode request = request("register");
        request.set("sensor_types", JSON.valueToTree(types));
        return register(Topics.PM_TO_SENSOR_TYPE_REG, request, items, "sensor_types", JsonNode::asText);
    }

    @Override
    public void deleteSensorType(String name) throws IasException {
        if (registry.sensorType(name).isEmpty()) {
            throw new IasException(ErrorKind.NOT_FOUND, "name", "sensor type \"" + name + "\" is not registered");
        }
        ObjectNode request = request("delete");
        request.put("name", name);
        requireCompleted(roundTrip(Topics.PM_TO_SENSOR_TYPE_REG, request, List.of()), request);
    }

    @Override
    public RegistrationOutcome<SensorInstance> registerSensorInstances(JsonNode document) throws IasException {
        List<DocumentForms.Item> items = DocumentForms.split(document, "sensor_instance_list", "sensor instance", maxItems);
        validate(ConfigKind.SENSOR_INSTANCE, items);
        List<ValidationError> unregistered = new ArrayList<>();
        List<ValidationError> duplicates = new ArrayList<>();
        Map<String, SensorInstance> instances = new LinkedHashMap<>();
        Map<String, Boolean> typeRegistered = new HashMap<>(); // one store look-up per type, not per instance
        for (DocumentForms.Item item : items) {
            SensorInstance instance = toInstance(item.node());
            if (!typeRegistered.computeIfAbsent(instance.sensorType(), t -> registry.sensorType(t).isPresent())) {
                unregistered.add(new ValidationError(item.pointer() + "/sensor_type", "sensor type \"" + instance.sensorType()
                        + "\" is not registered; register it first (POST /sensor-types) or use a registered type"));
            }
            if (instances.put(instance.id(), instance) != null) {
                duplicates.add(new ValidationError(item.pointer(), "the device " + instance.ip() + ":" + instance.port()
                        + " of type " + instance.sensorType() + " is given twice in this request; expected it once"));
            }
        }
        refuseIf(duplicates, ErrorKind.INVALID);
        refuseIf(unregistered, ErrorKind.UNPROCESSABLE);
        ObjectNode request = request("register");
        ArrayNode list = request.putArray("sensor_instances");
        instances.values().forEach(i -> list.add(i.toJson()));
        return register(Topics.PM_TO_SENSOR_INS_REG, request, items, "sensor_instances", SensorInstance::fromJson);
    }

    /** Sends a registration and reads what the registry registered from its outcome's {@code field}. */
    private <T> RegistrationOutcome<T> register(String topic, ObjectNode request, List<DocumentForms.Item> items, String field,
            Function<JsonNode, T> read) throws IasException {
        String requestId = request.path("request_id").asText();
        JsonNode outcome = roundTrip(topic, request, items);
        if (outcome == null) {
            return new RegistrationOutcome<>(requestId, false, List.of());
        }
        List<T> registered = new ArrayList<>();
        outcome.path(field).forEach(n -> registered.add(read.apply(n)));
        return new RegistrationOutcome<>(requestId, true, registered);
    }

    @Override
    public void deleteSensorInstance(String id) throws IasException {
        if (registry.sensorInstance(id).isEmpty()) {
            throw new IasException(ErrorKind.NOT_FOUND, "id", "sensor instance \"" + id + "\" is not registered");
        }
        ObjectNode request = request("delete");
        request.put("id", id);
        requireCompleted(roundTrip(Topics.PM_TO_SENSOR_INS_REG, request, List.of()), request);
    }

    @Override
    public void sendControl(String sensorInstanceId, ControlCommand command) throws IasException {
        SensorInstance instance = registry.sensorInstance(sensorInstanceId).orElseThrow(() -> new IasException(
                ErrorKind.NOT_FOUND, "id", "sensor instance \"" + sensorInstanceId + "\" is not registered"));
        SensorType type = registry.sensorType(instance.sensorType()).orElseThrow(() -> new IasException(
                ErrorKind.UNPROCESSABLE, "id", "the type \"" + instance.sensorType() + "\" of this instance is no longer registered"));
        List<ValidationError> errors = type.checkControl(command);
        refuseIf(errors, ErrorKind.INVALID);
        try {
            messaging.publish(instance.controlTopic(), instance.id(), JSON.writeValueAsString(command)).toCompletableFuture()
                    .get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        } catch (ExecutionException | TimeoutException | JsonProcessingException e) {
            throw unavailable(e);
        }
    }

    /** The instance id of a device: the same type, address and port always give the same id. */
    static String instanceId(String type, String ip, int port) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((type + "|" + ip + "|" + port).getBytes(StandardCharsets.UTF_8));
            return "si-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private SensorInstance toInstance(JsonNode node) {
        String type = node.path("sensor_type").asText();
        String ip = node.path("ip").asText();
        int port = Integer.parseInt(node.path("port").asText().trim());
        JsonNode fields = node.get("no_of_fields");
        Map<String, String> tags = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            if (!SensorInstance.RESERVED_FIELDS.contains(e.getKey())) {
                tags.put(e.getKey(), e.getValue().asText());
            }
        });
        String id = instanceId(type, ip, port);
        return new SensorInstance(id, type, ip, port, fields == null || fields.isNull() ? null : fields.asInt(), tags,
                Topics.dataTopic(id), Topics.controlTopic(id));
    }

    private void validate(ConfigKind kind, List<DocumentForms.Item> items) throws IasException {
        if (validators.count(kind) == 0) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", "no validator for " + kind.id()
                    + " is installed, so nothing can be accepted; install the ias-platform feature's validation bundle");
        }
        List<ValidationError> errors = new ArrayList<>();
        for (DocumentForms.Item item : items) {
            if (!item.node().isObject()) {
                errors.add(new ValidationError(item.pointer(), "expected a " + kind.id() + " object; got "
                        + item.node().getNodeType().toString().toLowerCase()));
            } else {
                errors.addAll(validators.validate(kind, item.pointer(), item.node()));
            }
        }
        refuseIf(errors, ErrorKind.INVALID);
    }

    private <T> T read(DocumentForms.Item item, Class<T> type) throws IasException {
        try {
            return JSON.treeToValue(item.node(), type);
        } catch (JsonProcessingException e) {
            throw new IasException(ErrorKind.INVALID, item.pointer(), e.getOriginalMessage());
        }
    }

    private static void refuseIf(List<ValidationError> errors, ErrorKind kind) throws IasException {
        if (!errors.isEmpty()) {
            throw new IasException(kind, errors);
        }
    }

    private ObjectNode request(String op) {
        ObjectNode request = JSON.createObjectNode();
        request.put("request_id", pending.newRequestId());
        request.put("op", op);
        return request;
    }

    /**
     * Publishes a request and waits for the registry's outcome. Returns null when the outcome did not come in time (the
     * request is accepted and under way); throws the refusal the registry answered with, its paths placed in the caller's
     * document.
     */
    private JsonNode roundTrip(String topic, ObjectNode request, List<DocumentForms.Item> items) throws IasException {
        String requestId = request.path("request_id").asText();
        CompletableFuture<JsonNode> outcome = pending.register(requestId);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            messaging.publish(topic, requestId, JSON.writeValueAsString(request)).toCompletableFuture()
                    .get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            pending.forget(requestId);
            Thread.currentThread().interrupt();
            throw unavailable(e);
        } catch (ExecutionException | TimeoutException | JsonProcessingException e) {
            pending.forget(requestId);
            throw unavailable(e);
        }
        JsonNode event;
        try {
            event = outcome.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.forget(requestId);
            LOG.warn("Request {} on {} accepted; no outcome within {} ms", requestId, topic, timeoutMillis);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            throw unavailable(e);
        }
        String status = event.path("status").asText();
        if ("ok".equals(status)) {
            return event;
        }
        List<ValidationError> errors = new ArrayList<>();
        event.path("errors").forEach(e -> errors.add(new ValidationError(relocate(e.path("path").asText(), items),
                e.path("message").asText())));
        ErrorKind kind = switch (status) {
            case "conflict" -> ErrorKind.CONFLICT;
            case "not_found" -> ErrorKind.NOT_FOUND;
            case "unprocessable" -> ErrorKind.UNPROCESSABLE;
            default -> ErrorKind.INVALID;
        };
        throw new IasException(kind, errors);
    }

    /** Maps a registry path "/<i>/field" (index into the request's list) onto the caller's document. */
    private static String relocate(String path, List<DocumentForms.Item> items) {
        if (!path.startsWith("/")) {
            return path;
        }
        int end = path.indexOf('/', 1);
        String index = end < 0 ? path.substring(1) : path.substring(1, end);
        try {
            int i = Integer.parseInt(index);
            if (i >= 0 && i < items.size()) {
                return items.get(i).pointer() + (end < 0 ? "" : path.substring(end));
            }
        } catch (NumberFormatException e) {
            // not an index: keep the path as it is
        }
        return path;
    }

    private static void requireCompleted(JsonNode outcome, ObjectNode request) throws IasException {
        if (outcome == null) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", "request " + request.path("request_id").asText()
                    + " was accepted but the sensor registry did not answer in time; check again shortly");
        }
    }

    private static IasException unavailable(Exception cause) {
        Throwable root = cause instanceof ExecutionException && cause.getCause() != null ? cause.getCause() : cause;
        LOG.warn("Message bus unavailable: {}", root.toString());
        return new IasException(ErrorKind.UNAVAILABLE, "", "the message bus (Kafka) did not accept the request: "
                + root.getMessage() + "; nothing was registered, try again when the platform's health is UP");
    }
}
