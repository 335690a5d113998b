package org.iasplatform.lifecycle.internal;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.exists;

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
import com.mongodb.client.model.UpdateOptions;
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
 * <p>
 * A node being decommissioned ({@link Decommissioning}) carries a {@code decommission} mark in {@code slc.nodes}
 * ({@code {state: DRAINING | DECOMMISSIONED, requested_at, force, epoch, done_at}}, written only by compare-and-set, never
 * by a heartbeat), re-read at every sweep so that every platform instance sees it. It is shown
 * {@link NodeState#DRAINING} while heard (a draining node silent for {@code downMs} is DOWN, so that its instances are
 * moved as from any DOWN node), then {@link NodeState#DECOMMISSIONED} whatever its heartbeats; a heartbeat of a later
 * agent (a higher epoch than when it was decommissioned) removes the mark: the node was started again and is back in
 * service.
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

    /**
     * A node's decommissioning: {@code state} DRAINING or DECOMMISSIONED; {@code epoch}: the node agent's epoch when it was
     * DECOMMISSIONED (and told to shut down), 0 before; times on the platform's clock.
     */
    record Decommission(NodeState state, long requestedAt, boolean force, long epoch, long doneAt) {
        static final String FIELD = "decommission";

        static Decommission of(Document d) {
            String state = Docs.str(d, "state");
            return new Decommission(NodeState.DECOMMISSIONED.name().equals(state) ? NodeState.DECOMMISSIONED
                    : NodeState.DRAINING, Optional.ofNullable(Docs.instant(d, "requested_at")).map(i -> i.toEpochMilli())
                            .orElse(0L), Boolean.TRUE.equals(d.get("force")), Docs.longOf(d, "epoch", 0),
                    Optional.ofNullable(Docs.instant(d, "done_at")).map(i -> i.toEpochMilli()).orElse(0L));
        }

        boolean done() {
            return state == NodeState.DECOMMISSIONED;
        }
    }

    private final MongoCollection<Document> store;
    private final Clock clock;
    private final ConcurrentMap<String, Node> nodes = new ConcurrentHashMap<>();
    /** The state last recorded per node (by {@link #sweep()} and heartbeats). */
    private final ConcurrentMap<String, NodeState> recorded = new ConcurrentHashMap<>();
    /** The decommission marks, as last read from (or written to) the store. */
    private final ConcurrentMap<String, Decommission> decommissions = new ConcurrentHashMap<>();
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

    /** What the last heartbeat of {@code nodeId} said it runs; empty when unknown or not listed. */
    Optional<Running> runningOn(String nodeId) {
        Node n = nodes.get(nodeId);
        return n == null || n.running() == null ? Optional.empty()
                : Optional.of(new Running(n.nodeId(), n.receivedAt(), n.running()));
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
            if (d.get(Decommission.FIELD) instanceof Document mark) {
                decommissions.put(id, Decommission.of(mark));
            }
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
        rejoined(id, node.epoch());
        NodeState was = recorded.put(id, NodeState.UP);
        if (before == null || was != NodeState.UP) {
            LOG.info("Node {} ({}) is UP, offering {}", id, node.host(), runtimes);
        } else if (before.epoch() != node.epoch()) {
            LOG.info("Node {} restarted (epoch {} -> {})", id, before.epoch(), node.epoch());
        }
        persist(node, NodeState.UP);
        return Optional.of(status(node, now));
    }

    /**
     * A decommissioned node whose heartbeat comes from a later agent (it was started again) is back in service: its mark
     * is removed (by compare-and-set on the mark's epoch; a store failure leaves it for the next heartbeat).
     */
    private void rejoined(String nodeId, long epoch) {
        Decommission mark = decommissions.get(nodeId);
        if (mark == null || !mark.done() || epoch <= mark.epoch()) {
            return;
        }
        try {
            store.updateOne(and(eq("_id", nodeId), eq(Decommission.FIELD + ".epoch", mark.epoch())),
                    Updates.unset(Decommission.FIELD));
        } catch (MongoException e) {
            storeFailed(e);
            return;
        }
        decommissions.remove(nodeId, mark);
        LOG.info("Node {} was started again (epoch {}) after it was decommissioned: back in service", nodeId, epoch);
    }

    /** The decommission mark of {@code nodeId}, if it has one. */
    Optional<Decommission> decommission(String nodeId) {
        return Optional.ofNullable(nodeId == null ? null : decommissions.get(nodeId));
    }

    /** The nodes with a decommission mark. */
    Map<String, Decommission> decommissions() {
        return Map.copyOf(decommissions);
    }

    /**
     * Marks {@code nodeId} DRAINING in the store unless it has a mark already (compare-and-set); returns the mark in
     * force afterwards.
     *
     * @throws MongoException when the store cannot be reached (nothing is marked)
     */
    Decommission beginDecommission(String nodeId, boolean force) {
        long now = clock.millis();
        Document mark = new Document("state", NodeState.DRAINING.name()).append("requested_at", Docs.date(now))
                .append("force", force).append("epoch", 0L);
        // the node's document exists (a heartbeat may not have been stored), then the mark is set unless there is one
        store.updateOne(eq("_id", nodeId), Updates.setOnInsert("node_id", nodeId), new UpdateOptions().upsert(true));
        store.updateOne(and(eq("_id", nodeId), exists(Decommission.FIELD, false)), Updates.set(Decommission.FIELD, mark));
        refreshDecommissions();
        return decommissions.get(nodeId);
    }

    /**
     * Marks a DRAINING node DECOMMISSIONED (compare-and-set), recording the epoch of the agent told to shut down; true
     * when this call changed it (the caller then sends the shutdown).
     */
    boolean finishDecommission(String nodeId, long epoch) {
        long now = clock.millis();
        boolean changed = store.updateOne(and(eq("_id", nodeId), eq(Decommission.FIELD + ".state",
                NodeState.DRAINING.name())), Updates.combine(Updates.set(Decommission.FIELD + ".state",
                        NodeState.DECOMMISSIONED.name()), Updates.set(Decommission.FIELD + ".epoch", epoch),
                        Updates.set(Decommission.FIELD + ".done_at", Docs.date(now)))).getModifiedCount() == 1;
        refreshDecommissions();
        return changed;
    }

    /** Reads the decommission marks from the store (other platform instances may have set or removed some). */
    void refreshDecommissions() {
        Map<String, Decommission> read = new java.util.HashMap<>();
        for (Document d : store.find(exists(Decommission.FIELD, true))) {
            if (d.get(Decommission.FIELD) instanceof Document mark) {
                read.put(Docs.str(d, "_id"), Decommission.of(mark));
            }
        }
        decommissions.keySet().retainAll(read.keySet());
        decommissions.putAll(read);
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
                Decommission mark = decommissions.get(e.getKey());
                if (mark != null && mark.done()) {
                    LOG.debug("Decommissioned node {} is {} (was {})", e.getKey(), state, was);
                } else {
                    LOG.info("Node {} is {} (was {}; last heartbeat {} ms ago)", e.getKey(), state, was,
                            now - e.getValue().receivedAt());
                }
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

    /** The node's state as shown: its heartbeats' (UP, SUSPECT, DOWN), or DRAINING, DECOMMISSIONED. */
    private NodeStatus status(Node n, long now) {
        NodeState heard = stateOf(n, now);
        Decommission mark = decommissions.get(n.nodeId());
        NodeState shown = mark == null ? heard : mark.done() ? NodeState.DECOMMISSIONED
                : heard == NodeState.DOWN ? NodeState.DOWN : NodeState.DRAINING;
        return new NodeStatus(n.nodeId(), n.host(), shown, n.cpu(), n.mem(), n.instances(), n.runtimes(), n.epoch(),
                n.receivedAt());
    }

    /** Stores the heartbeat's fields (a {@code decommission} mark, written by compare-and-set only, stays). */
    private void persist(Node n, NodeState state) {
        Document doc = new Document("node_id", n.nodeId()).append("host", n.host())
                .append("state", state.name()).append("cpu", n.cpu()).append("mem", n.mem())
                .append("load", 0.5 * n.mem() + 0.5 * n.cpu()).append("instances", n.instances())
                .append("runtimes", n.runtimes()).append("epoch", n.epoch())
                .append("last_heartbeat", Docs.date(n.receivedAt())).append("reported_at", n.reportedAt());
        try {
            store.updateOne(eq("_id", n.nodeId()), new Document("$set", doc), new UpdateOptions().upsert(true));
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
