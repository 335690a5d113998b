package org.iasplatform.lifecycle.internal;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.bson.Document;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.NotAJsonObjectException;
import org.iasplatform.api.messaging.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Applies {@link Topics#INSTANCE_EVENTS} ({@code {instance_id, node, generation, run_id, state, exit_code, reason,
 * timestamp}}) to the instances' records in {@code slc.instances}:
 * <ul>
 * <li>{@code SCHEDULED} (the scheduler accepted the job; with {@code job_id, application_name, algorithm_name, sensors}):
 * creates the record, or fills in those fields; the state becomes SCHEDULED only while the instance was never placed
 * (and not stopped by request).</li>
 * <li>Events without a generation (from the pipeline before placement, e.g. the deployer's FAILED): applied unless a run
 * is active.</li>
 * <li>Node events: ignored when older than the record's generation (fencing). STARTING, RUNNING (sets
 * {@code started_at} once per start), RESTARTING (counts a restart), STOPPED / FAILED (set {@code ended_at},
 * {@code exit_code}, {@code reason}; the token stops being valid). STARTING, RUNNING and RESTARTING also record the node's
 * timestamp as {@code reported_at}, which tells a run under the node agent's current epoch from an orphan of an earlier
 * one ({@link RestartHandler}).</li>
 * <li>A FAILED with {@code "interrupted": true} (the node agent stopped, e.g. for a platform restart) of an active
 * instance: the instance did not fail; it becomes RESTARTING with an {@code interruption} (the node, the generation, and
 * the node's timestamp of the interruption, which the same node's epoch must exceed before it may run the instance
 * again) and no valid token, and {@link RestartHandler} places it again. If a stop was requested for it, it becomes
 * STOPPED instead: that stop is done.</li>
 * <li>A FAILED without {@code "interrupted"} of an active instance's current generation from the node it runs on (a
 * crash: non-zero exit, an exception out of a bundle algorithm, its runtime went away, it could not start) is handled by
 * the {@link RestartPolicy} in force for it (the configured one with the deployment's {@code restart_policy}): its time
 * is added to {@code failures} (those older than the window are dropped); below {@code max_failures} the instance
 * becomes RESTARTING with an {@code interruption} of cause {@code crash} whose {@code not_before} is the back-off's end,
 * and {@link RestartHandler} places it again (through the strategy, on any node that is UP and offers its runtime,
 * its own included) once that time has passed; at {@code max_failures} it is FAILED for good ({@code gave_up}) and the
 * last lines of its log are read (bounded in time) into {@code last_log}. A stop requested meanwhile ends it instead;
 * an exit with code 0 is reported STOPPED by the node and never restarted.</li>
 * <li>A STOPPED or FAILED of the generation being moved off a node being decommissioned ({@code draining} names that
 * node and generation, {@link Decommissioning}), from that node, with no stop requested: the instance becomes RESTARTING
 * with an interruption of cause {@code node-decommissioned}, and {@link RestartHandler} starts it on another node.</li>
 * <li>Once an instance waits RESTARTING after a crash, its node went DOWN or was decommissioned, further events of that
 * generation are
 * ignored (it runs nowhere as far as the records go: a returning node is fenced), and an end (STOPPED / FAILED) already
 * recorded for a generation is not overwritten by a repeated one.</li>
 * </ul>
 * Idempotent: the record keeps the partition and offset of the last event applied, and a redelivered (or older) record
 * of the same partition changes nothing.
 */
final class InstanceEventHandler {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceEventHandler.class);

    /** Reads the last lines of an instance's log (bounded in time). */
    @FunctionalInterface
    interface LogTail {
        List<String> lastLines(String instanceId) throws Exception;
    }

    private final InstanceStore store;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Supplier<RestartPolicy> defaultPolicy;
    private final LogTail logTail;

    /**
     * @param defaultPolicy the configured restart policy (a deployment's {@code restart_policy} overrides it)
     * @param logTail       reads the last log lines of an instance the policy gave up on
     */
    InstanceEventHandler(InstanceStore store, ObjectMapper mapper, Clock clock, Supplier<RestartPolicy> defaultPolicy,
            LogTail logTail) {
        this.store = store;
        this.mapper = mapper;
        this.clock = clock;
        this.defaultPolicy = defaultPolicy;
        this.logTail = logTail;
    }

    /** Handles one message of {@link Topics#INSTANCE_EVENTS}. */
    void handle(Message message) throws Exception {
        JsonNode event;
        try {
            event = message.jsonObject(mapper);
        } catch (NotAJsonObjectException e) {
            LOG.warn("Dropping instance event {}: {}", message.position(), e.getMessage());
            return;
        }
        String instanceId = Optional.ofNullable(Docs.text(event, "instance_id")).orElse(message.key());
        InstanceState state;
        try {
            state = InstanceState.valueOf(event.path("state").asText());
        } catch (IllegalArgumentException e) {
            LOG.warn("Dropping instance event {} with unknown state '{}'", instanceId, event.path("state").asText());
            return;
        }
        if (instanceId == null || instanceId.isEmpty()) {
            LOG.warn("Dropping instance event at {}-{}@{}: no instance_id", message.topic(), message.partition(),
                    message.offset());
            return;
        }
        long timestamp = event.path("timestamp").canConvertToLong() ? event.path("timestamp").asLong()
                : message.timestamp();
        RestartPolicy policy = defaultPolicy.get();
        Optional<Document> stored = store.mutate(instanceId, d -> apply(d, instanceId, event, state, timestamp,
                message.partition(), message.offset(), policy));
        stored.filter(d -> Boolean.TRUE.equals(d.get(InstanceStore.LAST_LOG_PENDING)))
                .ifPresent(d -> keepLastLog(instanceId, InstanceStore.generation(d)));
    }

    /**
     * Reads the last log lines of an instance the restart policy gave up on into {@code last_log} (what it cannot read
     * is said there instead: the instance stays FAILED either way). A store failure is thrown: the event is delivered
     * again, and the pending lines are read then.
     */
    private void keepLastLog(String instanceId, long generation) {
        List<String> lines;
        try {
            lines = List.copyOf(logTail.lastLines(instanceId));
        } catch (Exception e) {
            LOG.warn("Instance {}: the last lines of its log could not be read: {}", instanceId, e.toString());
            lines = List.of("(the last lines of its log could not be read: " + e.getMessage() + ")");
        }
        List<String> kept = lines;
        store.mutate(instanceId, d -> {
            if (d == null || InstanceStore.generation(d) != generation
                    || !Boolean.TRUE.equals(d.get(InstanceStore.LAST_LOG_PENDING))) {
                return null;
            }
            d.put(InstanceStore.LAST_LOG, kept);
            d.remove(InstanceStore.LAST_LOG_PENDING);
            return d;
        });
    }

    /** The record after one event, or null if the event changes nothing (seen before, or of an older generation). */
    private Document apply(Document d, String instanceId, JsonNode event, InstanceState state, long timestamp,
            int partition, long offset, RestartPolicy policy) {
        if (d != null && Docs.intOf(d, "event_partition", -1) == partition
                && Docs.longOf(d, "event_offset", -1) >= offset) {
            return null; // redelivered
        }
        long now = clock.millis();
        Document next = d != null ? d : InstanceStore.newRecord(instanceId, timestamp);
        describe(next, event);
        JsonNode generationNode = event.get("generation");
        boolean placedEvent = generationNode != null && generationNode.canConvertToLong();
        if (state == InstanceState.SCHEDULED) {
            if (d == null || (!InstanceStore.isActive(d) && InstanceStore.generation(d) == 0
                    && !Boolean.TRUE.equals(d.get("stopped_by_request")))) {
                next.put("state", state.name());
                next.put("reason", Optional.ofNullable(Docs.text(event, "reason")).orElse("scheduled"));
            }
        } else if (!placedEvent) {
            if (InstanceStore.isActive(d)) {
                LOG.info("Instance {}: {} from {} not applied, run {} is active (generation {}): {}", instanceId, state,
                        event.path("source").asText("the pipeline"), Docs.str(d, "run_id"), InstanceStore.generation(d),
                        event.path("reason").asText());
            } else {
                putIfGiven(next, "run_id", Docs.text(event, "run_id"));
                end(next, state, event, timestamp);
            }
        } else {
            long generation = generationNode.asLong();
            if (generation < InstanceStore.generation(d)) {
                LOG.debug("Instance {}: ignoring {} of generation {}, it is at {}", instanceId, state, generation,
                        InstanceStore.generation(d));
                return null;
            }
            if (generation == InstanceStore.generation(d) && settled(d, generation, state)) {
                LOG.debug("Instance {}: ignoring {} of generation {}: {}", instanceId, state, generation,
                        Docs.str(d, "reason"));
                return null;
            }
            if ((state == InstanceState.STOPPED || state == InstanceState.FAILED) && isDrained(d, event, generation)) {
                drained(next, instanceId, event, generation, timestamp, now);
                next.put("event_partition", partition);
                next.put("event_offset", offset);
                next.put("updated_at", Docs.date(now));
                return next;
            }
            if (state == InstanceState.FAILED && !event.path("interrupted").asBoolean(false)
                    && isCrash(d, event, generation)) {
                crashed(next, instanceId, event, generation, timestamp, now, policy);
                next.put("event_partition", partition);
                next.put("event_offset", offset);
                next.put("updated_at", Docs.date(now));
                return next;
            }
            next.put("generation", generation);
            putIfGiven(next, "node", Docs.text(event, "node"));
            if (state == InstanceState.FAILED && event.path("interrupted").asBoolean(false)
                    && InstanceStore.isActive(d)) {
                interrupted(next, instanceId, event, generation, timestamp, now);
                next.put("event_partition", partition);
                next.put("event_offset", offset);
                next.put("updated_at", Docs.date(now));
                return next;
            }
            if (state == InstanceState.STARTING || state == InstanceState.RUNNING || state == InstanceState.RESTARTING) {
                next.put("reported_at", timestamp);
            }
            next.remove(InstanceStore.INTERRUPTION); // the node reports on this generation: it runs, or it ended
            switch (state) {
                case STARTING -> next.put("state", state.name());
                case RUNNING -> {
                    next.put("state", state.name());
                    if (next.get("started_at") == null) {
                        next.put("started_at", Docs.date(timestamp));
                    }
                    next.put("reason", Docs.text(event, "reason"));
                }
                case RESTARTING -> {
                    next.put("state", state.name());
                    next.put("restarts", Docs.intOf(next, "restarts", 0) + 1);
                    next.put("reason", Docs.text(event, "reason"));
                }
                case STOPPED, FAILED -> end(next, state, event, timestamp);
                default -> throw new IllegalStateException("unreachable: " + state);
            }
        }
        next.put("event_partition", partition);
        next.put("event_offset", offset);
        next.put("updated_at", Docs.date(now));
        LOG.debug("Instance {}: {} applied", instanceId, state);
        return next;
    }

    /**
     * An active instance whose node agent stopped: RESTARTING until placed again (or STOPPED when a stop was requested: it
     * is done).
     */
    private static void interrupted(Document next, String instanceId, JsonNode event, long generation, long timestamp,
            long now) {
        String node = Optional.ofNullable(Docs.text(event, "node")).orElse(Docs.str(next, "node"));
        String stopRequested = Docs.str(next, "stop_requested");
        if (stopRequested != null) {
            next.put("state", InstanceState.STOPPED.name());
            next.put("ended_at", Docs.date(timestamp));
            next.put("exit_code", null);
            next.put("reason", stopRequested + " (its node " + node + " stopped meanwhile)");
            next.put("token_sha256", null);
            next.remove(InstanceStore.INTERRUPTION);
            next.remove(InstanceStore.RESTART_PENDING);
            LOG.info("Instance {} (generation {}): node {} stopped while a stop was requested: STOPPED", instanceId,
                    generation, node);
            return;
        }
        next.put("state", InstanceState.RESTARTING.name());
        next.put("reason", "node " + node + " stopped; starting it again when a node is available");
        next.put("token_sha256", null); // nothing runs with it any more; the new start gets a fresh one
        next.put(InstanceStore.INTERRUPTION, new Document("node", node).append("generation", generation)
                .append("cause", InstanceStore.CAUSE_NODE_STOPPED).append("after_epoch", timestamp)
                .append("reported", true).append("at", Docs.date(now)));
        next.remove(InstanceStore.RESTART_PENDING);
        LOG.info("Instance {} (generation {}) interrupted: node {} stopped; RESTARTING", instanceId, generation, node);
    }

    /**
     * Whether an end of {@code generation} is the one a decommissioning asked for: the record moves that generation off
     * the node the event comes from, and no stop was requested (then it simply ends).
     */
    private static boolean isDrained(Document d, JsonNode event, long generation) {
        Document draining = d != null && d.get(InstanceStore.DRAINING) instanceof Document m ? m : null;
        return draining != null && InstanceStore.isActive(d) && !InstanceStore.isInterrupted(d)
                && InstanceStore.generation(d) == generation && Docs.longOf(draining, "generation", -1) == generation
                && draining.getString("node") != null && draining.getString("node").equals(Docs.text(event, "node"))
                && d.get("stop_requested") == null;
    }

    /** Stopped on a node being decommissioned: RESTARTING, to be started on another node. */
    private static void drained(Document next, String instanceId, JsonNode event, long generation, long timestamp,
            long now) {
        String node = Docs.text(event, "node");
        JsonNode exit = event.get("exit_code");
        next.put("state", InstanceState.RESTARTING.name());
        next.put("reason", "node " + node + " is being decommissioned; starting it again on another node");
        next.put("exit_code", exit != null && exit.canConvertToInt() ? exit.asInt() : null);
        next.put("token_sha256", null); // nothing runs with it any more; the new start gets a fresh one
        next.put(InstanceStore.INTERRUPTION, new Document("node", node).append("generation", generation)
                .append("cause", InstanceStore.CAUSE_NODE_DECOMMISSIONED).append("after_epoch", timestamp)
                .append("reported", true).append("at", Docs.date(now)));
        next.remove(InstanceStore.DRAINING);
        next.remove(InstanceStore.RESTART_PENDING);
        LOG.info("Instance {} (generation {}) stopped on node {}, which is being decommissioned: RESTARTING elsewhere",
                instanceId, generation, node);
    }

    /**
     * Whether an event of the record's own generation changes nothing: the instance waits RESTARTING after a crash or
     * its node went DOWN (that generation runs nowhere as far as the records go), or the generation's end is recorded
     * already and this is another end.
     */
    private static boolean settled(Document d, long generation, InstanceState state) {
        Document interruption = InstanceStore.interruption(d);
        if (InstanceStore.isInterrupted(d) && Docs.longOf(interruption, "generation", -1) == generation) {
            String cause = InstanceStore.cause(interruption);
            return InstanceStore.CAUSE_CRASH.equals(cause) || InstanceStore.CAUSE_NODE_DOWN.equals(cause)
                    || InstanceStore.CAUSE_NODE_DECOMMISSIONED.equals(cause);
        }
        boolean end = state == InstanceState.STOPPED || state == InstanceState.FAILED;
        return end && !InstanceStore.isActive(d) && d.get("ended_at") != null;
    }

    /**
     * Whether a FAILED (not interrupted) of {@code generation} is a crash the restart policy handles: of the active
     * instance's current generation, from the node it runs on, with no stop requested, not an exit with code 0, and
     * not server-lifecycle's own FAILED of a placement that found no node.
     */
    private static boolean isCrash(Document d, JsonNode event, long generation) {
        if (!InstanceStore.isActive(d) || InstanceStore.isInterrupted(d) || InstanceStore.generation(d) != generation
                || d.get("stop_requested") != null || PlacementHandler.SOURCE.equals(Docs.text(event, "source"))) {
            return false;
        }
        String node = Docs.text(event, "node");
        if (node == null || !node.equals(Docs.str(d, "node"))) {
            return false;
        }
        JsonNode exit = event.get("exit_code");
        return exit == null || !exit.canConvertToInt() || exit.asInt() != 0;
    }

    /**
     * A crash: RESTARTING after the policy's back-off, or FAILED for good once it failed {@code max_failures} times
     * within the window (its last log lines are read after this is stored).
     */
    private static void crashed(Document next, String instanceId, JsonNode event, long generation, long timestamp,
            long now, RestartPolicy defaults) {
        RestartPolicy policy = defaults.forRecord(next);
        List<Long> failures = policy.failuresWith(next, now);
        String node = Docs.str(next, "node");
        String what = Optional.ofNullable(Docs.text(event, "reason")).orElse("failed");
        JsonNode exit = event.get("exit_code");
        next.put(RestartPolicy.FAILURES, failures);
        next.put("exit_code", exit != null && exit.canConvertToInt() ? exit.asInt() : null);
        next.put("token_sha256", null); // nothing runs with it any more
        next.remove(InstanceStore.RESTART_PENDING);
        String window = RestartPolicy.seconds(policy.windowMs());
        if (failures.size() >= policy.maxFailures()) {
            next.put("state", InstanceState.FAILED.name());
            next.put("ended_at", Docs.date(timestamp));
            next.put("reason", "crashed on node " + node + ": " + what + "; not restarted again: " + failures.size()
                    + (failures.size() == 1 ? " failure" : " failures") + " within " + window + " s (restart policy: "
                    + policy.describe() + ")");
            next.put("gave_up", true);
            next.put(InstanceStore.LAST_LOG_PENDING, true);
            next.remove(InstanceStore.LAST_LOG);
            next.remove(InstanceStore.INTERRUPTION);
            LOG.warn("Instance {} (generation {}) crashed on node {} ({}): FAILED, failure {} within {} s",
                    instanceId, generation, node, what, failures.size(), window);
            return;
        }
        long wait = policy.backoffMs(failures.size());
        next.put("state", InstanceState.RESTARTING.name());
        next.put("reason", "crashed on node " + node + ": " + what + "; restarting in " + RestartPolicy.seconds(wait)
                + " s (failure " + failures.size() + " within " + window + " s; FAILED at " + policy.maxFailures() + ")");
        next.put(InstanceStore.INTERRUPTION, new Document("node", node).append("generation", generation)
                .append("cause", InstanceStore.CAUSE_CRASH).append("after_epoch", timestamp).append("reported", true)
                .append("at", Docs.date(now)).append("not_before", Docs.date(now + wait)));
        LOG.info("Instance {} (generation {}) crashed on node {} ({}): RESTARTING in {} ms (failure {} within {} s)",
                instanceId, generation, node, what, wait, failures.size(), window);
    }

    private static void end(Document next, InstanceState state, JsonNode event, long timestamp) {
        next.put("state", state.name());
        next.put("ended_at", Docs.date(timestamp));
        JsonNode exit = event.get("exit_code");
        next.put("exit_code", exit != null && exit.canConvertToInt() ? exit.asInt() : null);
        next.put("reason", Optional.ofNullable(Docs.text(event, "reason"))
                .orElse(state == InstanceState.STOPPED ? "stopped" : "failed"));
        next.put("token_sha256", null);
        next.remove(InstanceStore.INTERRUPTION);
        next.remove(InstanceStore.RESTART_PENDING);
    }

    /** Fills in the descriptive fields an event carries (the scheduler's SCHEDULED carries them all). */
    private static void describe(Document next, JsonNode event) {
        putIfGiven(next, "job_id", Docs.text(event, "job_id"));
        putIfGiven(next, "application_name", Docs.text(event, "application_name"));
        putIfGiven(next, "algorithm_name", Docs.text(event, "algorithm_name"));
        if (event.path("sensors").isArray()) {
            next.put("sensors", Docs.bson(event.get("sensors")));
        }
    }

    private static void putIfGiven(Document d, String field, String value) {
        if (value != null) {
            d.put(field, value);
        }
    }
}
