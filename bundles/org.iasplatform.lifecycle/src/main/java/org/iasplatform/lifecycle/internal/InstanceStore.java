package org.iasplatform.lifecycle.internal;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.exists;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lt;
import static com.mongodb.client.model.Filters.not;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import org.bson.Document;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceState;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;

/**
 * The {@code slc.instances} collection: one document per algorithm instance ({@code _id} = instance id) with what
 * {@link InstanceInfo} shows ({@code instance_id, job_id, application_name, application_id, app_version, algorithm_name,
 * runtime, node, state, restarts, runs, started_at, ended_at, exit_code, reason, sensors}) and server-lifecycle's own
 * fields: {@code generation} (grows with every start), {@code run_id}, {@code token_sha256} (never the token),
 * {@code launch} and {@code sensor_types} of the current run, {@code command_sent}, {@code event_partition} /
 * {@code event_offset} (the last applied {@code instance_events} record), {@code created_at}, {@code updated_at}, and for
 * restarts after an interruption ({@link RestartHandler}): {@code node_epoch} (the chosen node's heartbeat epoch at
 * placement), {@code reported_at} (the node's timestamp of its last STARTING / RUNNING / RESTARTING of the current
 * generation), {@code interruption} (while RESTARTING until placed again: {@code {node, generation, after_epoch,
 * reported, at, cause, not_before}}), {@code restart_pending} (a re-placement whose start command is not confirmed sent
 * yet) and {@code fences} ({@code [{node, generation}]}: earlier generations a re-placement stops before it starts); for
 * the restart policy ({@link RestartPolicy}): {@code restart_policy} (the deployment's overrides), {@code failures}
 * (the crash times within the policy's window), {@code gave_up} (FAILED by the policy), {@code last_log} (the last lines
 * of its log when it gave up; {@code last_log_pending} until they are read); for fencing ({@link Fencing}):
 * {@code fenced} ({@code [{node, generation, at}]}: the stops sent to nodes found running an outdated generation).
 * <p>
 * Writers (the deployer_to_slc and instance_events consumers run on different threads, possibly on several platform
 * instances) change a document only through {@link #mutate}, a compare-and-set on its {@code rev} counter.
 */
final class InstanceStore {
    static final String COLLECTION = "instances";
    /** The states in which an instance has (or is about to have) a process, bundle or container on a node. */
    static final List<String> ACTIVE = List.of(InstanceState.STARTING.name(), InstanceState.RUNNING.name(),
            InstanceState.RESTARTING.name());
    /**
     * The field of an instance that runs nowhere and waits to be placed again (RESTARTING): its node stopped, restarted
     * or went down, or it crashed. Its {@code cause} is one of the {@code CAUSE_} values.
     */
    static final String INTERRUPTION = "interruption";
    /** Interrupted: its node agent stopped and said so ({@code "interrupted": true}). */
    static final String CAUSE_NODE_STOPPED = "node-stopped";
    /** Interrupted: its node agent came back under a new epoch without reporting on it. */
    static final String CAUSE_NODE_RESTARTED = "node-restarted";
    /** Interrupted: its node went DOWN (no heartbeat). */
    static final String CAUSE_NODE_DOWN = "node-down";
    /** It crashed (FAILED without "interrupted"); placed again once {@code not_before} has passed. */
    static final String CAUSE_CRASH = "crash";
    /** Its node is being decommissioned: it was stopped there, to be started on another node. */
    static final String CAUSE_NODE_DECOMMISSIONED = "node-decommissioned";
    /**
     * The field of an instance being moved off a node being decommissioned: {@code {node, generation, at}}, set when the
     * stop of that generation is sent there ({@link Decommissioning}).
     */
    static final String DRAINING = "draining";
    /** The field of the last log lines of an instance the restart policy gave up on. */
    static final String LAST_LOG = "last_log";
    /** The field marking a give-up whose last log lines are still to be read. */
    static final String LAST_LOG_PENDING = "last_log_pending";
    /** The field of the stops sent to nodes found running an outdated generation ({@link Fencing}). */
    static final String FENCED = "fenced";
    /** The field of a re-placement whose start command is not confirmed sent yet. */
    static final String RESTART_PENDING = "restart_pending";
    private static final int MAX_ATTEMPTS = 100;

    private final MongoCollection<Document> instances;

    InstanceStore(MongoCollection<Document> instances) {
        this.instances = instances;
    }

    /** Creates the indexes of every query below (idempotent). */
    void createIndexes() {
        instances.createIndex(Indexes.descending("created_at"), new IndexOptions().name("by_created"));
        instances.createIndex(Indexes.ascending("token_sha256"), new IndexOptions().name("by_token"));
        instances.createIndex(Indexes.ascending("state", "node"), new IndexOptions().name("by_state_node"));
    }

    Optional<Document> find(String instanceId) {
        return Optional.ofNullable(instances.find(eq("_id", instanceId)).first());
    }

    /** Every instance, newest first. */
    List<Document> all() {
        List<Document> result = new ArrayList<>();
        instances.find().sort(Sorts.orderBy(Sorts.descending("created_at"), Sorts.ascending("_id"))).forEach(result::add);
        return result;
    }

    Optional<Document> byTokenHash(String sha256Hex) {
        return Optional.ofNullable(instances.find(eq("token_sha256", sha256Hex)).first());
    }

    /** How many active instances each node has, by server-lifecycle's records (interrupted ones run nowhere). */
    Map<String, Integer> activeCountsByNode() {
        Map<String, Integer> counts = new HashMap<>();
        instances.find(and(in("state", ACTIVE), exists(INTERRUPTION, false))).projection(Projections.include("node"))
                .forEach(d -> {
                    String node = Docs.str(d, "node");
                    if (node != null) {
                        counts.merge(node, 1, Integer::sum);
                    }
                });
        return counts;
    }

    /** The instances waiting to be placed again after an interruption (RESTARTING with an {@code interruption}). */
    List<Document> interrupted() {
        List<Document> result = new ArrayList<>();
        instances.find(and(eq("state", InstanceState.RESTARTING.name()), exists(INTERRUPTION, true)))
                .sort(Sorts.ascending("_id")).forEach(result::add);
        return result;
    }

    /** Re-placements stored before {@code placedBefore} (epoch ms) whose start command is still not confirmed sent. */
    List<Document> unsentRestarts(long placedBefore) {
        List<Document> result = new ArrayList<>();
        instances.find(and(eq("state", InstanceState.STARTING.name()), eq(RESTART_PENDING, true),
                eq("command_sent", false), lt("placed_at", Docs.date(placedBefore)))).sort(Sorts.ascending("_id"))
                .forEach(result::add);
        return result;
    }

    /** The records of these instances that exist, by id. */
    Map<String, Document> findAll(Collection<String> instanceIds) {
        Map<String, Document> result = new HashMap<>();
        if (!instanceIds.isEmpty()) {
            instances.find(in("_id", instanceIds)).forEach(d -> result.put(Docs.str(d, "_id"), d));
        }
        return result;
    }

    /**
     * The instances active on {@code node} (not interrupted) of which nothing is known from {@code epoch} on: placed
     * under an earlier epoch of the node and not reported since (candidates of the orphan rule, {@link RestartHandler}).
     */
    List<Document> activeOnBefore(String node, long epoch) {
        List<Document> result = new ArrayList<>();
        instances.find(and(in("state", ACTIVE), eq("node", node), exists(INTERRUPTION, false),
                not(gte("node_epoch", epoch)), not(gte("reported_at", epoch)))).sort(Sorts.ascending("_id"))
                .forEach(result::add);
        return result;
    }

    /** The instances active on {@code node} by the records (not counting interrupted ones, which run nowhere). */
    List<Document> activeOn(String node) {
        List<Document> result = new ArrayList<>();
        instances.find(and(in("state", ACTIVE), eq("node", node), exists(INTERRUPTION, false)))
                .sort(Sorts.ascending("_id")).forEach(result::add);
        return result;
    }

    /**
     * Changes one instance's document atomically. {@code change} gets a copy of the current document (null if there is
     * none) and returns the document to store, or null to leave it as it is; it may be called again (with the newer
     * document) when another writer got in between, so it must have no side effects. Nested values must be replaced, not
     * modified in place.
     *
     * @return the document as stored afterwards (empty if there is none)
     */
    Optional<Document> mutate(String instanceId, UnaryOperator<Document> change) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Document current = instances.find(eq("_id", instanceId)).first();
            Document next = change.apply(current == null ? null : new Document(current));
            if (next == null) {
                return Optional.ofNullable(current);
            }
            long rev = current == null ? 0 : Docs.longOf(current, "rev", 0);
            next.put("_id", instanceId);
            next.put("instance_id", instanceId);
            next.put("rev", rev + 1);
            if (current == null) {
                try {
                    instances.insertOne(next);
                    return Optional.of(next);
                } catch (MongoWriteException e) {
                    if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
                        throw e;
                    }
                }
            } else if (instances.replaceOne(and(eq("_id", instanceId), eq("rev", rev)), next).getMatchedCount() == 1) {
                return Optional.of(next);
            }
        }
        throw new IllegalStateException("instance " + instanceId + " changed under every one of " + MAX_ATTEMPTS
                + " attempts to update it");
    }

    static InstanceState state(Document d) {
        String s = d == null ? null : Docs.str(d, "state");
        return s == null ? InstanceState.SCHEDULED : InstanceState.valueOf(s);
    }

    static long generation(Document d) {
        return d == null ? 0 : Docs.longOf(d, "generation", 0);
    }

    static boolean isActive(Document d) {
        return d != null && state(d).isActive();
    }

    /** Whether the instance waits to be placed again after its node stopped (RESTARTING with an interruption). */
    static boolean isInterrupted(Document d) {
        return d != null && state(d) == InstanceState.RESTARTING && d.get(INTERRUPTION) instanceof Document;
    }

    /** The record's interruption, or null. */
    static Document interruption(Document d) {
        return d != null && d.get(INTERRUPTION) instanceof Document i ? i : null;
    }

    /**
     * Why an interruption happened (one of the {@code CAUSE_} values); records from before causes were stored: a
     * reported one is {@link #CAUSE_NODE_STOPPED}, else {@link #CAUSE_NODE_RESTARTED}.
     */
    static String cause(Document interruption) {
        if (interruption == null) {
            return null;
        }
        String cause = interruption.getString("cause");
        if (cause != null) {
            return cause;
        }
        return Boolean.FALSE.equals(interruption.get("reported")) ? CAUSE_NODE_RESTARTED : CAUSE_NODE_STOPPED;
    }

    static InstanceInfo toInfo(Document d) {
        return new InstanceInfo(Docs.str(d, "_id"), Docs.str(d, "application_name"), Docs.str(d, "application_id"),
                Docs.intOf(d, "app_version", 0), Docs.str(d, "algorithm_name"), Docs.str(d, "job_id"),
                Docs.str(d, "runtime"), Docs.str(d, "node"), state(d), Docs.intOf(d, "restarts", 0),
                Docs.intOf(d, "runs", 0), Docs.instant(d, "started_at"), Docs.instant(d, "ended_at"),
                Docs.intOrNull(d, "exit_code"), reasonWithLog(d), Docs.sensors(d));
    }

    /**
     * The record's reason; for an instance the restart policy gave up on, followed by the last lines of its log
     * ({@code "…; last log lines: line | line"}: {@link InstanceInfo} has no field of its own for them).
     */
    static String reasonWithLog(Document d) {
        String reason = Docs.str(d, "reason");
        if (state(d) != InstanceState.FAILED || !(d.get(LAST_LOG) instanceof List<?> lines) || lines.isEmpty()) {
            return reason;
        }
        StringBuilder text = new StringBuilder(reason == null ? "failed" : reason).append("; last log lines: ");
        for (int i = 0; i < lines.size(); i++) {
            text.append(i == 0 ? "" : " | ").append(lines.get(i));
        }
        return text.toString();
    }

    /** A new instance's document: not placed yet (generation 0), no runs or restarts. */
    static Document newRecord(String instanceId, long now) {
        return new Document("_id", instanceId).append("instance_id", instanceId)
                .append("state", InstanceState.SCHEDULED.name()).append("generation", 0L).append("restarts", 0)
                .append("runs", 0).append("created_at", Docs.date(now));
    }
}
