package org.iasplatform.lifecycle.internal;

import static com.mongodb.client.model.Filters.eq;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

import org.bson.Document;
import org.iasplatform.api.node.NodeState;
import org.iasplatform.api.node.NodeStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.MongoException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Updates;

/**
 * The nodes server-lifecycle knows, from their heartbeats ({@code {node_id, host, timestamp, cpu, mem, instances, epoch,
 * runtimes, running}} on {@code node_heartbeats}; {@code running}: the instances the node runs with their generation,
 * kept in memory for {@link Fencing}). A node is {@link NodeState#UP} while heartbeats arrive, {@link NodeState#SUSPECT}
 * after {@code suspectMs} of silence and {@link NodeState#DOWN} after {@code downMs}. Silence is measured on the
 * platform's own clock from when a heartbeat was received (never against the node's clock, which may be skewed), so
 * {@link NodeStatus#lastHeartbeat()} is that receive time.
 * <p>
 * The table lives in memory (every platform instance follows every heartbeat) and is mirrored in {@code slc.nodes}
 * ({@code _id} = node id), written on every heartbeat and on every state change found by {@link #sweep()}; it is loaded
 * from there on start, so nodes are known (as SUSPECT or DOWN until they beat again) after a platform restart. Store
 * failures are logged, never thrown: the in-memory table goes on.
 */
final class NodeTable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeTable.class);
    static final String COLLECTION = "nodes";

    /**
     * One node's last heartbeat; {@code receivedAt} on the platform's clock, {@code reportedAt} on the node's;
     * {@code running} null when the heartbeat did not list the instances (a node agent from before that field).
     */
    private record Node(String nodeId, String host, double cpu, double mem, int instances, List<String> runtimes,
            long epoch, long receivedAt, long reportedAt, Map<String, Long> running) {
    }

    /**
     * What a node's last heartbeat said it runs: instance id → generation; {@code receivedAt} (platform clock) tells one
     * heartbeat from the next.
     */
    record Running(String nodeId, long receivedAt, Map<String, Long> instances) {
    }

    /** A state change found by {@link #sweep()}. */
    record Transition(String nodeId, NodeState from, NodeState to) {
    }

    private final MongoCollection<Document> store;
    private final Clock clock;
    private final ConcurrentMap<String, Node> nodes = new ConcurrentHashMap<>();
    /** The state last recorded per node (by {@link #sweep()} and heartbeats). */
    private final ConcurrentMap<String, NodeState> recorded = new ConcurrentHashMap<>();
    private final AtomicLong storeFailures = new AtomicLong();
    private volatile long suspectMs = 3000;
    private volatile long downMs = 10_000;

    NodeTable(MongoCollection<Document> store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Sets the silences after which a node is SUSPECT and DOWN ({@code downMs} is raised to {@code suspectMs} if lower). */
    void setTimeouts(long suspectMs, long downMs) {
        this.suspectMs = Math.max(1, suspectMs);
        this.downMs = Math.max(this.suspectMs, downMs);
    }

    long suspectMs() {
        return suspectMs;
    }

    long downMs() {
        return downMs;
    }

    /** What the last heartbeat of every node that lists its instances said it runs. */
    List<Running> running() {
        return nodes.values().stream().filter(n -> n.running() != null)
                .map(n -> new Running(n.nodeId(), n.receivedAt(), n.running())).toList();
    }

    /** A heartbeat's {@code running} ({@code [{instance_id, generation}]}) as a map; null when absent or not a list. */
    private static Map<String, Long> running(JsonNode list) {
        if (list == null || !list.isArray()) {
            return null;
        }
        Map<String, Long> result = new LinkedHashMap<>();
        for (JsonNode item : list) {
            String instanceId = Docs.text(item, "instance_id");
            JsonNode generation = item.path("generation");
            if (instanceId != null && generation.canConvertToLong() && generation.isIntegralNumber()) {
                result.merge(instanceId, generation.asLong(), Math::max);
            }
        }
        return Collections.unmodifiableMap(result);
    }

    /** Loads the nodes stored by earlier runs (their state follows from their last heartbeat's age). */
    void load() {
        for (Document d : store.find()) {
            String id = Docs.str(d, "_id");
            List<String> runtimes = d.getList("runtimes", String.class, List.of());
            Node node = new Node(id, Docs.str(d, "host"), Docs.doubleOf(d, "cpu", 0), Docs.doubleOf(d, "mem", 0),
                    Docs.intOf(d, "instances", 0), List.copyOf(runtimes), Docs.longOf(d, "epoch", 0),
                    Optional.ofNullable(Docs.instant(d, "last_heartbeat")).map(i -> i.toEpochMilli()).orElse(0L),
                    Docs.longOf(d, "reported_at", 0), null);
            nodes.put(id, node);
            String state = Docs.str(d, "state");
            recorded.put(id, state == null ? NodeState.DOWN : NodeState.valueOf(state));
        }
        if (!nodes.isEmpty()) {
            LOG.info("Known nodes loaded: {}", nodes().stream().map(n -> n.nodeId() + " (" + n.state() + ")").toList());
        }
    }

    /** Records a heartbeat; returns the node's status, or empty when the heartbeat names no node. */
    Optional<NodeStatus> onHeartbeat(JsonNode beat) {
        String id = Docs.text(beat, "node_id");
        if (id == null) {
            LOG.debug("Ignoring a heartbeat without node_id: {}", beat);
            return Optional.empty();
        }
        List<String> runtimes = new ArrayList<>();
        beat.path("runtimes").forEach(r -> runtimes.add(r.asText()));
        long now = clock.millis();
        Node node = new Node(id, beat.path("host").asText(id), fraction(beat.path("cpu").asDouble(0)),
                fraction(beat.path("mem").asDouble(0)), Math.max(0, beat.path("instances").asInt(0)),
                List.copyOf(runtimes), beat.path("epoch").asLong(0), now, beat.path("timestamp").asLong(now),
                running(beat.get("running")));
        Node before = nodes.put(id, node);
        NodeState was = recorded.put(id, NodeState.UP);
        if (before == null || was != NodeState.UP) {
            LOG.info("Node {} ({}) is UP, offering {}", id, node.host(), runtimes);
        } else if (before.epoch() != node.epoch()) {
            LOG.info("Node {} restarted (epoch {} -> {})", id, before.epoch(), node.epoch());
        }
        persist(node, NodeState.UP);
        return Optional.of(status(node, now));
    }

    /** Every known node with its current state, by id. */
    List<NodeStatus> nodes() {
        long now = clock.millis();
        return nodes.values().stream().map(n -> status(n, now)).sorted(Comparator.comparing(NodeStatus::nodeId)).toList();
    }

    Optional<NodeStatus> node(String nodeId) {
        Node node = nodeId == null ? null : nodes.get(nodeId);
        return node == null ? Optional.empty() : Optional.of(status(node, clock.millis()));
    }

    /** Finds the nodes whose state changed since last recorded, records (and stores) the new state and returns them. */
    List<Transition> sweep() {
        long now = clock.millis();
        List<Transition> changes = new ArrayList<>();
        for (Map.Entry<String, Node> e : nodes.entrySet()) {
            NodeState state = stateOf(e.getValue(), now);
            NodeState was = recorded.put(e.getKey(), state);
            if (was != state) {
                changes.add(new Transition(e.getKey(), was, state));
                LOG.info("Node {} is {} (was {}; last heartbeat {} ms ago)", e.getKey(), state, was,
                        now - e.getValue().receivedAt());
                try {
                    store.updateOne(eq("_id", e.getKey()), Updates.set("state", state.name()));
                } catch (MongoException ex) {
                    storeFailed(ex);
                }
            }
        }
        return changes;
    }

    private NodeState stateOf(Node node, long now) {
        long silence = now - node.receivedAt();
        return silence <= suspectMs ? NodeState.UP : silence <= downMs ? NodeState.SUSPECT : NodeState.DOWN;
    }

    private NodeStatus status(Node n, long now) {
        return new NodeStatus(n.nodeId(), n.host(), stateOf(n, now), n.cpu(), n.mem(), n.instances(), n.runtimes(),
                n.epoch(), n.receivedAt());
    }

    private void persist(Node n, NodeState state) {
        Document doc = new Document("_id", n.nodeId()).append("node_id", n.nodeId()).append("host", n.host())
                .append("state", state.name()).append("cpu", n.cpu()).append("mem", n.mem())
                .append("load", 0.5 * n.mem() + 0.5 * n.cpu()).append("instances", n.instances())
                .append("runtimes", n.runtimes()).append("epoch", n.epoch())
                .append("last_heartbeat", Docs.date(n.receivedAt())).append("reported_at", n.reportedAt());
        try {
            store.replaceOne(eq("_id", n.nodeId()), doc, new ReplaceOptions().upsert(true));
            storeFailures.set(0);
        } catch (MongoException e) {
            storeFailed(e);
        }
    }

    private void storeFailed(MongoException e) {
        if (storeFailures.getAndIncrement() % 60 == 0) {
            LOG.warn("The node table cannot be stored in slc.{} (it is kept in memory): {}", COLLECTION, e.getMessage());
        }
    }

    private static double fraction(double v) {
        return Double.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
    }
}
