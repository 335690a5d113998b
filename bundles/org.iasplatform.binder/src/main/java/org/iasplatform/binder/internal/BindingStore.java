package org.iasplatform.binder.internal;

import static com.mongodb.client.model.Filters.eq;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import org.bson.Document;
import org.bson.types.ObjectId;
import org.iasplatform.api.deploy.BoundSensor;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;

/**
 * The {@code binding_db.sensor_map} collection: one document per deployment job,
 * {@code {_id: ObjectId(instance id), job_id, application_name, algorithm_name, sensors: [BoundSensor], created_at}}. The
 * document's {@code _id} is the algorithm instance id (its hex form), as in the seed. A unique index on {@code job_id}
 * makes a job's binding happen once: a redelivered start finds and reuses it.
 */
final class BindingStore {
    static final String DATABASE = "binding_db";
    static final String COLLECTION = "sensor_map";

    private final MongoCollection<Document> bindings;

    BindingStore(MongoClient client) {
        this.bindings = client.getDatabase(DATABASE).getCollection(COLLECTION);
    }

    /** Creates the index every query of this store uses (idempotent). */
    void createIndexes() {
        bindings.createIndex(Indexes.ascending("job_id"), new IndexOptions().unique(true).name("by_job"));
    }

    /** The binding of a job, if it was bound before. */
    Optional<Binding> byJob(String jobId) {
        return Optional.ofNullable(bindings.find(eq("job_id", jobId)).first()).map(BindingStore::toBinding);
    }

    /**
     * Stores a new binding for a job with a fresh instance id; if the job is bound already (a concurrent or earlier
     * delivery of the same start), returns that binding instead.
     */
    Binding insertOrGet(String jobId, String applicationName, String algorithmName, List<BoundSensor> sensors,
            Instant now) {
        ObjectId id = new ObjectId();
        List<Document> sensorDocs = new ArrayList<>();
        for (BoundSensor s : sensors) {
            sensorDocs.add(new Document("index", s.index()).append("sensor_instance_id", s.sensorInstanceId())
                    .append("sensor_type", s.sensorType()).append("data_topic", s.dataTopic())
                    .append("control_topic", s.controlTopic()));
        }
        Document doc = new Document("_id", id).append("job_id", jobId).append("application_name", applicationName)
                .append("algorithm_name", algorithmName).append("sensors", sensorDocs).append("created_at", Date.from(now));
        try {
            bindings.insertOne(doc);
            return new Binding(id.toHexString(), jobId, List.copyOf(sensors), true);
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return byJob(jobId).orElseThrow(() -> new IllegalStateException(
                        "job " + jobId + " is bound according to the unique index, but its binding cannot be read", e));
            }
            throw e;
        }
    }

    private static Binding toBinding(Document doc) {
        List<BoundSensor> sensors = new ArrayList<>();
        for (Document s : doc.getList("sensors", Document.class, List.of())) {
            sensors.add(new BoundSensor(((Number) s.get("index")).intValue(), s.getString("sensor_instance_id"),
                    s.getString("sensor_type"), s.getString("data_topic"), s.getString("control_topic")));
        }
        Object id = doc.get("_id");
        String instanceId = id instanceof ObjectId oid ? oid.toHexString() : String.valueOf(id);
        return new Binding(instanceId, doc.getString("job_id"), List.copyOf(sensors), false);
    }

    /**
     * A job's binding.
     *
     * @param instanceId the algorithm instance id (hex of the document's ObjectId)
     * @param jobId      the job
     * @param sensors    the bound sensors, by index
     * @param created    whether this call created it (false: it existed already)
     */
    record Binding(String instanceId, String jobId, List<BoundSensor> sensors, boolean created) {
    }
}
