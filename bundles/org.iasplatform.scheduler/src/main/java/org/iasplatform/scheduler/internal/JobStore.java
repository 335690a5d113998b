package org.iasplatform.scheduler.internal;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.exists;
import static com.mongodb.client.model.Filters.or;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import org.bson.Document;
import org.bson.conversions.Bson;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;

/**
 * The scheduler's jobs in {@code scheduler_logs.deploy_configs} (docs/pipeline-messages.md): one document per job,
 * {@code _id} = job id, with the fields of the contract ({@code instance_id, deploy, app, sensors, state, next_run,
 * window_end, runs, created_at}) and the scheduler's own bookkeeping:
 * <ul>
 * <li>{@code request_id} — of the start request;</li>
 * <li>{@code next_window_end} — end of the window {@code next_run} belongs to (null: none);</li>
 * <li>{@code current_run_id} — the run a stop names (the latest started one);</li>
 * <li>{@code run_count} — how many scheduled runs were numbered ({@code <job id>:<n>});</li>
 * <li>{@code outbox} — messages stored with the state change that caused them and removed once the broker acknowledged
 * them (a run is stored before it is published; a crash in between publishes it on recovery);</li>
 * <li>{@code version} — grows with every change, for compare-and-set updates (several platform instances may hold the
 * same job in their timers: only one of them records a run);</li>
 * <li>{@code updated_at}, {@code stopped_at}.</li>
 * </ul>
 * Instants are stored as BSON dates (milliseconds).
 */
final class JobStore {
    static final String DATABASE = "scheduler_logs";
    static final String COLLECTION = "deploy_configs";

    static final String ACTIVE = "ACTIVE";
    static final String FINISHED = "FINISHED";
    static final String STOPPED = "STOPPED";

    private final MongoCollection<Document> jobs;

    JobStore(MongoClient client) {
        this.jobs = client.getDatabase(DATABASE).getCollection(COLLECTION);
    }

    void createIndexes() {
        jobs.createIndex(Indexes.ascending("state"), new IndexOptions().name("by_state"));
        jobs.createIndex(Indexes.descending("created_at"), new IndexOptions().name("by_created_at"));
        jobs.createIndex(Indexes.ascending("instance_id"), new IndexOptions().name("by_instance"));
    }

    Optional<Document> find(String jobId) {
        return Optional.ofNullable(jobs.find(eq("_id", jobId)).first());
    }

    /** Inserts a new job; false when a job with its id exists already. */
    boolean insert(Document job) {
        try {
            jobs.insertOne(job);
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Applies {@code update} (plus {@code version + 1} and {@code updated_at}) if the job still has {@code version};
     * false when it changed meanwhile (re-read and decide again).
     */
    boolean update(String jobId, long version, Bson update, Instant now) {
        Bson all = Updates.combine(update, Updates.inc("version", 1L), Updates.set("updated_at", date(now)));
        return jobs.updateOne(and(eq("_id", jobId), eq("version", version)), all).getMatchedCount() == 1;
    }

    /** Removes a published message from the job's outbox (idempotent; not a change of the job's state). */
    void removeFromOutbox(String jobId, String entryId) {
        jobs.updateOne(eq("_id", jobId), Updates.pull("outbox", new Document("id", entryId)));
    }

    /** The jobs the timer must hold: every ACTIVE one, and any other with messages still to publish. */
    List<Document> pending() {
        List<Document> result = new ArrayList<>();
        jobs.find(or(eq("state", ACTIVE), exists("outbox.0"))).forEach(result::add);
        return result;
    }

    /** Every job, newest first. */
    List<Document> all() {
        List<Document> result = new ArrayList<>();
        jobs.find().sort(Indexes.descending("created_at")).forEach(result::add);
        return result;
    }

    static Date date(Instant instant) {
        return instant == null ? null : Date.from(instant);
    }

    static Instant instant(Document doc, String field) {
        Date date = doc.getDate(field);
        return date == null ? null : date.toInstant();
    }

    static long version(Document doc) {
        Object v = doc.get("version");
        return v instanceof Number n ? n.longValue() : 0L;
    }
}
