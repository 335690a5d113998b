package org.iasplatform.lifecycle.internal;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import org.bson.Document;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.node.LoadBalancingStrategy;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.testsupport.EmbeddedMongoResource;
import org.iasplatform.testsupport.RecordingMessaging;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoCollection;

/**
 * A server-lifecycle component over a real MongoDB-wire-protocol store, with recorded publishing, a test-controlled clock
 * and the handlers called directly with {@link Message}s.
 */
public abstract class LifecycleTestBase {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final long T0 = 1_714_557_600_000L; // 2024-05-01T10:00:00Z

    @ClassRule
    public static final EmbeddedMongoResource MONGO = new EmbeddedMongoResource();

    final ObjectMapper mapper = new ObjectMapper();
    final AtomicLong offsets = new AtomicLong(100);
    MutableClock clock;
    RecordingMessaging messaging;
    ServerLifecycleComponent slc;

    /** The seed's formula, least wins (as the least-load bundle does). */
    static final LoadBalancingStrategy LEAST_LOAD = (candidates, request) -> candidates.stream()
            .min(Comparator.comparingDouble(NodeStatus::load).thenComparing(NodeStatus::nodeId));
    /** Fewest instances wins (as the fewest-instances bundle does). */
    static final LoadBalancingStrategy FEWEST = (candidates, request) -> candidates.stream()
            .min(Comparator.comparingInt(NodeStatus::instances).thenComparing(NodeStatus::nodeId));

    @Before
    public void setUpComponent() {
        MONGO.freshDatabase(ServerLifecycleComponent.DATABASE);
        clock = new MutableClock(T0);
        messaging = new RecordingMessaging();
        slc = newComponent(Map.of());
    }

    @After
    public void stopComponent() {
        if (slc != null) {
            slc.stop();
        }
    }

    ServerLifecycleComponent newComponent(Map<String, Object> config) {
        return new ServerLifecycleComponent(MONGO.client(), messaging,
                Configs.of(ServerLifecycleComponent.Config.class, config), clock);
    }

    /** Starts the component as SCR would after binding, and lets the node table warm up. */
    void startAndWarmUp() {
        slc.start();
        Poll.until("following heartbeats", WAIT, slc::isFollowingHeartbeats);
        clock.advance(3001);
    }

    static Map<String, Object> strategyProps(String name) {
        return Map.of(LoadBalancingStrategy.PROPERTY_NAME, name);
    }

    MongoCollection<Document> instancesCollection() {
        return MONGO.database(ServerLifecycleComponent.DATABASE).getCollection(InstanceStore.COLLECTION);
    }

    MongoCollection<Document> nodesCollection() {
        return MONGO.database(ServerLifecycleComponent.DATABASE).getCollection(NodeTable.COLLECTION);
    }

    Document stored(String instanceId) {
        return instancesCollection().find(new Document("_id", instanceId)).first();
    }

    // ------------------------------------------------------------------------------------------------- messages

    void heartbeat(String nodeId, double cpu, double mem, int instances, String... runtimes) {
        heartbeat(nodeId, 42, cpu, mem, instances, runtimes);
    }

    /** A heartbeat of the node agent started at {@code epoch} (its start time, on the node's clock). */
    void heartbeat(String nodeId, long epoch, double cpu, double mem, int instances, String... runtimes) {
        heartbeat(nodeId, epoch, cpu, mem, instances, null, runtimes);
    }

    /**
     * A heartbeat listing the instances the node runs ({@code "running"}: instance id → generation; null: a heartbeat
     * without that field, as from an older node agent).
     */
    void heartbeat(String nodeId, long epoch, double cpu, double mem, int instances, Map<String, Long> running,
            String... runtimes) {
        ObjectNode beat = mapper.createObjectNode();
        if (running != null) {
            ArrayNode listed = beat.putArray("running");
            new TreeMap<>(running).forEach((id, generation) -> listed.addObject().put("instance_id", id)
                    .put("generation", generation));
        }
        beat.put("node_id", nodeId).put("host", nodeId + ".example").put("timestamp", clock.millis()).put("cpu", cpu)
                .put("mem", mem).put("instances", instances).put("epoch", epoch);
        ArrayNode list = beat.putArray("runtimes");
        for (String r : runtimes) {
            list.add(r);
        }
        slc.onHeartbeat(new Message(Topics.NODE_HEARTBEATS, nodeId, beat.toString(), clock.millis(), 0,
                offsets.getAndIncrement()));
    }

    ObjectNode startMessage(String instanceId, String runId, String runtime) {
        return TestMessages.start(mapper, instanceId, runId, runtime);
    }

    ObjectNode stopMessage(String instanceId, String runId, String reason) {
        return mapper.createObjectNode().put("op", "stop").put("run_id", runId).put("reason", reason)
                .put("job_id", "job-" + instanceId).put("instance_id", instanceId);
    }

    void place(ObjectNode message) throws Exception {
        slc.handlePlacement(new Message(Topics.DEPLOYER_TO_SLC, message.path("instance_id").asText(), message.toString(),
                clock.millis(), 0, offsets.getAndIncrement()));
    }

    /**
     * A node's event about an instance, from the node it was placed on; returns the message so that a test can deliver it
     * again.
     */
    Message event(String instanceId, Long generation, String state, Integer exitCode, String reason) throws Exception {
        return event(instanceId, generation, state, exitCode, reason, false);
    }

    /**
     * The node agent's FAILED when it stopped the instance because the agent itself stopped (e.g. for a platform restart),
     * with {@code "interrupted": true}.
     */
    Message interrupted(String instanceId, long generation) throws Exception {
        return event(instanceId, generation, "FAILED", null, "the node agent on " + stored(instanceId).getString("node")
                + " stopped", true);
    }

    private Message event(String instanceId, Long generation, String state, Integer exitCode, String reason,
            boolean interrupted) throws Exception {
        Document current = stored(instanceId);
        String node = current == null ? null : current.getString("node");
        ObjectNode e = mapper.createObjectNode();
        e.put("instance_id", instanceId).put("node", node).put("run_id", current == null ? null
                : current.getString("run_id")).put("state", state).put("timestamp", clock.millis());
        if (generation == null) {
            e.putNull("generation");
        } else {
            e.put("generation", generation);
        }
        if (exitCode == null) {
            e.putNull("exit_code");
        } else {
            e.put("exit_code", exitCode);
        }
        if (reason != null) {
            e.put("reason", reason);
        }
        if (interrupted) {
            e.put("interrupted", true);
        }
        Message m = new Message(Topics.INSTANCE_EVENTS, instanceId, e.toString(), clock.millis(), 1,
                offsets.getAndIncrement());
        slc.handleInstanceEvent(m);
        return m;
    }

    /** The scheduler's SCHEDULED for a newly accepted job. */
    Message scheduled(String instanceId) throws Exception {
        ObjectNode e = mapper.createObjectNode();
        e.put("instance_id", instanceId).putNull("node").putNull("generation").putNull("run_id").put("state", "SCHEDULED")
                .putNull("exit_code").put("timestamp", clock.millis()).put("job_id", "job-" + instanceId)
                .put("application_name", "Bus_management").put("algorithm_name", "lightControl");
        e.putArray("sensors").addObject().put("index", 0).put("sensor_instance_id", "si-1").put("sensor_type", "gps-sensor")
                .put("data_topic", Topics.dataTopic("si-1")).put("control_topic", Topics.controlTopic("si-1"));
        Message m = new Message(Topics.INSTANCE_EVENTS, instanceId, e.toString(), clock.millis(), 1,
                offsets.getAndIncrement());
        slc.handleInstanceEvent(m);
        return m;
    }

    /** The commands published to a node, parsed. */
    List<JsonNode> commands(String node) {
        return messaging.published(Topics.nodeCommands(node)).stream().map(p -> read(p.value())).toList();
    }

    Optional<JsonNode> lastCommand(String node) {
        List<JsonNode> list = commands(node);
        return list.isEmpty() ? Optional.empty() : Optional.of(list.get(list.size() - 1));
    }

    JsonNode read(String json) {
        try {
            return mapper.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
