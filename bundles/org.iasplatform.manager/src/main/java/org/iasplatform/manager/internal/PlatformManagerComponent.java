package org.iasplatform.manager.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.app.AppRepository;
import org.iasplatform.api.deploy.DeploymentInfo;
import org.iasplatform.api.deploy.DeploymentOutcome;
import org.iasplatform.api.deploy.Deployments;
import org.iasplatform.api.manager.PlatformManager;
import org.iasplatform.api.manager.RegistrationOutcome;
import org.iasplatform.api.messaging.Message;
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
 * the seed's topics, and waits (bounded) for the outcome: the sensor registry's ({@code sensor_registry_events}) or the
 * deployment pipeline's ({@code deployment_events}).
 */
@Component(service = PlatformManager.class, immediate = true, configurationPid = "org.iasplatform.manager",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = PlatformManagerComponent.Config.class)
public class PlatformManagerComponent implements PlatformManager {

    @ObjectClassDefinition(name = "IAS platform manager", description = "Entry point of configuration into the pipeline.")
    public @interface Config {
        @AttributeDefinition(name = "Pipeline time-out (s)", description = "How long a call waits for the pipeline's outcome before answering 'accepted, pending'.")
        int pipeline__timeout__seconds() default 15;

        @AttributeDefinition(name = "Items per request", description = "Most sensor types, sensor instances or algorithms of a deploy config accepted in one request.")
        int max__items() default 1000;

        @AttributeDefinition(name = "Publish time-out (s)", min = "1", description = "How long a call waits for the message"
                + " bus to acknowledge or refuse its request (the Kafka producer retries by itself meanwhile, e.g. while a"
                + " broker restarts, until its delivery time-out: twice the messaging request time-out, 30 s by default)."
                + " Keep it above that delivery time-out: then a call answered 'unavailable' was not sent.")
        int publish__timeout__seconds() default 60;
    }

    private static final Logger LOG = LoggerFactory.getLogger(PlatformManagerComponent.class);

    private final Messaging messaging;
    private final SensorRegistry registry;
    private final SecureRandom random = new SecureRandom();
    /** The scheduler's deployments; only stop and run requests need them, so they may come and go. */
    private volatile Deployments deployments;
    /** Thread-safe once configured; shared by every call. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ValidatorWhiteboard validators = new ValidatorWhiteboard();
    private final PendingRequests pending = new PendingRequests();
    private final long timeoutMillis;
    private final long publishTimeoutMillis;
    private final int maxItems;
    private final DeployPlanner planner;
    private final Subscription outcomes;

    @Activate
    public PlatformManagerComponent(@Reference Messaging messaging, @Reference SensorRegistry registry,
            @Reference AppRepository apps, Config config) {
        this(messaging, registry, apps, TimeUnit.SECONDS.toMillis(config.pipeline__timeout__seconds()), config.max__items(),
                TimeUnit.SECONDS.toMillis(config.publish__timeout__seconds()));
    }

    PlatformManagerComponent(Messaging messaging, SensorRegistry registry, AppRepository apps, long timeoutMillis,
            int maxItems) {
        this(messaging, registry, apps, timeoutMillis, maxItems, TimeUnit.SECONDS.toMillis(60));
    }

    PlatformManagerComponent(Messaging messaging, SensorRegistry registry, AppRepository apps, long timeoutMillis,
            int maxItems, long publishTimeoutMillis) {
        this.messaging = messaging;
        this.registry = registry;
        this.timeoutMillis = timeoutMillis;
        this.publishTimeoutMillis = publishTimeoutMillis;
        this.maxItems = maxItems;
        this.planner = new DeployPlanner(registry, apps, () -> deployments, this::newJobId, System::currentTimeMillis);
        this.outcomes = messaging.follow(List.of(Topics.SENSOR_REGISTRY_EVENTS, Topics.DEPLOYMENT_EVENTS), this::onEvent);
    }

    /**
     * An outcome from the pipeline. A sensor registry event answers its request. A deployment event answers its request
     * when it is a refusal from any step, or the scheduler's (the last step); the sensor binder's "ok" is only progress.
     */
    void onEvent(Message message) {
        JsonNode event;
        try {
            event = JSON.readTree(message.value());
        } catch (JsonProcessingException e) {
            // skipped, not retried: a follower that threw would see the same malformed event again and again
            LOG.warn("Skipping a malformed event on {} at {}:{}: {}", message.topic(), message.partition(), message.offset(),
                    e.getOriginalMessage());
            return;
        }
        String requestId = event.path("request_id").asText();
        if (Topics.DEPLOYMENT_EVENTS.equals(message.topic()) && "ok".equals(event.path("status").asText())
                && "sensor-binder".equals(event.path("source").asText())) {
            pending.note(requestId, event);
        } else {
            pending.complete(requestId, event);
        }
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

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setDeployments(Deployments deployments) {
        this.deployments = deployments;
    }

    void unsetDeployments(Deployments gone) {
        if (this.deployments == gone) {
            this.deployments = null;
        }
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
        requireCompleted(roundTrip(Topics.PM_TO_SENSOR_TYPE_REG, request, List.of()), request, REGISTRY_LATE);
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
        requireCompleted(roundTrip(Topics.PM_TO_SENSOR_INS_REG, request, List.of()), request, REGISTRY_LATE);
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
            awaitPublished(messaging.publish(instance.controlTopic(), instance.id(), JSON.writeValueAsString(command)),
                    "the command was not sent");
        } catch (JsonProcessingException e) {
            throw unavailable(e, "the command was not sent");
        }
    }

    @Override
    public DeploymentOutcome deploy(JsonNode document) throws IasException {
        DocumentForms.requireDeployConfigObject(document);
        requireValidators(ConfigKind.DEPLOY_CONFIG);
        // the deploy-config validators check the whole document (its form, noOfAlgo, every entry), paths from its root
        refuseIf(validators.validate(ConfigKind.DEPLOY_CONFIG, "", document), ErrorKind.INVALID);
        List<DocumentForms.Item> items = DocumentForms.splitDeployConfig(document, maxItems);
        List<DeployPlanner.Planned> plan = planner.plan(items);

        String requestId = pending.newRequestId();
        List<String> requestIds = new ArrayList<>();
        List<CompletableFuture<JsonNode>> answers = new ArrayList<>();
        for (int k = 0; k < plan.size(); k++) {
            String id = plan.size() == 1 ? requestId : requestId + "-" + (k + 1);
            requestIds.add(id);
            answers.add(pending.register(id));
        }
        publishAll(plan, requestIds);
        // the wait for the pipeline's outcome starts once the requests are on the bus (which may take a while when a
        // broker restarts)
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);

        List<JsonNode> events = new ArrayList<>();
        List<JsonNode> progress = new ArrayList<>();
        for (int k = 0; k < plan.size(); k++) {
            JsonNode event = awaitUntil(answers.get(k), deadline);
            progress.add(event == null ? pending.progress(requestIds.get(k)) : null);
            if (event == null) {
                pending.forget(requestIds.get(k));
                LOG.warn("Deployment request {} (job {}) accepted; no outcome within {} ms", requestIds.get(k),
                        plan.get(k).jobId(), timeoutMillis);
            }
            events.add(event);
        }
        refuseIfRefused(plan, events);

        boolean completed = true;
        List<DeploymentOutcome.Deployed> deployed = new ArrayList<>();
        for (int k = 0; k < plan.size(); k++) {
            DeployPlanner.Planned p = plan.get(k);
            JsonNode event = events.get(k);
            completed &= event != null;
            JsonNode known = event != null ? event : progress.get(k);
            String instanceId = text(known, "instance_id");
            boolean stop = DeployPlanner.STOP.equals(p.op());
            String state = event == null ? PENDING : text(event, "state");
            if (state == null) {
                state = stop ? DeploymentInfo.STOPPED : "SCHEDULED";
            }
            deployed.add(new DeploymentOutcome.Deployed(p.applicationName(), p.algorithmName(),
                    instanceId != null ? instanceId : p.instanceId(), p.jobId(), state, stop ? null : text(event, "next_run")));
        }
        return new DeploymentOutcome(requestId, completed, deployed);
    }

    /** The state of a deployment whose outcome did not come in time: accepted, still under way. */
    static final String PENDING = "PENDING";

    @Override
    public void stopDeployment(String jobId) throws IasException {
        planner.existingJob(jobId);
        ObjectNode request = request(DeployPlanner.STOP);
        request.put("job_id", jobId);
        requireCompleted(roundTrip(Topics.PM_TO_SENSOR_BINDER, jobId, request, UnaryOperator.identity()), request,
                "the scheduler did not confirm the stop of job " + jobId + " in time; it is under way, check GET /deployments/"
                        + jobId + " shortly");
    }

    @Override
    public void runDeployment(String jobId) throws IasException {
        DeploymentInfo job = planner.existingJob(jobId);
        if (DeploymentInfo.STOPPED.equals(job.state())) {
            throw new IasException(ErrorKind.CONFLICT, "job_id", "job \"" + jobId + "\" is stopped, so it cannot run; deploy "
                    + "its algorithm again (POST /deployments) for a new job");
        }
        ObjectNode request = request(DeployPlanner.RUN);
        request.put("job_id", jobId);
        requireCompleted(roundTrip(Topics.PM_TO_SENSOR_BINDER, jobId, request, UnaryOperator.identity()), request,
                "the scheduler did not confirm the run of job " + jobId + " in time; it is under way, check GET /deployments/"
                        + jobId + " shortly");
    }

    /** "job-" and 16 hex digits. */
    String newJobId() {
        return "job-" + HexFormat.of().toHexDigits(random.nextLong());
    }

    /**
     * Publishes one message per planned algorithm to the sensor binder, keyed by its job id, and waits for the broker's
     * acknowledgements (at most the publish time-out: the producer retries by itself meanwhile). UNAVAILABLE (every
     * request forgotten) when any is not acknowledged, saying which were sent, which were not, and which got no answer.
     */
    private void publishAll(List<DeployPlanner.Planned> plan, List<String> requestIds) throws IasException {
        long publishDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(publishTimeoutMillis);
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int k = 0; k < plan.size(); k++) {
            ObjectNode message = JSON.createObjectNode();
            message.put("request_id", requestIds.get(k));
            message.setAll(plan.get(k).message());
            CompletableFuture<Void> ack;
            try {
                ack = messaging.publish(Topics.PM_TO_SENSOR_BINDER, plan.get(k).jobId(), JSON.writeValueAsString(message))
                        .toCompletableFuture();
            } catch (JsonProcessingException | RuntimeException e) {
                ack = CompletableFuture.failedFuture(e);
            }
            acks.add(ack);
        }
        List<String> sent = new ArrayList<>();
        List<String> unsent = new ArrayList<>();
        List<String> undecided = new ArrayList<>();
        Exception cause = null;
        for (int k = 0; k < plan.size(); k++) {
            try {
                acks.get(k).get(Math.max(0, publishDeadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                sent.add(plan.get(k).jobId());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                undecided.add(plan.get(k).jobId());
            } catch (TimeoutException e) {
                undecided.add(plan.get(k).jobId());
            } catch (ExecutionException e) {
                unsent.add(plan.get(k).jobId());
                cause = cause == null ? e : cause;
            }
        }
        if (unsent.isEmpty() && undecided.isEmpty()) {
            return;
        }
        requestIds.forEach(pending::forget);
        if (sent.isEmpty() && undecided.isEmpty()) {
            throw unavailable(cause, "nothing was deployed");
        }
        Throwable root = cause instanceof ExecutionException && cause.getCause() != null ? cause.getCause() : cause;
        StringBuilder text = new StringBuilder("the message bus (Kafka) did not take the whole deploy config: ");
        if (!sent.isEmpty()) {
            text.append("jobs ").append(sent).append(" were sent and will be deployed; ");
        }
        if (!unsent.isEmpty()) {
            text.append("jobs ").append(unsent).append(" were not (").append(root.getMessage()).append("); ");
        }
        if (!undecided.isEmpty()) {
            text.append("jobs ").append(undecided).append(" got no answer within ").append(publishTimeoutMillis / 1000)
                    .append(" s and may still be deployed (see GET /deployments/{job_id}); ");
        }
        throw new IasException(ErrorKind.UNAVAILABLE, "", text.append("stop the jobs you do not want (DELETE"
                + " /deployments/{job_id}) or deploy the missing algorithms again").toString());
    }

    /** The event, or null when it did not come before the deadline. */
    private static JsonNode awaitUntil(CompletableFuture<JsonNode> answer, long deadline) {
        try {
            return answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Throws when a step of the pipeline refused an algorithm (e.g. its sensor was deleted since the check): every
     * refusal, its paths placed under the algorithm's entry, and what became of the other algorithms of the config.
     */
    private static void refuseIfRefused(List<DeployPlanner.Planned> plan, List<JsonNode> events) throws IasException {
        ErrorKind kind = null;
        List<ValidationError> errors = new ArrayList<>();
        for (int k = 0; k < plan.size(); k++) {
            JsonNode event = events.get(k);
            if (event != null && !"ok".equals(event.path("status").asText())) {
                String at = plan.get(k).item().pointer();
                IasException refused = refusal(event, path -> under(at, path), at);
                kind = kind == null ? refused.kind() : kind;
                errors.addAll(refused.errors());
            }
        }
        if (kind == null) {
            return;
        }
        for (int k = 0; k < plan.size(); k++) {
            JsonNode event = events.get(k);
            DeployPlanner.Planned p = plan.get(k);
            if (event != null && !"ok".equals(event.path("status").asText())) {
                continue;
            }
            String what = DeployPlanner.STOP.equals(p.op()) ? "the stop of job " + p.jobId() : "job " + p.jobId();
            errors.add(new ValidationError(p.item().pointer(), what + (event == null ? " was sent and is still under way"
                    : " was accepted" + (text(event, "instance_id") == null ? "" : " (instance " + text(event, "instance_id") + ")"))
                    + " although another part of this deploy config was refused; it is not undone"
                    + (DeployPlanner.STOP.equals(p.op()) ? "" : ": stop it (DELETE /deployments/" + p.jobId()
                            + ") if it is not wanted without the rest")));
        }
        throw new IasException(kind, errors);
    }

    /** A path reported for one algorithm entry, placed under the entry's pointer in the caller's document. */
    private static String under(String pointer, String path) {
        if (path.isEmpty()) {
            return pointer;
        }
        return path.startsWith("/") ? pointer + path : path;
    }

    private static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.asText().isEmpty() ? null : value.asText();
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

    private void requireValidators(ConfigKind kind) throws IasException {
        if (validators.count(kind) == 0) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", "no validator for " + kind.id()
                    + " is installed, so nothing can be accepted; install the ias-platform feature's validation bundle");
        }
    }

    private void validate(ConfigKind kind, List<DocumentForms.Item> items) throws IasException {
        requireValidators(kind);
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
     * Publishes a request (keyed by its request id) and waits for the registry's outcome. Returns null when the outcome did
     * not come in time (the request is accepted and under way); throws the refusal the registry answered with, its paths
     * placed in the caller's document.
     */
    private JsonNode roundTrip(String topic, ObjectNode request, List<DocumentForms.Item> items) throws IasException {
        return roundTrip(topic, request.path("request_id").asText(), request, path -> relocate(path, items));
    }

    /**
     * Publishes a request under {@code key} and waits for its outcome. Returns null when the outcome did not come in time;
     * throws the refusal answered, its paths mapped into the caller's document by {@code relocate}.
     */
    private JsonNode roundTrip(String topic, String key, ObjectNode request, UnaryOperator<String> relocate)
            throws IasException {
        String requestId = request.path("request_id").asText();
        CompletableFuture<JsonNode> outcome = pending.register(requestId);
        try {
            awaitPublished(messaging.publish(topic, key, JSON.writeValueAsString(request)), "nothing was registered");
        } catch (IasException e) {
            pending.forget(requestId);
            throw e;
        } catch (JsonProcessingException e) {
            pending.forget(requestId);
            throw unavailable(e);
        }
        // the wait for the pipeline's outcome starts once the request is on the bus
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
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
        if ("ok".equals(event.path("status").asText())) {
            return event;
        }
        throw refusal(event, relocate, "");
    }

    /** The refusal a pipeline event reports, its paths mapped into the caller's document. */
    private static IasException refusal(JsonNode event, UnaryOperator<String> relocate, String fallbackPath) {
        String status = event.path("status").asText();
        List<ValidationError> errors = new ArrayList<>();
        event.path("errors").forEach(e -> errors.add(new ValidationError(relocate.apply(e.path("path").asText()),
                e.path("message").asText())));
        if (errors.isEmpty()) {
            String source = event.path("source").asText("");
            errors.add(new ValidationError(fallbackPath, "refused" + (source.isEmpty() ? "" : " by the " + source)
                    + " with status \"" + status + "\" and no reason given"));
        }
        return new IasException(kindOf(status), errors);
    }

    private static ErrorKind kindOf(String status) {
        return switch (status) {
            case "conflict" -> ErrorKind.CONFLICT;
            case "not_found" -> ErrorKind.NOT_FOUND;
            case "unprocessable" -> ErrorKind.UNPROCESSABLE;
            default -> ErrorKind.INVALID;
        };
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

    private static final String REGISTRY_LATE = "the sensor registry did not answer in time; check again shortly";

    private static void requireCompleted(JsonNode outcome, ObjectNode request, String late) throws IasException {
        if (outcome == null) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", "request " + request.path("request_id").asText()
                    + " was accepted but " + late);
        }
    }

    /**
     * Waits until the message bus acknowledged a publish, or refused it: the Kafka producer retries by itself (e.g. while
     * a broker restarts) until its delivery time-out, so the answer comes within the publish time-out and a refusal means
     * the request was not sent ({@code consequence}). Only when neither comes in time is the request's fate unknown, and
     * the caller is told so.
     */
    private void awaitPublished(CompletionStage<Void> ack, String consequence) throws IasException {
        try {
            ack.toCompletableFuture().get(publishTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unavailable(e, consequence);
        } catch (InterruptedException | TimeoutException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("Message bus: no acknowledgement nor refusal within {} ms", publishTimeoutMillis);
            throw new IasException(ErrorKind.UNAVAILABLE, "", "the message bus (Kafka) neither acknowledged nor refused"
                    + " the request within " + publishTimeoutMillis / 1000 + " s, so it may still be carried out; look"
                    + " (GET) before sending it again, once the platform's health is UP");
        }
    }

    private static IasException unavailable(Exception cause) {
        return unavailable(cause, "nothing was registered");
    }

    private static IasException unavailable(Exception cause, String consequence) {
        Throwable root = cause instanceof ExecutionException && cause.getCause() != null ? cause.getCause() : cause;
        LOG.warn("Message bus unavailable: {}", root.toString());
        return new IasException(ErrorKind.UNAVAILABLE, "", "the message bus (Kafka) did not accept the request: "
                + (root instanceof TimeoutException ? "no acknowledgement in time" : root.getMessage()) + "; " + consequence
                + ", try again when the platform's health is UP");
    }
}
