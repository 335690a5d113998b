package org.iasplatform.rest.internal;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.deploy.BoundSensor;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceRegistry;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.ControlCommand;
import org.iasplatform.api.sensor.SensorType;
import org.iasplatform.api.validation.ValidationError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The algorithm API (API.md, "For algorithm instances"): what a running algorithm instance may do over HTTP with its own
 * bearer token. A token reaches only its own instance (another instance's id: 403) and that instance's bound sensors (an
 * index outside them: 403); a wrong or missing token is 401.
 */
public final class AlgorithmApi {
    private static final Logger LOG = LoggerFactory.getLogger(AlgorithmApi.class);
    static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);
    static final int MAX_RECIPIENT_LENGTH = 256;

    private final Services services;
    private final ObjectMapper mapper;
    private final EventStreams streams;
    /** Topics this API created (app feeds, instance logs), so each is created once, not per message. */
    private final Set<String> ensuredTopics = ConcurrentHashMap.newKeySet();

    /** A route's work once the caller is known to be the instance the path names. */
    @FunctionalInterface
    interface InstanceHandler {
        ApiResponse handle(ApiRequest request, InstanceInfo instance, String token) throws Exception;
    }

    public AlgorithmApi(Services services, ObjectMapper mapper, EventStreams streams) {
        this.services = services;
        this.mapper = mapper;
        this.streams = streams;
    }

    /** This part's routes. */
    public List<Route> routes() {
        Access token = Access.INSTANCE_TOKEN;
        String instance = "/algorithm-instances/{id}";
        String sensor = instance + "/sensors/{index}";
        return List.of(
                Route.of("GET", sensor, token, asInstance(this::sensor)),
                Route.of("GET", sensor + "/readings/stream", token, asInstance(this::readings)),
                Route.of("POST", sensor + "/control", token, asInstance(this::control)),
                Route.of("POST", instance + "/notifications", token, asInstance(this::notify)),
                Route.of("POST", instance + "/feed", token, asInstance(this::feed)),
                Route.of("POST", instance + "/log", token, asInstance(this::log)),
                Route.of("POST", "/getSensorTopic", token, request -> sensorTopic(request, false)),
                Route.of("POST", "/setSensorTopic", token, request -> sensorTopic(request, true)));
    }

    private Handler asInstance(InstanceHandler handler) {
        return request -> {
            String token = token(request);
            return handler.handle(request, authenticate(request.variable("id"), token), token);
        };
    }

    ApiResponse sensor(ApiRequest request, InstanceInfo instance, String token) throws Exception {
        BoundSensor sensor = sensorAt(instance, request.variable("index"));
        String bootstrap = Services.require(services.infrastructure(), "infrastructure (kafka endpoints)").kafkaBootstrapServers();
        ObjectNode body = mapper.createObjectNode();
        body.put("index", sensor.index());
        body.put("sensor_instance_id", sensor.sensorInstanceId());
        body.put("sensor_type", sensor.sensorType());
        body.put("data_topic", sensor.dataTopic());
        body.put("control_topic", sensor.controlTopic());
        body.put("bootstrap_servers", bootstrap);
        // the sensor's tags (bus-id, placeholder, ...): what the deploy config's filters matched
        var registry = services.sensorRegistry();
        var registered = registry == null ? java.util.Optional.<org.iasplatform.api.sensor.SensorInstance>empty()
                : registry.sensorInstance(sensor.sensorInstanceId());
        ObjectNode tags = body.putObject("tags");
        registered.ifPresent(i -> i.tags().forEach(tags::put));
        return ApiResponse.ok(body);
    }

    ApiResponse readings(ApiRequest request, InstanceInfo instance, String token) throws Exception {
        BoundSensor sensor = sensorAt(instance, request.variable("index"));
        Messaging messaging = Services.require(services.messaging(), "messaging (kafka)");
        return ApiResponse.streamed(200, streams.follow(messaging, sensor.dataTopic(), this::compactJson,
                whileRunning(instance, token), "the readings of sensor " + sensor.sensorInstanceId()));
    }

    ApiResponse control(ApiRequest request, InstanceInfo instance, String token) throws Exception {
        BoundSensor sensor = sensorAt(instance, request.variable("index"));
        sendControl(sensor, ControlBodies.parse(request.json(false), mapper, ""), "");
        return sent();
    }

    ApiResponse notify(ApiRequest request, InstanceInfo instance, String token) throws Exception {
        JsonNode body = object(request, "{\"to\": user or role, \"message\": text}");
        String to = requiredText(body, "to", "a user name or a role name to notify, e.g. \"user\"");
        if (to.length() > MAX_RECIPIENT_LENGTH) {
            throw new IasException(ErrorKind.INVALID, "/to", "the recipient is " + to.length() + " characters long; expected a "
                    + "user or role name of at most " + MAX_RECIPIENT_LENGTH);
        }
        String message = requiredText(body, "message", "the text to show to the recipient");
        ObjectNode notification = mapper.createObjectNode();
        notification.put("instance_id", instance.instanceId());
        notification.put("application_name", instance.applicationName());
        notification.put("algorithm_name", instance.algorithmName());
        notification.put("to", to);
        notification.put("message", message);
        notification.put("timestamp", System.currentTimeMillis());
        publish(Topics.NOTIFICATIONS, instance.instanceId(), notification, false);
        return sent();
    }

    ApiResponse feed(ApiRequest request, InstanceInfo instance, String token) throws Exception {
        JsonNode data = object(request, "any JSON object: the data for the application's UI");
        ObjectNode record = mapper.createObjectNode();
        record.put("instance_id", instance.instanceId());
        record.put("application_name", instance.applicationName());
        record.put("algorithm_name", instance.algorithmName());
        record.put("timestamp", System.currentTimeMillis());
        record.set("data", data);
        publish(Topics.appFeed(instance.applicationName()), instance.instanceId(), record, true);
        return sent();
    }

    ApiResponse log(ApiRequest request, InstanceInfo instance, String token) throws Exception {
        JsonNode body = object(request, "{\"line\": text}");
        JsonNode line = body.get("line");
        if (line == null || !line.isTextual()) {
            throw new IasException(ErrorKind.INVALID, "/line", "expected the text of the log line");
        }
        ObjectNode record = mapper.createObjectNode();
        record.put("instance_id", instance.instanceId());
        record.put("timestamp", System.currentTimeMillis());
        record.put("stream", "log");
        record.put("line", line.asText());
        publish(Topics.instanceLog(instance.instanceId()), instance.instanceId(), record, true);
        return sent();
    }

    /**
     * The seed's {@code POST /getSensorTopic} and {@code /setSensorTopic}: {@code {"id", "index"[, "val"]}} →
     * {@code {"data": topic}}, the data or the control topic of the bound sensor. A {@code val} that is a control command is
     * sent too (checked against the sensor type).
     */
    ApiResponse sensorTopic(ApiRequest request, boolean control) throws Exception {
        String token = token(request);
        InstanceRegistry registry = registry();
        Optional<InstanceInfo> owner = registry.authenticate(token);
        if (owner.isEmpty()) {
            throw notAuthenticated();
        }
        JsonNode body = object(request, "{\"id\": instance id, \"index\": n" + (control ? ", \"val\": control command or null" : "")
                + "}");
        JsonNode idNode = body.get("id");
        String id;
        if (idNode == null || idNode.isNull()) {
            id = owner.get().instanceId();
        } else if (idNode.isTextual() || idNode.canConvertToExactIntegral()) {
            id = idNode.asText();
        } else {
            throw new IasException(ErrorKind.INVALID, "/id", "expected the instance id (the first argument the instance was "
                    + "started with)");
        }
        InstanceInfo instance = authenticate(id, token);
        JsonNode index = body.get("index");
        if (index == null || !(index.isTextual() || index.canConvertToExactIntegral())) {
            throw new IasException(ErrorKind.INVALID, "/index", "expected the sensor's place in the deploy config's "
                    + "sensor_info, a whole number from 0");
        }
        BoundSensor sensor = sensorAt(instance, index.asText(), "/index");
        JsonNode val = body.get("val");
        if (val != null && !val.isNull()) {
            if (!control) {
                throw new IasException(ErrorKind.INVALID, "/val", "getSensorTopic does not send values; expected only "
                        + "{\"id\", \"index\"}, or use setSensorTopic to send a control command");
            }
            if (!val.isObject()) {
                throw new IasException(ErrorKind.INVALID, "/val", "expected a control command " + ControlBodies.EXPECTED
                        + " to send, or null to only ask for the control topic; got " + val.getNodeType().toString().toLowerCase());
            }
            sendControl(sensor, ControlBodies.parse(val, mapper, "/val"), "/val");
        }
        return ApiResponse.ok(mapper.createObjectNode().put("data", control ? sensor.controlTopic() : sensor.dataTopic()));
    }

    // ---- tokens and sensors ----

    /**
     * The instance {@code id} if {@code token} is its current token. Another instance's token: 403; a token of no
     * instance: 401.
     */
    InstanceInfo authenticate(String id, String token) throws IasException, HttpProblem {
        InstanceRegistry registry = registry();
        Optional<InstanceInfo> instance = registry.authenticate(id, token);
        if (instance.isPresent()) {
            return instance.get();
        }
        if (registry.authenticate(token).isPresent()) {
            throw new HttpProblem(403, "", "this token is not that of algorithm instance '" + id + "'; an instance may call "
                    + "the algorithm API for itself only");
        }
        throw notAuthenticated();
    }

    private static HttpProblem notAuthenticated() {
        return new HttpProblem(401, "", "the bearer token is not that of a running algorithm instance (wrong, or replaced "
                + "when the instance was started again); expected the IAS_TOKEN the instance was started with")
                .withHeader("WWW-Authenticate", BearerToken.WWW_AUTHENTICATE);
    }

    private static String token(ApiRequest request) throws HttpProblem {
        return request.bearerToken().orElseThrow(AlgorithmApi::notAuthenticated);
    }

    private static BoundSensor sensorAt(InstanceInfo instance, String indexText) throws IasException, HttpProblem {
        return sensorAt(instance, indexText, "index");
    }

    /** The bound sensor at {@code index} of the deploy config's sensor_info; 403 if the instance has none there. */
    private static BoundSensor sensorAt(InstanceInfo instance, String indexText, String path) throws IasException, HttpProblem {
        int index;
        try {
            index = Integer.parseInt(indexText.strip());
        } catch (NumberFormatException e) {
            index = -1;
        }
        if (index < 0) {
            throw new IasException(ErrorKind.INVALID, path, "expected the sensor's place in the deploy config's sensor_info, "
                    + "a whole number from 0; got '" + indexText + "'");
        }
        for (BoundSensor sensor : instance.sensors()) {
            if (sensor.index() == index) {
                return sensor;
            }
        }
        throw new HttpProblem(403, path, "algorithm instance '" + instance.instanceId() + "' has no sensor at index " + index
                + "; it may reach only its bound sensors, at indexes " + instance.sensors().stream().map(BoundSensor::index).toList());
    }

    /**
     * Whether a stream opened by {@code instance} is still wanted: while its token is still current and it runs. An
     * instance the registry still shows as SCHEDULED (its start not recorded yet) counts as running until it was seen
     * running once.
     */
    private BooleanSupplier whileRunning(InstanceInfo instance, String token) {
        AtomicBoolean seenActive = new AtomicBoolean(instance.state() != null && instance.state().isActive());
        return () -> {
            InstanceRegistry registry = services.instanceRegistry();
            if (registry == null) {
                return true; // restarting: ask again next time
            }
            Optional<InstanceInfo> now = registry.authenticate(instance.instanceId(), token);
            if (now.isEmpty()) {
                return false;
            }
            InstanceState state = now.get().state();
            if (state != null && state.isActive()) {
                seenActive.set(true);
                return true;
            }
            return (state == null || state == InstanceState.SCHEDULED) && !seenActive.get();
        };
    }

    // ---- sending ----

    /** Checks a control command against the bound sensor's type and publishes it to the sensor's control topic. */
    private void sendControl(BoundSensor sensor, ControlCommand command, String at) throws IasException {
        SensorType type = Services.require(services.sensorRegistry(), "sensor_registry").sensorType(sensor.sensorType())
                .orElseThrow(() -> new IasException(ErrorKind.UNPROCESSABLE, at, "the type \"" + sensor.sensorType()
                        + "\" of sensor " + sensor.sensorInstanceId() + " is no longer registered, so no control command "
                        + "can be checked or sent"));
        List<ValidationError> errors = type.checkControl(command);
        if (!errors.isEmpty()) {
            throw new IasException(ErrorKind.INVALID, errors.stream().map(e -> e.under(at)).toList());
        }
        publish(sensor.controlTopic(), sensor.sensorInstanceId(), mapper.valueToTree(command), false);
    }

    /** Publishes and waits for the broker's acknowledgement; 503 if it does not come. */
    private void publish(String topic, String key, JsonNode record, boolean createTopic) throws IasException {
        Messaging messaging = Services.require(services.messaging(), "messaging (kafka)");
        try {
            if (createTopic && !ensuredTopics.contains(topic)) {
                messaging.ensureTopics(List.of(topic));
                ensuredTopics.add(topic);
            }
            messaging.publish(topic, key, mapper.writeValueAsString(record)).toCompletableFuture()
                    .get(PUBLISH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw notSent(topic, e);
        } catch (MessagingException | ExecutionException | TimeoutException | JsonProcessingException | RuntimeException e) {
            throw notSent(topic, e);
        }
    }

    private static IasException notSent(String topic, Exception cause) {
        Throwable root = cause instanceof ExecutionException && cause.getCause() != null ? cause.getCause() : cause;
        LOG.warn("Publishing to {} failed: {}", topic, root.toString());
        return new IasException(ErrorKind.UNAVAILABLE, "", "the message bus (Kafka) did not take it ("
                + (root instanceof TimeoutException ? "no acknowledgement within " + PUBLISH_TIMEOUT.toSeconds() + " s"
                        : root.getMessage()) + "); nothing was sent, try again shortly");
    }

    private ApiResponse sent() {
        return ApiResponse.accepted(mapper.createObjectNode().put("status", "sent"));
    }

    // ---- bodies ----

    /** A message's JSON on one line (an event's data), or null when it is not JSON. */
    private String compactJson(Message message) {
        try {
            JsonNode node = mapper.readTree(message.value());
            return node == null || node.isMissingNode() ? null : mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            LOG.debug("skipping a malformed record at {}/{}:{}", message.topic(), message.partition(), message.offset());
            return null;
        }
    }

    private static JsonNode object(ApiRequest request, String expected) throws Exception {
        JsonNode body = request.json(false);
        if (!body.isObject()) {
            throw new IasException(ErrorKind.INVALID, "", "expected " + expected + "; got "
                    + body.getNodeType().toString().toLowerCase());
        }
        return body;
    }

    private static String requiredText(JsonNode body, String field, String expected) throws IasException {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new IasException(ErrorKind.INVALID, "/" + field, field + " is required: expected " + expected);
        }
        return value.asText();
    }

    private InstanceRegistry registry() throws IasException {
        return Services.require(services.instanceRegistry(), "server_lifecycle (algorithm instances)");
    }
}
