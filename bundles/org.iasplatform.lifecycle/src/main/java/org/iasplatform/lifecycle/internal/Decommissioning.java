package org.iasplatform.lifecycle.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import org.bson.Document;
import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.node.Decommission;
import org.iasplatform.api.node.NodeDecommissioning;
import org.iasplatform.api.node.NodeState;
import org.iasplatform.api.node.NodeStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.MongoException;

/**
 * Decommissioning nodes ({@link NodeDecommissioning}), driven by the component's periodic sweep:
 * <ol>
 * <li>{@link #decommission}: the node gets a DRAINING mark in {@code slc.nodes} ({@link NodeTable}); from then on it is
 * no candidate of any placement (only UP nodes are). Refused (CONFLICT) when it runs instances and, for one of their
 * runtimes, no other node that is UP offers it, unless forced.</li>
 * <li>At every sweep, each instance active on a DRAINING node (by the records) is marked {@code draining} ({@code {node,
 * generation, at}}, compare-and-set) and its generation is sent a stop there. The node's STOPPED (or FAILED) of that
 * generation makes it RESTARTING with an interruption of cause {@code node-decommissioned} ({@link InstanceEventHandler});
 * {@link RestartHandler} then places it through the strategy in force among the UP nodes, with the next generation:
 * it is stopped on the draining node before it starts elsewhere, and the generation fencing keeps it from running
 * twice. A node that does not confirm the stop within {@code drain_timeout_ms} has the instance taken from it as from a
 * DOWN node (RESTARTING, unreported: the re-placement sends the stop again before the new start).</li>
 * <li>Once nothing is active on it by the records and its last heartbeat lists nothing running (or it is not heard any
 * more), the node is marked DECOMMISSIONED (compare-and-set: one platform instance does it) and sent
 * {@code {"op": "shutdown", "node_id", "node_epoch", "reason"}} on its command topic; its agent stops what it runs and
 * shuts its Karaf down. While a DECOMMISSIONED node is still heard under that epoch, the shutdown is sent again every
 * {@link #RESEND_MS}.</li>
 * </ol>
 */
final class Decommissioning implements NodeDecommissioning {
    private static final Logger LOG = LoggerFactory.getLogger(Decommissioning.class);
    /** How long a shutdown not obeyed (the node still beats under the same epoch) waits before it is sent again. */
    static final long RESEND_MS = 30_000;
    static final String SHUTDOWN = "shutdown";

    private final InstanceStore store;
    private final NodeTable nodes;
    private final PlacementHandler placement;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final LongSupplier drainTimeoutMs;
    /** Per node, when its shutdown was last sent by this platform instance. */
    private final Map<String, Long> shutdownSent = new ConcurrentHashMap<>();

    /** @param drainTimeoutMs how long a node being drained has to confirm the stop of an instance */
    Decommissioning(InstanceStore store, NodeTable nodes, PlacementHandler placement, ObjectMapper mapper, Clock clock,
            LongSupplier drainTimeoutMs) {
        this.store = store;
        this.nodes = nodes;
        this.placement = placement;
        this.mapper = mapper;
        this.clock = clock;
        this.drainTimeoutMs = drainTimeoutMs;
    }

    @Override
    public Decommission decommission(String nodeId, boolean force) throws IasException {
        NodeStatus node = nodes.node(nodeId).orElseThrow(() -> new IasException(ErrorKind.NOT_FOUND, "node_id",
                "there is no node \"" + nodeId + "\"; expected the id of a node listed by GET /nodes"));
        try {
            if (nodes.decommission(nodeId).isEmpty()) {
                List<Document> active = store.activeOn(nodeId);
                if (!active.isEmpty() && !force) {
                    refuseIfNowhereToGo(node, active);
                }
                nodes.beginDecommission(nodeId, force);
                LOG.info("Node {} is being decommissioned{}: {} instances to move ({})", nodeId,
                        force ? " (forced)" : "", active.size(), ids(active));
            }
            drain(nodeId);
        } catch (MongoException e) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", "the store cannot be reached, node " + nodeId
                    + " is not decommissioned: " + e.getMessage());
        }
        return describe(nodeId);
    }

    /** CONFLICT naming the instances that could go nowhere, and why. */
    private void refuseIfNowhereToGo(NodeStatus node, List<Document> active) throws IasException {
        Map<String, List<String>> stranded = new LinkedHashMap<>();
        for (Document d : active) {
            String runtime = runtime(d);
            if (placement.candidates(nodes.nodes(), runtime, n -> !n.nodeId().equals(node.nodeId())).isEmpty()) {
                stranded.computeIfAbsent(runtime, r -> new ArrayList<>()).add(Docs.str(d, "_id"));
            }
        }
        if (stranded.isEmpty()) {
            return;
        }
        String which = stranded.entrySet().stream().map(e -> e.getValue().size() + " of runtime " + e.getKey() + " ("
                + String.join(", ", e.getValue()) + ")").collect(Collectors.joining("; "));
        throw new IasException(ErrorKind.CONFLICT, "node_id", "node " + node.nodeId() + " runs instances no other node "
                + "can take: " + which + "; no other node that is UP offers their runtime, so there is nowhere to drain "
                + "them to. Start another node first, or decommission with force (they then wait RESTARTING until a "
                + "node can take them)");
    }

    private static String runtime(Document d) {
        if (d.get("launch") instanceof Document launch && launch.getString("runtime") != null) {
            return launch.getString("runtime");
        }
        return Optional.ofNullable(Docs.str(d, "runtime")).orElse("?");
    }

    /** The decommissioning of {@code nodeId} as it stands. */
    Decommission describe(String nodeId) {
        NodeTable.Decommission mark = nodes.decommission(nodeId).orElse(null);
        List<Document> active = store.activeOn(nodeId);
        NodeState state = mark != null && mark.done() ? NodeState.DECOMMISSIONED : NodeState.DRAINING;
        String message = state == NodeState.DECOMMISSIONED ? "node " + nodeId + " runs nothing and was told to shut down"
                : active.isEmpty() ? "node " + nodeId + " runs nothing any more; it is told to shut down once its "
                        + "heartbeat lists nothing running"
                        : "moving " + active.size() + " instance" + (active.size() == 1 ? "" : "s") + " of node " + nodeId
                                + " to other nodes through the strategy in force; then it is told to shut down";
        return new Decommission(nodeId, state, mark == null ? null : Instant.ofEpochMilli(mark.requestedAt()),
                mark != null && mark.force(), ids(active), message);
    }

    // ------------------------------------------------------------------------------------------------- sweep

    /** One sweep: every DRAINING node is drained (and finished when empty); unobeyed shutdowns are sent again. */
    void sweep() {
        nodes.refreshDecommissions();
        for (Map.Entry<String, NodeTable.Decommission> e : nodes.decommissions().entrySet()) {
            try {
                if (e.getValue().done()) {
                    resendShutdown(e.getKey(), e.getValue());
                } else {
                    drain(e.getKey());
                }
            } catch (RuntimeException ex) {
                LOG.warn("Decommissioning node {}: {} (trying again at the next sweep)", e.getKey(), ex.toString());
            }
        }
    }

    /** Stops the instances active on a DRAINING node (once each), takes those it does not confirm; finishes when empty. */
    private void drain(String nodeId) {
        long now = clock.millis();
        List<Document> active = store.activeOn(nodeId);
        for (Document d : active) {
            Document draining = d.get(InstanceStore.DRAINING) instanceof Document m ? m : null;
            long generation = InstanceStore.generation(d);
            if (draining == null || Docs.longOf(draining, "generation", -1) != generation
                    || !nodeId.equals(draining.getString("node"))) {
                stopThere(nodeId, d);
            } else if (draining.get("at") instanceof Date at && now - at.getTime() > drainTimeoutMs.getAsLong()) {
                takeUnconfirmed(nodeId, d);
            }
        }
        if (active.isEmpty() && runsNothing(nodeId)) {
            finish(nodeId);
        }
    }

    /** Marks the instance draining and sends the stop of its generation to the node (once: compare-and-set first). */
    private void stopThere(String nodeId, Document found) {
        String instanceId = Docs.str(found, "_id");
        long generation = InstanceStore.generation(found);
        long now = clock.millis();
        String reason = "node " + nodeId + " is being decommissioned: moving it to another node";
        boolean[] mine = new boolean[1];
        store.mutate(instanceId, d -> {
            Document draining = d == null ? null : d.get(InstanceStore.DRAINING) instanceof Document m ? m : null;
            mine[0] = InstanceStore.isActive(d) && !InstanceStore.isInterrupted(d) && nodeId.equals(Docs.str(d, "node"))
                    && InstanceStore.generation(d) == generation
                    && (draining == null || Docs.longOf(draining, "generation", -1) != generation);
            if (!mine[0]) {
                return null;
            }
            d.put(InstanceStore.DRAINING, new Document("node", nodeId).append("generation", generation)
                    .append("at", Docs.date(now)));
            if (d.get("stop_requested") == null) {
                d.put("reason", reason);
            }
            d.put("updated_at", Docs.date(now));
            return d;
        });
        if (!mine[0]) {
            return;
        }
        try {
            placement.sendStop(nodeId, instanceId, generation, reason);
            LOG.info("Instance {} (generation {}): stop sent to node {}, which is being decommissioned", instanceId,
                    generation, nodeId);
        } catch (Exception e) {
            // the mark stays: after drain_timeout_ms the instance is taken from the node like from a DOWN one
            LOG.warn("Instance {}: the stop of generation {} could not be sent to node {} (it is taken from it after "
                    + "{} ms): {}", instanceId, generation, nodeId, drainTimeoutMs.getAsLong(), e.toString());
        }
    }

    /**
     * The node did not confirm the stop in time: the instance is RESTARTING as from a DOWN node (unreported, so that its
     * re-placement sends the stop again before the new start), and placed by {@link RestartHandler}.
     */
    private void takeUnconfirmed(String nodeId, Document found) {
        String instanceId = Docs.str(found, "_id");
        long generation = InstanceStore.generation(found);
        long now = clock.millis();
        long epoch = nodes.node(nodeId).map(NodeStatus::epoch).orElse(0L);
        boolean[] taken = new boolean[1];
        store.mutate(instanceId, d -> {
            taken[0] = InstanceStore.isActive(d) && !InstanceStore.isInterrupted(d)
                    && nodeId.equals(Docs.str(d, "node")) && InstanceStore.generation(d) == generation;
            if (!taken[0]) {
                return null;
            }
            String unconfirmed = "node " + nodeId + " is being decommissioned and did not confirm the stop within "
                    + RestartPolicy.seconds(drainTimeoutMs.getAsLong()) + " s";
            d.remove(InstanceStore.DRAINING);
            RestartHandler.takenFrom(d, nodeId, generation, InstanceStore.CAUSE_NODE_DECOMMISSIONED, epoch, unconfirmed,
                    "another node", now);
            return d;
        });
        if (taken[0]) {
            LOG.warn("Instance {} (generation {}): node {} did not confirm its stop within {} ms; taken from it",
                    instanceId, generation, nodeId, drainTimeoutMs.getAsLong());
        }
    }

    /** Whether the node's last heartbeat lists nothing running, or it is not heard any more. */
    private boolean runsNothing(String nodeId) {
        Optional<NodeStatus> node = nodes.node(nodeId);
        if (node.isEmpty() || node.get().state() == NodeState.DOWN) {
            return true;
        }
        return nodes.runningOn(nodeId).map(r -> r.instances().isEmpty()).orElse(node.get().instances() == 0);
    }

    /** DRAINING → DECOMMISSIONED (compare-and-set), then the shutdown. */
    private void finish(String nodeId) {
        long epoch = nodes.node(nodeId).map(NodeStatus::epoch).orElse(0L);
        if (!nodes.finishDecommission(nodeId, epoch)) {
            return;
        }
        LOG.info("Node {} runs nothing any more: DECOMMISSIONED; telling it to shut down", nodeId);
        sendShutdown(nodeId, epoch);
    }

    /** A DECOMMISSIONED node still heard under the epoch it was told to shut down with is told again, now and then. */
    private void resendShutdown(String nodeId, NodeTable.Decommission mark) {
        Optional<NodeStatus> node = nodes.node(nodeId);
        long now = clock.millis();
        Long sent = shutdownSent.get(nodeId);
        if (node.isEmpty() || node.get().epoch() != mark.epoch() || node.get().lastHeartbeat() <= mark.doneAt() + RESEND_MS
                || now - node.get().lastHeartbeat() > nodes.suspectMs() || (sent != null && now - sent < RESEND_MS)) {
            return;
        }
        LOG.warn("Node {} was told to shut down {} s ago and still sends heartbeats; telling it again", nodeId,
                (now - mark.doneAt()) / 1000);
        sendShutdown(nodeId, mark.epoch());
    }

    private void sendShutdown(String nodeId, long epoch) {
        ObjectNode command = mapper.createObjectNode();
        command.put("op", SHUTDOWN);
        command.put("node_id", nodeId);
        command.put("node_epoch", epoch);
        command.put("reason", "decommissioned");
        try {
            placement.publishToNode(nodeId, nodeId, command);
            shutdownSent.put(nodeId, clock.millis());
        } catch (Exception e) {
            LOG.warn("Node {}: the shutdown could not be sent (sent again while it is heard): {}", nodeId, e.toString());
        }
    }

    private static List<String> ids(List<Document> instances) {
        return instances.stream().map(d -> Docs.str(d, "_id")).toList();
    }
}
