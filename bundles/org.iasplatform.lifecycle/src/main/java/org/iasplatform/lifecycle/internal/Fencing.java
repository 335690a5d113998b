package org.iasplatform.lifecycle.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.bson.Document;
import org.iasplatform.api.deploy.InstanceState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fencing by heartbeat, run by the component's periodic sweep: a node agent lists in every heartbeat the instances it runs
 * with their generation ({@code "running": [{"instance_id", "generation"}]}). When a node lists a generation it must not
 * run, because the records have a newer generation of that instance (placed again elsewhere or on it, e.g. while it was
 * DOWN), or have it on another node, or have it ended (stopped, failed), or know no such instance, the node is sent a
 * stop of that generation on its command topic ({@code {"op": "stop", "instance_id", "generation", "reason"}}), so that
 * no instance runs twice once a node declared DOWN comes back. The node agent stops the generation it runs when the stop
 * names it, and ignores it when it runs a newer one.
 * <p>
 * Not fenced: an instance waiting RESTARTING whose interruption names this node and generation (its re-placement sends
 * the stop if the node may still run it, before the new start: see {@link RestartHandler}), and a generation newer than
 * the records' (they cannot be behind a node: a start is stored before it is sent).
 * <p>
 * Each heartbeat is checked once (per platform instance). A stop is recorded in the instance's {@code fenced}
 * ({@code [{node, generation, at}]}, one entry per node) by a compare-and-set <em>before</em> it is published, so that of
 * several platform instances one sends it, and it is not sent again to the same node for the same generation within
 * {@link #RESEND_MS} (the node may take a while to read its commands after it came back; a stop it did read and is still
 * listed after that long is sent again). An instance without a record (none exists: nothing should run it) is fenced
 * with the same rate, remembered in memory.
 */
final class Fencing {
    private static final Logger LOG = LoggerFactory.getLogger(Fencing.class);
    /** How long a fence sent to a node is not sent again for the same generation. */
    static final long RESEND_MS = 30_000;
    private static final int MAX_FENCED_ENTRIES = 8;

    private final InstanceStore store;
    private final NodeTable nodes;
    private final PlacementHandler placement;
    private final Clock clock;
    /** Per node, the receive time of the heartbeat last checked. */
    private final Map<String, Long> checked = new ConcurrentHashMap<>();
    /** Fences of instances without a record: "node/instance/generation" → when sent. */
    private final Map<String, Long> unknownSent = new ConcurrentHashMap<>();

    Fencing(InstanceStore store, NodeTable nodes, PlacementHandler placement, Clock clock) {
        this.store = store;
        this.nodes = nodes;
        this.placement = placement;
        this.clock = clock;
    }

    /** Checks the heartbeats received since the last sweep. */
    void sweep() {
        for (NodeTable.Running report : nodes.running()) {
            Long last = checked.get(report.nodeId());
            if (last != null && last == report.receivedAt()) {
                continue;
            }
            try {
                check(report);
                checked.put(report.nodeId(), report.receivedAt());
            } catch (RuntimeException e) {
                LOG.warn("Fencing node {} failed (trying again at the next sweep): {}", report.nodeId(), e.toString());
            }
        }
    }

    private void check(NodeTable.Running report) {
        if (report.instances().isEmpty()) {
            return;
        }
        Map<String, Document> records = store.findAll(report.instances().keySet());
        for (Map.Entry<String, Long> listed : report.instances().entrySet()) {
            String instanceId = listed.getKey();
            long generation = listed.getValue();
            Document d = records.get(instanceId);
            String why = mustStop(d, report.nodeId(), generation);
            if (why == null) {
                continue;
            }
            try {
                if (d == null) {
                    fenceUnknown(report.nodeId(), instanceId, generation, why);
                } else {
                    fence(report.nodeId(), instanceId, generation, why);
                }
            } catch (Exception e) {
                LOG.warn("Instance {}: the stop of generation {} could not be sent to node {} (sent again if the node "
                        + "still lists it in {} s): {}", instanceId, generation, report.nodeId(), RESEND_MS / 1000,
                        e.toString());
            }
        }
    }

    /**
     * Why {@code node} must not run {@code generation} of the instance whose record is {@code d} (null: no record); null
     * when it may.
     */
    static String mustStop(Document d, String node, long generation) {
        if (d == null) {
            return "fenced: server-lifecycle knows no such instance";
        }
        long current = InstanceStore.generation(d);
        String placedOn = Docs.str(d, "node");
        if (generation > current) {
            return null; // the records cannot be behind: not this platform's to judge
        }
        if (generation < current) {
            return "fenced: generation " + current + " of it was placed " + (node.equals(placedOn) ? "on this node"
                    : "on node " + placedOn);
        }
        if (InstanceStore.isInterrupted(d)) {
            Document interruption = InstanceStore.interruption(d);
            boolean same = node.equals(interruption.getString("node"))
                    && Docs.longOf(interruption, "generation", -1) == generation;
            return same ? null : "fenced: generation " + generation + " of it waits to be placed again";
        }
        if (!node.equals(placedOn)) {
            return "fenced: generation " + generation + " of it was placed on node " + placedOn;
        }
        InstanceState state = InstanceStore.state(d);
        if (!state.isActive()) {
            return "fenced: it is " + state + (d.get("reason") == null ? "" : " (" + Docs.str(d, "reason") + ")");
        }
        return null;
    }

    private void fence(String node, String instanceId, long generation, String why) throws Exception {
        long now = clock.millis();
        boolean[] mine = new boolean[1];
        store.mutate(instanceId, d -> {
            mine[0] = d != null && mustStop(d, node, generation) != null && !sentRecently(d, node, generation, now);
            if (!mine[0]) {
                return null;
            }
            d.put(InstanceStore.FENCED, withFence(d, new Document("node", node).append("generation", generation)
                    .append("at", Docs.date(now))));
            return d;
        });
        if (!mine[0]) {
            return;
        }
        placement.sendStop(node, instanceId, generation, why);
        LOG.info("Instance {}: node {} still runs generation {}; stop sent ({})", instanceId, node, generation, why);
    }

    private void fenceUnknown(String node, String instanceId, long generation, String why) throws Exception {
        long now = clock.millis();
        String key = node + "/" + instanceId + "/" + generation;
        Long sent = unknownSent.get(key);
        if (sent != null && now - sent < RESEND_MS) {
            return;
        }
        unknownSent.entrySet().removeIf(e -> now - e.getValue() >= RESEND_MS);
        placement.sendStop(node, instanceId, generation, why);
        unknownSent.put(key, now);
        LOG.warn("Node {} runs instance {} (generation {}), which server-lifecycle does not know; stop sent", node,
                instanceId, generation);
    }

    /** Whether a stop of {@code generation} was sent to {@code node} less than {@link #RESEND_MS} ago. */
    private static boolean sentRecently(Document d, String node, long generation, long now) {
        for (Document f : fenced(d)) {
            if (node.equals(f.getString("node")) && Docs.longOf(f, "generation", -1) == generation) {
                Instant at = Docs.instant(f, "at");
                return at != null && now - at.toEpochMilli() < RESEND_MS;
            }
        }
        return false;
    }

    /** The record's {@code fenced} entries. */
    static List<Document> fenced(Document d) {
        Object v = d == null ? null : d.get(InstanceStore.FENCED);
        if (!(v instanceof List<?> list)) {
            return List.of();
        }
        return list.stream().filter(Document.class::isInstance).map(Document.class::cast).toList();
    }

    /** The record's {@code fenced} with {@code fence} in place of the entry of its node (the newest few kept). */
    static List<Document> withFence(Document d, Document fence) {
        List<Document> result = new ArrayList<>();
        for (Document f : fenced(d)) {
            if (!fence.getString("node").equals(f.getString("node"))) {
                result.add(f);
            }
        }
        result.add(fence);
        return result.size() <= MAX_FENCED_ENTRIES ? result
                : new ArrayList<>(result.subList(result.size() - MAX_FENCED_ENTRIES, result.size()));
    }
}
