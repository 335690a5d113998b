package org.iasplatform.lifecycle.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import org.bson.Document;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.node.NodeState;
import org.iasplatform.api.node.NodeStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Starting again what runs nowhere any more, run by the component's periodic sweep: what a node stopped running because
 * its node agent stopped (a platform or node restart), what ran on a node that went DOWN, and what crashed. These make an
 * instance RESTARTING with an {@code interruption} ({@code {node, generation, cause, after_epoch, reported, at,
 * not_before}} in {@code slc.instances}):
 * <ul>
 * <li>its node reported FAILED with {@code "interrupted": true} for its current generation
 * ({@link InstanceEventHandler}); {@code after_epoch} is the node's timestamp of that event;</li>
 * <li>{@link #checkEpochs()}: a node's heartbeat shows an epoch newer than anything known of an instance the records still
 * have active on it (placed under an earlier epoch, never reported since the new one started), e.g. the agent was killed
 * and came back without reporting; {@code after_epoch} is the last sign of that instance's life (the node's epoch at
 * placement, its last report).</li>
 * <li>{@link #checkDown()}: its node is DOWN (silent for {@code down_after_ms}, counted only while heartbeats are
 * followed: after a platform restart a node is not DOWN before it had that long to be heard); cause {@code node-down},
 * not reported (the node may still run it, e.g. cut off from the broker: the re-placement fences it). An instance on a
 * DOWN node whose stop was requested is STOPPED at once (the stop waits in the node's commands).</li>
 * <li>a crash ({@link InstanceEventHandler}, {@link RestartPolicy}): cause {@code crash}, placed again only once
 * {@code not_before} (the back-off's end) has passed.</li>
 * </ul>
 * {@link #replaceInterrupted()} then places each one as a normal start does: among the UP nodes offering its runtime
 * (after a node agent's stop or restart, the node it was interrupted on only once its epoch, the node agent's start time
 * on the node's own clock, is newer than {@code after_epoch}: an agent started after the interruption; after a crash or a
 * DOWN node, any of them: the strategy chooses, the same node included), through the strategy in force, with the next
 * generation, a fresh token, its stored launch, sensors and sensor types and the same run and job; {@code restarts} grows
 * by one. The record (STARTING, {@code restart_pending}) is stored before anything is published. An instance interrupted
 * without a report (the agent was killed) may still have its start waiting in its old node's commands: the stored record
 * names that generation among its {@code fences}, and a stop of it is sent to that node before the new start. While no
 * node can take it, it stays RESTARTING and is tried again at the next sweep. A re-placement whose start command was
 * stored but is not confirmed sent after {@link #RESEND_AFTER_MS} (the platform stopped in between, the broker failed) is
 * placed again under a new generation, its unconfirmed generation added to the fences (which are sent again, stops
 * being idempotent on the nodes).
 * <p>
 * Every change is a compare-and-set on the record: several platform instances may sweep at once, and only the one whose
 * change is stored publishes.
 */
final class RestartHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RestartHandler.class);
    /** How long a stored re-placement may wait for its start command to be confirmed sent before it is placed again. */
    static final long RESEND_AFTER_MS = 30_000;

    private final InstanceStore store;
    private final NodeTable nodes;
    private final PlacementHandler placement;
    private final Tokens tokens;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final BooleanSupplier nodeTableReady;
    private final LongSupplier followingSince;

    /**
     * @param nodeTableReady false while heartbeats have not been followed long enough for the node table to be current
     *                       (nothing is placed again before)
     * @param followingSince since when (platform clock) heartbeats are followed without interruption; negative while
     *                       they are not (no node is taken for DOWN before it was given {@code down_after_ms} of that)
     */
    RestartHandler(InstanceStore store, NodeTable nodes, PlacementHandler placement, Tokens tokens, ObjectMapper mapper,
            Clock clock, BooleanSupplier nodeTableReady, LongSupplier followingSince) {
        this.store = store;
        this.nodes = nodes;
        this.placement = placement;
        this.tokens = tokens;
        this.mapper = mapper;
        this.clock = clock;
        this.nodeTableReady = nodeTableReady;
        this.followingSince = followingSince;
    }

    /**
     * One sweep: orphans of restarted nodes and the instances of DOWN nodes become RESTARTING, then whatever is RESTARTING
     * (and past its back-off) is placed again if it can.
     */
    void sweep() {
        checkEpochs();
        checkDown();
        if (nodeTableReady.getAsBoolean()) {
            replaceInterrupted();
        }
    }

    // ------------------------------------------------------------------------------------------------- new epochs

    /**
     * For every UP node: the instances the records have active on it that were placed under an earlier epoch and never
     * reported since this one started become RESTARTING (unless a stop was requested: the node answers that one). Checked
     * at every sweep (one indexed query per UP node, usually empty), so that a placement stored just after a new epoch
     * was seen is not missed: the new agent does not run a start addressed to an earlier epoch ({@code node_epoch}).
     */
    void checkEpochs() {
        for (NodeStatus node : nodes.nodes()) {
            if (node.state() != NodeState.UP && node.state() != NodeState.DRAINING) {
                continue;
            }
            for (Document d : store.activeOnBefore(node.nodeId(), node.epoch())) {
                orphaned(d, node);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- DOWN nodes

    /**
     * For every node DOWN for {@code down_after_ms} of heartbeats followed: its active instances become RESTARTING (cause
     * {@code node-down}), to be placed on a healthy node in this same sweep; those whose stop was requested become STOPPED.
     * Only while some node is UP: when no node at all is heard, the heartbeats are more likely not reaching this platform
     * (the broker restarts, the follower is cut off) than every node dead, and moving everything would only restart
     * every instance once they are heard again.
     */
    void checkDown() {
        long since = followingSince.getAsLong();
        if (since < 0) {
            return;
        }
        long now = clock.millis();
        List<NodeStatus> known = nodes.nodes();
        if (known.stream().noneMatch(n -> n.state() == NodeState.UP)) {
            return;
        }
        for (NodeStatus node : known) {
            long silent = now - Math.max(node.lastHeartbeat(), since);
            if (node.state() != NodeState.DOWN || silent <= nodes.downMs()) {
                continue;
            }
            for (Document d : store.activeOn(node.nodeId())) {
                nodeDown(d, node, now - node.lastHeartbeat());
            }
        }
    }

    private void nodeDown(Document found, NodeStatus node, long silentMs) {
        String instanceId = Docs.str(found, "_id");
        long generation = InstanceStore.generation(found);
        long now = clock.millis();
        String[] outcome = new String[1];
        store.mutate(instanceId, d -> {
            outcome[0] = null;
            if (d == null || !InstanceStore.isActive(d) || InstanceStore.isInterrupted(d)
                    || InstanceStore.generation(d) != generation || !node.nodeId().equals(Docs.str(d, "node"))) {
                return null;
            }
            String down = "node " + node.nodeId() + " down (no heartbeat for " + RestartPolicy.seconds(silentMs) + " s)";
            outcome[0] = takenFrom(d, node.nodeId(), generation, InstanceStore.CAUSE_NODE_DOWN, node.epoch(), down,
                    "a healthy node", now).name();
            return d;
        });
        if (outcome[0] != null) {
            LOG.info("Instance {} (generation {}): node {} is DOWN (silent for {} ms): {}", instanceId, generation,
                    node.nodeId(), silentMs, outcome[0]);
        }
    }

    /**
     * An active instance taken from a node that did not report its end ({@code why}: it went DOWN, or did not confirm a
     * stop): STOPPED when its stop was requested (that stop is done), else RESTARTING with an unreported interruption of
     * {@code cause} (its re-placement sends the stop of {@code generation} to that node before the new start), placed by
     * {@link #replaceInterrupted()} on {@code elsewhere}. Changes {@code d}; returns the state it got.
     */
    static InstanceState takenFrom(Document d, String node, long generation, String cause, long afterEpoch, String why,
            String elsewhere, long now) {
        d.put("token_sha256", null);
        d.remove(InstanceStore.RESTART_PENDING);
        d.put("updated_at", Docs.date(now));
        String stopRequested = Docs.str(d, "stop_requested");
        if (stopRequested != null) {
            d.put("state", InstanceState.STOPPED.name());
            d.put("reason", stopRequested + " (" + why + " meanwhile)");
            d.put("ended_at", Docs.date(now));
            d.put("exit_code", null);
            return InstanceState.STOPPED;
        }
        d.put("state", InstanceState.RESTARTING.name());
        d.put("reason", why + "; starting it again on " + elsewhere);
        d.put(InstanceStore.INTERRUPTION, new Document("node", node).append("generation", generation)
                .append("cause", cause).append("after_epoch", afterEpoch).append("reported", false)
                .append("at", Docs.date(now)));
        return InstanceState.RESTARTING;
    }

    private void orphaned(Document found, NodeStatus node) {
        String instanceId = Docs.str(found, "_id");
        long generation = InstanceStore.generation(found);
        Optional<Long> lastAlive = lastAlive(found);
        if (found.get("stop_requested") != null || lastAlive.isEmpty() || lastAlive.get() >= node.epoch()) {
            return;
        }
        long now = clock.millis();
        boolean[] changed = new boolean[1];
        store.mutate(instanceId, d -> {
            changed[0] = d != null && InstanceStore.isActive(d) && !InstanceStore.isInterrupted(d)
                    && InstanceStore.generation(d) == generation && node.nodeId().equals(Docs.str(d, "node"))
                    && d.get("stop_requested") == null && lastAlive(d).equals(lastAlive);
            if (!changed[0]) {
                return null;
            }
            d.put("state", InstanceState.RESTARTING.name());
            d.put("reason", "node " + node.nodeId() + " restarted without it; starting it again when a node is "
                    + "available");
            d.put("token_sha256", null);
            d.put(InstanceStore.INTERRUPTION, new Document("node", node.nodeId()).append("generation", generation)
                    .append("cause", InstanceStore.CAUSE_NODE_RESTARTED).append("after_epoch", lastAlive.get())
                    .append("reported", false).append("at", Docs.date(now)));
            d.remove(InstanceStore.RESTART_PENDING);
            d.put("updated_at", Docs.date(now));
            return d;
        });
        if (changed[0]) {
            LOG.info("Instance {} (generation {}): node {} restarted (epoch {}) and never reported on it since: "
                    + "RESTARTING", instanceId, generation, node.nodeId(), node.epoch());
        }
    }

    /**
     * The latest sign of life of the instance's current generation on the node's clock: the node's epoch when it was
     * placed, the node's last report on it; empty when the record has neither (then it cannot be judged).
     */
    private static Optional<Long> lastAlive(Document d) {
        Long latest = null;
        for (String field : List.of("node_epoch", "reported_at")) {
            if (d.get(field) instanceof Number n) {
                latest = latest == null ? n.longValue() : Math.max(latest, n.longValue());
            }
        }
        if (latest == null && Docs.instant(d, "started_at") != null) {
            latest = Docs.instant(d, "started_at").toEpochMilli(); // records from before reported_at existed
        }
        return Optional.ofNullable(latest);
    }

    // ------------------------------------------------------------------------------------------------- re-placing

    /**
     * Places again every RESTARTING instance that a node can take now (a crashed one once its back-off has passed), and
     * every re-placement that was not sent.
     */
    void replaceInterrupted() {
        long now = clock.millis();
        for (Document d : store.interrupted()) {
            Object notBefore = InstanceStore.interruption(d).get("not_before");
            if (notBefore instanceof Date at && at.getTime() > now) {
                continue; // still backing off
            }
            replaceQuietly(d);
        }
        for (Document d : store.unsentRestarts(clock.millis() - RESEND_AFTER_MS)) {
            if (d.get("stop_requested") == null) {
                replaceQuietly(d);
            }
        }
    }

    private void replaceQuietly(Document d) {
        try {
            replace(d);
        } catch (Exception e) {
            LOG.warn("Instance {}: placing it again failed (trying again at the next sweep): {}", Docs.str(d, "_id"),
                    e.toString());
        }
    }

    private void replace(Document found) throws Exception {
        String instanceId = Docs.str(found, "_id");
        long generation = InstanceStore.generation(found);
        boolean unsent = !InstanceStore.isInterrupted(found);
        Document interruption = found.get(InstanceStore.INTERRUPTION) instanceof Document i ? i : null;
        Object storedLaunch = found.get("launch");
        String runtime = storedLaunch instanceof Document l ? l.getString("runtime") : null;
        if (runtime == null || runtime.isEmpty()) {
            failUnplaceable(instanceId, generation, "it cannot be started again: its launch (runtime, package) is not "
                    + "stored");
            return;
        }
        Predicate<NodeStatus> eligible = eligible(interruption);
        List<NodeStatus> candidates = placement.candidates(nodes.nodes(), runtime, eligible);
        if (candidates.isEmpty()) {
            LOG.debug("Instance {}: no node can take it yet", instanceId);
            return;
        }
        PlacementHandler.Choice choice = placement.choose(instanceId, Docs.str(found, "application_name"),
                Docs.str(found, "algorithm_name"), runtime, candidates);
        if (choice.node() == null) {
            notYet(instanceId, generation, choice.failure());
            return;
        }
        String token = tokens.newToken();
        long now = clock.millis();
        boolean[] placed = new boolean[1];
        Document stored = store.mutate(instanceId, d -> {
            placed[0] = d != null && InstanceStore.generation(d) == generation && d.get("stop_requested") == null
                    && (unsent ? stillUnsent(d) : InstanceStore.isInterrupted(d));
            return placed[0] ? replaced(d, choice, token, unsent, now) : null;
        }).orElse(null);
        if (!placed[0] || stored == null) {
            LOG.debug("Instance {}: changed meanwhile, not placed again here", instanceId);
            return;
        }
        long next = InstanceStore.generation(stored);
        placement.sendFences(instanceId, stored, "superseded by a restart");
        String node = choice.node().nodeId();
        ObjectNode command = placement.startCommand(instanceId, Docs.str(stored, "job_id"), Docs.str(stored, "run_id"),
                next, token, Docs.str(stored, "application_name"), Docs.str(stored, "algorithm_name"),
                json(stored.get("launch")), json(stored.get("sensors")), json(stored.get("sensor_types")),
                choice.node().epoch());
        placement.publishToNode(node, instanceId, command);
        placement.markSent(instanceId, next);
        LOG.info("Instance {} run {} started again on node {} by strategy {} (generation {}, restart {})", instanceId,
                Docs.str(stored, "run_id"), node, choice.strategy(), next, Docs.intOf(stored, "restarts", 0));
    }

    /**
     * The nodes that may take an interrupted instance (among the UP ones offering its runtime): after a crash or a DOWN
     * node, any (the strategy chooses; a DOWN node is not UP); after its node agent stopped or restarted, that node only
     * under an epoch newer than the interruption (an agent stopping still beats for a while).
     */
    private static Predicate<NodeStatus> eligible(Document interruption) {
        String cause = InstanceStore.cause(interruption);
        if (interruption == null || InstanceStore.CAUSE_CRASH.equals(cause)
                || InstanceStore.CAUSE_NODE_DOWN.equals(cause)) {
            return n -> true;
        }
        return n -> !n.nodeId().equals(interruption.getString("node"))
                || n.epoch() > Docs.longOf(interruption, "after_epoch", Long.MAX_VALUE);
    }

    private JsonNode json(Object storedValue) {
        return Docs.json(mapper, storedValue);
    }

    private static boolean stillUnsent(Document d) {
        return InstanceStore.state(d) == InstanceState.STARTING && Boolean.TRUE.equals(d.get(InstanceStore.RESTART_PENDING))
                && !Boolean.TRUE.equals(d.get("command_sent"));
    }

    /** The record placed again: next generation, new token, the chosen node; one more restart unless it is a resend. */
    private static Document replaced(Document d, PlacementHandler.Choice choice, String token, boolean resend, long now) {
        Document interruption = d.get(InstanceStore.INTERRUPTION) instanceof Document i ? i : null;
        List<Document> fences = new ArrayList<>(PlacementHandler.fences(d));
        if (resend) {
            // the stored start may have gone out after all
            fences.add(new Document("node", Docs.str(d, "node")).append("generation", InstanceStore.generation(d)));
        } else if (interruption != null && !interruption.getBoolean("reported", true)) {
            // its start may still wait in the old node's commands (the agent died before taking it), or the node, cut
            // off while DOWN, may still run it; recorded as fenced too, so that its heartbeats do not send it again
            long old = Docs.longOf(interruption, "generation", InstanceStore.generation(d));
            fences.add(new Document("node", interruption.getString("node")).append("generation", old));
            d.put(InstanceStore.FENCED, Fencing.withFence(d, new Document("node", interruption.getString("node"))
                    .append("generation", old).append("at", Docs.date(now))));
        }
        if (fences.isEmpty()) {
            d.remove(PlacementHandler.FENCES);
        } else {
            d.put(PlacementHandler.FENCES, fences);
        }
        String why = why(interruption);
        d.put("generation", InstanceStore.generation(d) + 1);
        if (!resend) {
            d.put("restarts", Docs.intOf(d, "restarts", 0) + 1);
        }
        d.put("state", InstanceState.STARTING.name());
        d.put("node", choice.node().nodeId());
        d.put("node_epoch", choice.node().epoch());
        d.put("reason", "placed on node " + choice.node().nodeId() + " by strategy " + choice.strategy() + " (" + why
                + ")");
        d.put("token_sha256", Tokens.sha256Hex(token));
        d.put("command_sent", false);
        d.put(InstanceStore.RESTART_PENDING, true);
        d.remove(InstanceStore.INTERRUPTION);
        d.remove("reported_at");
        d.put("ended_at", null);
        d.put("exit_code", null);
        d.put("placed_at", Docs.date(now));
        d.put("updated_at", Docs.date(now));
        return d; // started_at stays: the run's start, as for a restart on its node
    }

    /** What a re-placement's reason says about why it happened. */
    private static String why(Document interruption) {
        if (interruption == null) {
            return "placed again: its start command was not confirmed sent";
        }
        String node = interruption.getString("node");
        return switch (InstanceStore.cause(interruption)) {
            case InstanceStore.CAUSE_NODE_DOWN -> "node " + node + " down";
            case InstanceStore.CAUSE_CRASH -> "restarted after a crash on node " + node;
            case InstanceStore.CAUSE_NODE_DECOMMISSIONED -> "node " + node + " decommissioned";
            default -> "started again after node " + node + " stopped";
        };
    }

    /** A node could take it but the strategy could not choose: the reason says why (written only when it changes). */
    private void notYet(String instanceId, long generation, String failure) {
        store.mutate(instanceId, d -> {
            if (!InstanceStore.isInterrupted(d) || InstanceStore.generation(d) != generation) {
                return null;
            }
            String base = baseReason(d);
            String reason = base + "; not started yet: " + failure;
            if (reason.equals(Docs.str(d, "reason"))) {
                return null;
            }
            d.put("reason", reason);
            d.put("updated_at", Docs.date(clock.millis()));
            return d;
        });
        LOG.debug("Instance {}: not started again yet: {}", instanceId, failure);
    }

    private static String baseReason(Document d) {
        String reason = Optional.ofNullable(Docs.str(d, "reason")).orElse("");
        int cut = reason.indexOf("; not started yet: ");
        return cut < 0 ? reason : reason.substring(0, cut);
    }

    /** A RESTARTING instance without what it takes to start it again fails (and says why). */
    private void failUnplaceable(String instanceId, long generation, String reason) {
        long now = clock.millis();
        store.mutate(instanceId, d -> {
            if (!InstanceStore.isInterrupted(d) || InstanceStore.generation(d) != generation) {
                return null;
            }
            d.put("state", InstanceState.FAILED.name());
            d.put("reason", reason);
            d.put("ended_at", Docs.date(now));
            d.remove(InstanceStore.INTERRUPTION);
            d.put("updated_at", Docs.date(now));
            return d;
        });
        LOG.warn("Instance {}: {}", instanceId, reason);
    }
}
