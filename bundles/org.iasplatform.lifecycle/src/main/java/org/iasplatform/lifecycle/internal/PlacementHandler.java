package org.iasplatform.lifecycle.internal;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.bson.Document;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.NotAJsonObjectException;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.node.NodeState;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.api.node.PlacementRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Server-lifecycle's work for one message of {@link Topics#DEPLOYER_TO_SLC} (docs/pipeline-messages.md).
 * <p>
 * <b>start</b>: the candidates are the nodes that are UP and offer {@code launch.runtime}; the strategy in force chooses
 * one. Then the instance's record gets the next {@code generation}, a fresh token's SHA-256, state STARTING, the node and
 * the run, and is stored <em>before</em> the start command (with the token in clear) is published to the node's
 * {@link Topics#nodeCommands(String) command topic}. When there is no candidate, no strategy, or the strategy chooses
 * none, the record is stored FAILED with the reason (and the next generation, which fences off anything still running
 * from before) and an {@link Topics#INSTANCE_EVENTS} FAILED tells everyone following. A start of a run already placed is
 * not placed again (idempotent on {@code run_id}), unless its command may not have gone out (stored, but not confirmed
 * sent, and no report from the node yet): then it is placed again under a new generation and token. A run still active
 * from before is first told to stop, fenced by its generation.
 * <p>
 * <b>stop</b>: an active instance's node gets a stop with the instance's generation; the instance becomes STOPPED when
 * the node reports it. An instance that is not running becomes STOPPED at once (a FAILED one stays FAILED), and so does
 * one RESTARTING after its node stopped, restarted or went DOWN, or after a crash (nothing runs it as far as the records
 * go; its pending re-placement by {@link RestartHandler} is cancelled); if its node never reported its end (it went DOWN,
 * or came back without a word of it), that node is sent a stop of its generation as well, recorded in {@code fenced}
 * first. A stop at the end time of a run other than the current one is ignored.
 * <p>
 * A start command carries {@code node_epoch}, the epoch of the node agent it is addressed to: a later agent on that node
 * (the node restarted before taking it) does not run it, and the orphan rule of {@link RestartHandler} places it again.
 * The record keeps the deployment's {@code restart_policy} ({@link RestartPolicy}); a new run forgets earlier failures.
 * <p>
 * Handler exceptions (store or broker unreachable, node table not warmed up yet) leave the message uncommitted: it is
 * delivered again.
 */
final class PlacementHandler {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementHandler.class);
    static final String SOURCE = "server-lifecycle";
    /** The field of a re-placement naming earlier generations to stop before it starts ({@link RestartHandler}). */
    static final String FENCES = "fences";

    private final InstanceStore store;
    private final NodeTable nodes;
    private final Strategies strategies;
    private final Tokens tokens;
    private final Messaging messaging;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Supplier<String> strategyTarget;
    private final BooleanSupplier nodeTableReady;
    private final Set<String> ensuredTopics = ConcurrentHashMap.newKeySet();

    /**
     * @param strategyTarget the configured target filter of the strategy reference (for messages)
     * @param nodeTableReady false while heartbeats have not been followed long enough for the node table to be current
     *                       (a start finding no node then is retried rather than failed)
     */
    PlacementHandler(InstanceStore store, NodeTable nodes, Strategies strategies, Tokens tokens, Messaging messaging,
            ObjectMapper mapper, Clock clock, Supplier<String> strategyTarget, BooleanSupplier nodeTableReady) {
        this.store = store;
        this.nodes = nodes;
        this.strategies = strategies;
        this.tokens = tokens;
        this.messaging = messaging;
        this.mapper = mapper;
        this.clock = clock;
        this.strategyTarget = strategyTarget;
        this.nodeTableReady = nodeTableReady;
    }

    /** Handles one message of {@link Topics#DEPLOYER_TO_SLC}. */
    void handle(Message message) throws Exception {
        JsonNode request;
        try {
            request = message.jsonObject(mapper);
        } catch (NotAJsonObjectException e) {
            LOG.warn("Dropping message {}: {}", message.position(), e.getMessage());
            return;
        }
        String instanceId = Optional.ofNullable(Docs.text(request, "instance_id")).orElse(message.key());
        if (instanceId == null || instanceId.isEmpty()) {
            LOG.warn("Dropping message at {}-{}@{}: no instance_id", message.topic(), message.partition(), message.offset());
            return;
        }
        String op = request.path("op").asText();
        switch (op) {
            case "start" -> start(instanceId, request);
            case "stop" -> stop(instanceId, request);
            default -> LOG.warn("Dropping message {} with unknown op '{}'", instanceId, op);
        }
    }

    // ------------------------------------------------------------------------------------------------- start

    /**
     * Where a start goes.
     *
     * @param node     the chosen node (null when none)
     * @param strategy the strategy's name (null when there is none)
     * @param failure  why there is no node (null when there is one)
     */
    record Choice(NodeStatus node, String strategy, String failure) {
    }

    private void start(String instanceId, JsonNode request) throws Exception {
        String runId = request.path("run_id").asText("");
        Document current = store.find(instanceId).orElse(null);
        if (alreadyPlaced(current, runId)) {
            LOG.debug("Instance {} run {} is placed already (generation {})", instanceId, runId,
                    InstanceStore.generation(current));
            return;
        }
        if (InstanceStore.isActive(current) && Docs.str(current, "node") != null) {
            // what runs from before (another run, or this run's command that may not have gone out) is fenced off first
            sendFences(instanceId, current, "superseded by run " + runId);
            sendStop(Docs.str(current, "node"), instanceId, InstanceStore.generation(current),
                    "superseded by run " + runId);
        }
        Choice choice = choose(instanceId, request);
        String token = choice.node() != null ? tokens.newToken() : null;
        long now = clock.millis();
        boolean[] skipped = new boolean[1];
        Document stored = store.mutate(instanceId, d -> {
            skipped[0] = alreadyPlaced(d, runId);
            return skipped[0] ? null : placed(d, instanceId, request, choice, token, now);
        }).orElseThrow();
        if (skipped[0]) {
            return;
        }
        long generation = InstanceStore.generation(stored);
        if (choice.node() == null) {
            publishFailed(instanceId, request, generation, choice.failure(), now);
            LOG.warn("Instance {} run {} FAILED: {}", instanceId, runId, choice.failure());
            return;
        }
        String node = choice.node().nodeId();
        ObjectNode command = startCommand(instanceId, Docs.text(request, "job_id"), runId, generation, token,
                Docs.str(stored, "application_name"), Docs.str(stored, "algorithm_name"), request.get("launch"),
                request.get("sensors"), request.get("sensor_types"), choice.node().epoch());
        publishToNode(node, instanceId, command);
        markSent(instanceId, generation);
        LOG.info("Instance {} run {} placed on node {} by strategy {} (generation {})", instanceId, runId, node,
                choice.strategy(), generation);
    }

    /**
     * The start command of one generation (docs/pipeline-messages.md, node_commands_&lt;node id&gt;); {@code nodeEpoch}:
     * the epoch of the node agent it is addressed to (a later agent on that node does not run it).
     */
    ObjectNode startCommand(String instanceId, String jobId, String runId, long generation, String token,
            String applicationName, String algorithmName, JsonNode launch, JsonNode sensors, JsonNode sensorTypes,
            long nodeEpoch) {
        ObjectNode command = mapper.createObjectNode();
        command.put("op", "start");
        command.put("instance_id", instanceId);
        command.put("job_id", jobId);
        command.put("run_id", runId);
        command.put("generation", generation);
        command.put("token", token);
        command.put("application_name", applicationName);
        command.put("algorithm_name", algorithmName);
        command.set("launch", launch);
        command.set("sensors", sensors);
        command.set("sensor_types", sensorTypes);
        command.put("node_epoch", nodeEpoch);
        return command;
    }

    /** Records that the start command of {@code generation} went out (a re-placement is no longer pending). */
    void markSent(String instanceId, long generation) {
        store.mutate(instanceId, d -> {
            if (d == null || InstanceStore.generation(d) != generation || (Boolean.TRUE.equals(d.get("command_sent"))
                    && !d.containsKey(InstanceStore.RESTART_PENDING) && !d.containsKey(FENCES))) {
                return null;
            }
            d.put("command_sent", true);
            d.remove(InstanceStore.RESTART_PENDING);
            d.remove(FENCES); // sent before the start
            return d;
        });
    }

    /**
     * Whether this run was placed already and nothing needs redoing: the record names the run and either its command was
     * sent, or the node reported on it, or its placement failed.
     */
    private static boolean alreadyPlaced(Document d, String runId) {
        if (d == null || runId.isEmpty() || !runId.equals(Docs.str(d, "run_id")) || InstanceStore.generation(d) == 0) {
            return false;
        }
        return Boolean.TRUE.equals(d.get("command_sent")) || InstanceStore.state(d) != InstanceState.STARTING;
    }

    /** The record after placing (or failing to place) a run. */
    private Document placed(Document d, String instanceId, JsonNode request, Choice choice, String token, long now) {
        Document next = d != null ? d : InstanceStore.newRecord(instanceId, now);
        String runId = request.path("run_id").asText("");
        JsonNode deploy = request.path("deploy");
        JsonNode launch = request.path("launch");
        boolean newRun = !runId.equals(Docs.str(next, "run_id"));
        next.put("generation", InstanceStore.generation(next) + 1);
        putIfGiven(next, "job_id", Docs.text(request, "job_id"));
        putIfGiven(next, "application_name", Docs.text(deploy, "application_name"));
        putIfGiven(next, "algorithm_name", Docs.text(deploy, "algorithm_name"));
        putIfGiven(next, "application_id", Docs.text(launch, "application_id"));
        if (launch.has("version")) {
            next.put("app_version", launch.path("version").asInt());
        }
        putIfGiven(next, "runtime", Docs.text(launch, "runtime"));
        if (request.has("sensors")) {
            next.put("sensors", Docs.bson(request.get("sensors")));
        }
        next.put("launch", Docs.bson(launch));
        next.put("sensor_types", Docs.bson(request.get("sensor_types")));
        next.put("run_id", runId);
        next.put("trigger", Docs.text(request, "trigger"));
        if (newRun) {
            next.put("runs", Docs.intOf(next, "runs", 0) + 1);
            next.remove(RestartPolicy.FAILURES); // a new run starts with a clean slate
        }
        if (deploy.path(RestartPolicy.FIELD).isObject()) {
            next.put(RestartPolicy.FIELD, Docs.bson(deploy.get(RestartPolicy.FIELD)));
        } else {
            next.remove(RestartPolicy.FIELD);
        }
        next.remove("gave_up");
        next.remove(InstanceStore.LAST_LOG);
        next.remove(InstanceStore.LAST_LOG_PENDING);
        next.put("started_at", null);
        next.put("exit_code", null);
        next.put("command_sent", false);
        next.remove("stop_requested");
        next.remove(InstanceStore.INTERRUPTION);
        next.remove(InstanceStore.RESTART_PENDING);
        next.remove(FENCES); // sent before this placement
        next.remove("reported_at");
        next.put("placed_at", Docs.date(now));
        next.put("updated_at", Docs.date(now));
        if (choice.node() == null) {
            next.put("state", InstanceState.FAILED.name());
            next.put("reason", choice.failure());
            next.put("ended_at", Docs.date(now));
            next.put("token_sha256", null);
        } else {
            next.put("state", InstanceState.STARTING.name());
            next.put("node", choice.node().nodeId());
            next.put("node_epoch", choice.node().epoch());
            next.put("reason", "placed on node " + choice.node().nodeId() + " by strategy " + choice.strategy());
            next.put("ended_at", null);
            next.put("token_sha256", Tokens.sha256Hex(token));
        }
        return next;
    }

    /** Asks the strategy in force for a node among the UP nodes offering the run's runtime. */
    Choice choose(String instanceId, JsonNode request) {
        String runtime = request.path("launch").path("runtime").asText("");
        if (runtime.isEmpty()) {
            return new Choice(null, null, "the run names no runtime (launch.runtime); expected bundle, process or docker");
        }
        List<NodeStatus> known = nodes.nodes();
        List<NodeStatus> candidates = candidates(known, runtime, n -> true);
        if (candidates.isEmpty()) {
            if (!nodeTableReady.getAsBoolean()) {
                throw new IllegalStateException("no node offering runtime " + runtime + " is known yet: heartbeats have "
                        + "not been followed long enough; trying again");
            }
            if (!known.isEmpty() && known.stream().noneMatch(n -> n.state() == NodeState.UP)) {
                // as for moving instances off DOWN nodes: with no node at all UP, the heartbeats more likely do not reach
                // the platform (e.g. while the broker restarts) than every node is gone; the start waits, redelivered
                throw new IllegalStateException("no node is UP (" + known.stream().map(n -> n.nodeId() + " " + n.state())
                        .collect(Collectors.joining(", ")) + "): heartbeats may not be reaching the platform; placing it"
                        + " once a node is UP again");
            }
            return new Choice(null, null, noNode(runtime, known));
        }
        JsonNode deploy = request.path("deploy");
        return choose(instanceId, deploy.path("application_name").asText(null),
                deploy.path("algorithm_name").asText(null), runtime, candidates);
    }

    /**
     * The nodes of {@code known} that are UP, offer {@code runtime} and are {@code eligible}, with the instances placed on
     * them by the records if more than they reported.
     */
    List<NodeStatus> candidates(List<NodeStatus> known, String runtime, Predicate<NodeStatus> eligible) {
        Map<String, Integer> active = store.activeCountsByNode();
        return known.stream()
                .filter(n -> n.state() == NodeState.UP && n.runtimes().contains(runtime) && eligible.test(n))
                .map(n -> withInstances(n, Math.max(n.instances(), active.getOrDefault(n.nodeId(), 0))))
                .toList();
    }

    /** Asks the strategy in force for one of {@code candidates} (not empty). */
    Choice choose(String instanceId, String applicationName, String algorithmName, String runtime,
            List<NodeStatus> candidates) {
        Optional<Strategies.Named> strategy = strategies.current();
        if (strategy.isEmpty()) {
            return new Choice(null, null, "no LoadBalancingStrategy matches " + strategyTarget.get()
                    + " (registered strategies: " + strategies.names() + "); set strategy.target in "
                    + "etc/org.iasplatform.lifecycle.cfg to (ias.strategy=<one of them>)");
        }
        String name = strategy.get().name();
        PlacementRequest placement = new PlacementRequest(instanceId, applicationName, algorithmName, runtime);
        Optional<NodeStatus> chosen;
        try {
            chosen = strategy.get().strategy().choose(candidates, placement);
        } catch (RuntimeException e) {
            LOG.warn("Strategy {} failed to choose a node for instance {}", name, instanceId, e);
            return new Choice(null, name, "strategy " + name + " failed to choose a node: " + e);
        }
        List<String> ids = candidates.stream().map(NodeStatus::nodeId).toList();
        if (chosen == null || chosen.isEmpty()) {
            return new Choice(null, name, "strategy " + name + " chose none of the candidate nodes " + ids);
        }
        String chosenId = chosen.get().nodeId();
        return candidates.stream().filter(n -> n.nodeId().equals(chosenId)).findFirst()
                .map(n -> new Choice(n, name, null))
                .orElseGet(() -> new Choice(null, name, "strategy " + name + " chose node " + chosenId
                        + ", which is not among the candidate nodes " + ids));
    }

    private static String noNode(String runtime, List<NodeStatus> known) {
        if (known.isEmpty()) {
            return "no node has sent a heartbeat: no node can run it; start a node (the platform's local node or a node "
                    + "distribution) and run it again";
        }
        return "no node that is UP offers runtime \"" + runtime + "\"; known nodes: " + known.stream()
                .map(n -> n.nodeId() + " (" + n.state() + ", runtimes " + n.runtimes() + ")")
                .collect(Collectors.joining(", "))
                + "; start a node offering " + runtime + " and run it again";
    }

    private static NodeStatus withInstances(NodeStatus n, int instances) {
        return instances == n.instances() ? n
                : new NodeStatus(n.nodeId(), n.host(), n.state(), n.cpu(), n.mem(), instances, n.runtimes(), n.epoch(),
                        n.lastHeartbeat());
    }

    // ------------------------------------------------------------------------------------------------- stop

    private void stop(String instanceId, JsonNode request) throws Exception {
        String reasonCode = request.path("reason").asText("stopped");
        String reason = "end_time".equals(reasonCode) ? "end time reached" : "stopped by request";
        String runId = request.path("run_id").asText("");
        Document current = store.find(instanceId).orElse(null);
        String currentRun = current == null ? null : Docs.str(current, "run_id");
        if ("end_time".equals(reasonCode) && !runId.isEmpty() && currentRun != null && !runId.equals(currentRun)) {
            LOG.info("Instance {}: ignoring the end-time stop of run {}, it now runs {}", instanceId, runId, currentRun);
            return;
        }
        long now = clock.millis();
        if (InstanceStore.isInterrupted(current)) {
            long interrupted = InstanceStore.generation(current);
            boolean[] stopped = new boolean[1];
            Document[] fence = new Document[1];
            Optional<Document> after = store.mutate(instanceId, d -> {
                stopped[0] = InstanceStore.isInterrupted(d) && InstanceStore.generation(d) == interrupted;
                fence[0] = stopped[0] ? unreported(d, now) : null;
                return stopped[0] ? stoppedWhileRestarting(d, reason, reasonCode, now, fence[0]) : null;
            });
            if (stopped[0]) {
                LOG.info("Instance {}: stop ({}) while RESTARTING ({}): STOPPED, not started again", instanceId,
                        reasonCode, InstanceStore.cause(InstanceStore.interruption(current)));
                if (fence[0] != null) {
                    fenceQuietly(instanceId, fence[0], reasonCode);
                }
                return;
            }
            current = after.orElse(null); // placed again meanwhile: stopped below like any active instance
        }
        if (InstanceStore.isActive(current) && Docs.str(current, "node") != null) {
            long generation = InstanceStore.generation(current);
            sendFences(instanceId, current, reasonCode);
            sendStop(Docs.str(current, "node"), instanceId, generation, reasonCode);
            store.mutate(instanceId, d -> d == null || InstanceStore.generation(d) != generation ? null
                    : stopRequested(d, reason, reasonCode, now));
            LOG.info("Instance {} (generation {}): stop ({}) sent to node {}", instanceId, generation, reasonCode,
                    Docs.str(current, "node"));
            return;
        }
        store.mutate(instanceId, d -> {
            Document next = d != null ? d : InstanceStore.newRecord(instanceId, now);
            putIfGiven(next, "job_id", Docs.text(request, "job_id"));
            InstanceState state = InstanceStore.state(d);
            if (d == null || state == InstanceState.SCHEDULED) {
                next.put("state", InstanceState.STOPPED.name());
                next.put("reason", reason);
                next.put("ended_at", Docs.date(now));
            } else if (state.isActive()) {
                return null; // placed meanwhile (cannot happen within one partition): the next stop will reach it
            }
            return stopRequested(next, reason, reasonCode, now);
        });
        LOG.info("Instance {}: stop ({}) with nothing running", instanceId, reasonCode);
    }

    /**
     * An instance RESTARTING (its node stopped, restarted or went down, or it crashed) runs nowhere as far as the records
     * go: a stop ends it at once and cancels its restart. {@code fence}: the stop still to send to the node it was
     * interrupted on (stored among {@code fenced} before it is sent), or null.
     */
    private static Document stoppedWhileRestarting(Document d, String reason, String reasonCode, long now,
            Document fence) {
        d.put("state", InstanceState.STOPPED.name());
        d.put("reason", reason);
        d.put("ended_at", Docs.date(now));
        d.put("exit_code", null);
        d.put("token_sha256", null);
        d.remove(InstanceStore.INTERRUPTION);
        d.remove(InstanceStore.RESTART_PENDING);
        if (fence != null) {
            d.put(InstanceStore.FENCED, Fencing.withFence(d, fence));
        }
        return stopRequested(d, reason, reasonCode, now);
    }

    /**
     * For an interruption the node never reported (its node went DOWN, or came back under a new epoch without a word of
     * it), the stop to send to that node in case it still runs (or is yet to start) that generation: {@code {node,
     * generation, at}}; null otherwise.
     */
    private static Document unreported(Document d, long now) {
        Document interruption = InstanceStore.interruption(d);
        if (interruption == null || !Boolean.FALSE.equals(interruption.get("reported"))
                || interruption.getString("node") == null) {
            return null;
        }
        return new Document("node", interruption.getString("node"))
                .append("generation", Docs.longOf(interruption, "generation", InstanceStore.generation(d)))
                .append("at", Docs.date(now));
    }

    /**
     * Sends a stored fence; a failure is only logged: the node, when it lists the instance in a heartbeat, is fenced
     * again ({@link Fencing}).
     */
    private void fenceQuietly(String instanceId, Document fence, String reason) {
        try {
            sendStop(fence.getString("node"), instanceId, Docs.longOf(fence, "generation", 0), reason);
        } catch (Exception e) {
            LOG.warn("Instance {}: the stop of generation {} could not be sent to node {} (sent again if that node "
                    + "lists it): {}", instanceId, fence.get("generation"), fence.get("node"), e.toString());
        }
    }

    private static Document stopRequested(Document d, String reason, String reasonCode, long now) {
        d.put("stop_requested", reason);
        if ("stopped".equals(reasonCode)) {
            d.put("stopped_by_request", true); // a late SCHEDULED of the job's acceptance must not revive it
        }
        d.put("updated_at", Docs.date(now));
        return d;
    }

    // ------------------------------------------------------------------------------------------------- publishing

    /**
     * Sends the stops of the record's {@code fences}: earlier generations of a re-placement ({@link RestartHandler}) that
     * may still start on their nodes.
     */
    void sendFences(String instanceId, Document d, String reason) throws Exception {
        for (Document fence : fences(d)) {
            sendStop(Docs.str(fence, "node"), instanceId, Docs.longOf(fence, "generation", 0), reason);
        }
    }

    /** The record's {@code fences} ({@code [{node, generation}]}); empty when it has none. */
    static List<Document> fences(Document d) {
        Object v = d == null ? null : d.get(FENCES);
        if (!(v instanceof List<?> list)) {
            return List.of();
        }
        return list.stream().filter(Document.class::isInstance).map(Document.class::cast)
                .filter(f -> Docs.str(f, "node") != null).toList();
    }

    void sendStop(String node, String instanceId, long generation, String reason) throws Exception {
        ObjectNode command = mapper.createObjectNode();
        command.put("op", "stop");
        command.put("instance_id", instanceId);
        command.put("generation", generation);
        command.put("reason", reason);
        publishToNode(node, instanceId, command);
    }

    void publishToNode(String node, String instanceId, ObjectNode command) throws Exception {
        String topic = Topics.nodeCommands(node);
        if (!ensuredTopics.contains(topic)) {
            messaging.ensureTopics(List.of(topic));
            ensuredTopics.add(topic);
        }
        messaging.publish(topic, instanceId, command.toString()).toCompletableFuture().get();
    }

    private void publishFailed(String instanceId, JsonNode request, long generation, String reason, long now)
            throws Exception {
        ObjectNode event = mapper.createObjectNode();
        event.put("instance_id", instanceId);
        event.set("job_id", request.get("job_id"));
        event.set("run_id", request.get("run_id"));
        event.putNull("node");
        event.put("generation", generation);
        event.put("state", InstanceState.FAILED.name());
        event.putNull("exit_code");
        event.put("reason", reason);
        event.put("timestamp", now);
        event.put("source", SOURCE);
        messaging.publish(Topics.INSTANCE_EVENTS, instanceId, event.toString()).toCompletableFuture().get();
    }

    private static void putIfGiven(Document d, String field, String value) {
        if (value != null) {
            d.put(field, value);
        }
    }
}
