package org.iasplatform.lifecycle.internal;

import java.time.Clock;
import java.util.Optional;

import org.bson.Document;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
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
 * </ul>
 * Idempotent: the record keeps the partition and offset of the last event applied, and a redelivered (or older) record
 * of the same partition changes nothing.
 */
final class InstanceEventHandler {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceEventHandler.class);

    private final InstanceStore store;
    private final ObjectMapper mapper;
    private final Clock clock;

    InstanceEventHandler(InstanceStore store, ObjectMapper mapper, Clock clock) {
        this.store = store;
        this.mapper = mapper;
        this.clock = clock;
    }

    /** Handles one message of {@link Topics#INSTANCE_EVENTS}. */
    void handle(Message message) throws Exception {
        JsonNode event;
        try {
            event = mapper.readTree(message.value());
        } catch (JsonProcessingException e) {
            LOG.warn("Dropping unreadable instance event {} at {}-{}@{}: {}", message.key(), message.topic(),
                    message.partition(), message.offset(), e.getOriginalMessage());
            return;
        }
        if (event == null || !event.isObject()) {
            LOG.warn("Dropping instance event {}: not a JSON object", message.key());
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
        store.mutate(instanceId, d -> apply(d, instanceId, event, state, timestamp, message.partition(),
                message.offset()));
    }

    /** The record after one event, or null if the event changes nothing (seen before, or of an older generation). */
    private Document apply(Document d, String instanceId, JsonNode event, InstanceState state, long timestamp,
            int partition, long offset) {
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
                .append("after_epoch", timestamp).append("reported", true).append("at", Docs.date(now)));
        next.remove(InstanceStore.RESTART_PENDING);
        LOG.info("Instance {} (generation {}) interrupted: node {} stopped; RESTARTING", instanceId, generation, node);
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
