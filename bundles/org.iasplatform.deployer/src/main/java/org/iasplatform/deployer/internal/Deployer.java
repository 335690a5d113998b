package org.iasplatform.deployer.internal;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.iasplatform.api.app.AlgorithmDescriptor;
import org.iasplatform.api.app.AppRepository;
import org.iasplatform.api.app.AppVersion;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.NotAJsonObjectException;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The deployer's work for one message of {@link Topics#SCHEDULER_TO_DEPLOYER} (docs/pipeline-messages.md).
 * <ul>
 * <li>{@code start}: checks that the run's app version is still in the {@link AppRepository}, resolves the
 * {@code launch} ({@code runtime, application_id, version, package_id, root, entry = root + script, lang =
 * deploy.environment.lang}) and the {@link SensorType}s of the bound sensors ({@code sensor_types}, by name), and
 * publishes the scheduler's message with both added to {@link Topics#DEPLOYER_TO_SLC}. When the version is gone (or a
 * bound sensor's type is no longer registered) it publishes an {@link Topics#INSTANCE_EVENTS} {@code FAILED} with the
 * reason instead; nothing goes to server-lifecycle.</li>
 * <li>{@code stop}: passed on unchanged.</li>
 * </ul>
 * Stateless, so a redelivered message just publishes the same outcome again (server-lifecycle is idempotent on the run
 * id). A handler exception (app repository or broker unreachable) leaves the message uncommitted: it is delivered again.
 */
final class Deployer {
    private static final Logger LOG = LoggerFactory.getLogger(Deployer.class);
    static final String SOURCE = "deployer";

    private final AppRepository apps;
    private final SensorRegistry registry;
    private final Messaging messaging;
    private final ObjectMapper mapper;
    private final Clock clock;

    Deployer(AppRepository apps, SensorRegistry registry, Messaging messaging, ObjectMapper mapper, Clock clock) {
        this.apps = apps;
        this.registry = registry;
        this.messaging = messaging;
        this.mapper = mapper;
        this.clock = clock;
    }

    /** Handles one message of {@link Topics#SCHEDULER_TO_DEPLOYER}. */
    void handle(Message message) throws Exception {
        JsonNode request;
        try {
            request = message.jsonObject(mapper);
        } catch (NotAJsonObjectException e) {
            LOG.warn("Dropping message {}: {}", message.position(), e.getMessage());
            return;
        }
        String instanceId = request.path("instance_id").asText(message.key() == null ? "" : message.key());
        if (instanceId.isEmpty()) {
            LOG.warn("Dropping message at {}-{}@{}: no instance_id", message.topic(), message.partition(), message.offset());
            return;
        }
        String op = request.path("op").asText();
        switch (op) {
            case "start" -> start(instanceId, (ObjectNode) request);
            case "stop" -> {
                publish(Topics.DEPLOYER_TO_SLC, instanceId, message.value());
                LOG.info("Instance {}: stop ({}) passed to server-lifecycle", instanceId, request.path("reason").asText());
            }
            default -> LOG.warn("Dropping message {} with unknown op '{}'", instanceId, op);
        }
    }

    private void start(String instanceId, ObjectNode request) throws Exception {
        Resolution resolution = resolve(request);
        if (resolution.failure() != null) {
            fail(instanceId, request, resolution.failure());
            return;
        }
        ObjectNode out = request.deepCopy();
        out.set("launch", resolution.launch());
        out.set("sensor_types", resolution.sensorTypes());
        publish(Topics.DEPLOYER_TO_SLC, instanceId, out.toString());
        LOG.info("Instance {} run {}: {} v{} ({}, {}) handed to server-lifecycle", instanceId,
                request.path("run_id").asText(), resolution.launch().path("application_id").asText(),
                resolution.launch().path("version").asInt(), resolution.launch().path("runtime").asText(),
                resolution.launch().path("entry").asText());
    }

    /**
     * What a start launches, or why it cannot be launched.
     *
     * @param launch      {@code {runtime, application_id, version, package_id, root, entry, lang}}
     * @param sensorTypes the bound sensors' types by name, as SensorType JSON
     * @param failure     the reason it cannot be launched (null if it can)
     */
    record Resolution(ObjectNode launch, ObjectNode sensorTypes, String failure) {
        static Resolution failed(String reason) {
            return new Resolution(null, null, reason);
        }
    }

    /** Resolves the launch and the sensor types of a start message. */
    Resolution resolve(JsonNode request) {
        JsonNode app = request.path("app");
        JsonNode deploy = request.path("deploy");
        String algorithm = deploy.path("algorithm_name").asText("");
        String applicationId = app.path("application_id").asText("");
        if (applicationId.isEmpty()) {
            return Resolution.failed("the run names no app (application_id) of " + deploy.path("application_name").asText()
                    + "/" + algorithm + "; expected the app version resolved when the deployment was accepted");
        }
        int version = app.path("version").asInt(0);
        Optional<AppVersion> found = apps.version(applicationId, version);
        if (found.isEmpty()) {
            return Resolution.failed("application " + applicationId + " version " + (version <= 0 ? "(latest)" : version)
                    + " is no longer in the app repository (was it deleted?); upload the app again and redeploy");
        }
        AppVersion resolved = found.get();
        Optional<AlgorithmDescriptor> descriptor = resolved.algorithm(algorithm);

        String script = text(app, "script");
        if (script == null) {
            script = descriptor.map(AlgorithmDescriptor::script).orElse(null);
        }
        if (script == null && deploy.path("script_name").isArray() && deploy.path("script_name").size() > 0) {
            script = deploy.path("script_name").get(0).asText();
        }
        if (script == null || script.isEmpty()) {
            return Resolution.failed("application " + applicationId + " version " + resolved.version()
                    + " names no script for algorithm \"" + algorithm + "\"; expected appConfig.json's script.name");
        }
        String runtime = text(app, "runtime");
        if (runtime == null) {
            runtime = descriptor.map(AlgorithmDescriptor::runtime).filter(r -> !r.isEmpty())
                    .orElse(AlgorithmDescriptor.runtimeOf(script));
        }
        String root = text(app, "root");
        if (root == null) {
            root = resolved.root();
        }
        if (!root.isEmpty() && !root.endsWith("/")) {
            root = root + "/";
        }
        String packageId = text(app, "package_id");
        if (packageId == null) {
            packageId = resolved.packageId();
        } else if (resolved.packageId() != null && !packageId.equals(resolved.packageId())) {
            LOG.warn("Application {} version {}: the run names package {}, the repository holds {}; launching the "
                    + "repository's", applicationId, resolved.version(), packageId, resolved.packageId());
            packageId = resolved.packageId();
        }

        ObjectNode launch = mapper.createObjectNode();
        launch.put("runtime", runtime);
        launch.put("application_id", resolved.applicationId() != null ? resolved.applicationId() : applicationId);
        launch.put("version", resolved.version());
        launch.put("package_id", packageId);
        launch.put("root", root);
        launch.put("entry", root + script);
        launch.put("lang", deploy.path("environment").path("lang").asText(""));

        ObjectNode types = mapper.createObjectNode();
        Map<String, Integer> firstIndex = new LinkedHashMap<>();
        for (JsonNode sensor : request.path("sensors")) {
            firstIndex.putIfAbsent(sensor.path("sensor_type").asText(""), sensor.path("index").asInt());
        }
        for (Map.Entry<String, Integer> e : firstIndex.entrySet()) {
            Optional<SensorType> type = e.getKey().isEmpty() ? Optional.empty() : registry.sensorType(e.getKey());
            if (type.isEmpty()) {
                return Resolution.failed("sensor type \"" + e.getKey() + "\" of bound sensor " + e.getValue()
                        + " is no longer registered; register the type again (and its instances) and redeploy");
            }
            types.set(e.getKey(), mapper.valueToTree(type.get()));
        }
        return new Resolution(launch, types, null);
    }

    private void fail(String instanceId, JsonNode request, String reason) throws Exception {
        ObjectNode event = mapper.createObjectNode();
        event.put("instance_id", instanceId);
        event.set("job_id", request.get("job_id"));
        event.set("run_id", request.get("run_id"));
        event.putNull("node");
        event.putNull("generation"); // not placed: no generation of its own
        event.put("state", InstanceState.FAILED.name());
        event.putNull("exit_code");
        event.put("reason", reason);
        event.put("timestamp", clock.millis());
        event.put("source", SOURCE);
        publish(Topics.INSTANCE_EVENTS, instanceId, event.toString());
        LOG.warn("Instance {} run {} FAILED: {}", instanceId, request.path("run_id").asText(), reason);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.asText().isEmpty() ? null : value.asText();
    }

    private void publish(String topic, String key, String json) throws Exception {
        // Wait for the broker's acknowledgement: only then may the request be committed.
        messaging.publish(topic, key, json).toCompletableFuture().get();
    }
}
