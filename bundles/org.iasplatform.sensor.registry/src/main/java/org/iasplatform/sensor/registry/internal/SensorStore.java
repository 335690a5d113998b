package org.iasplatform.sensor.registry.internal;

import static com.mongodb.client.model.Filters.all;
import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bson.Document;
import org.bson.conversions.Bson;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;

/**
 * The {@code sensor_registry} database: {@code sensor_type} (one document per type, {@code _id} = name, the seed's field
 * names) and {@code sensor_instance} (the flat seed form, {@code _id} = instance id, plus {@code tag_pairs} — the tags as
 * {@code "key=value"} strings — so type+tag queries use one compound multikey index).
 */
final class SensorStore {
    static final String DATABASE = "sensor_registry";
    static final String TYPES = "sensor_type";
    static final String INSTANCES = "sensor_instance";
    private static final String TAG_PAIRS = "tag_pairs";

    private final ObjectMapper mapper;
    private final MongoCollection<Document> types;
    private final MongoCollection<Document> instances;

    SensorStore(MongoClient client, ObjectMapper mapper) {
        this.mapper = mapper;
        this.types = client.getDatabase(DATABASE).getCollection(TYPES);
        this.instances = client.getDatabase(DATABASE).getCollection(INSTANCES);
    }

    void createIndexes() {
        types.createIndex(Indexes.ascending("sensor_type_name"), new IndexOptions().unique(true).name("by_name"));
        instances.createIndex(Indexes.ascending("sensor_type", TAG_PAIRS), new IndexOptions().name("by_type_and_tags"));
        instances.createIndex(Indexes.ascending(TAG_PAIRS), new IndexOptions().name("by_tags"));
    }

    List<SensorType> types() {
        List<SensorType> result = new ArrayList<>();
        types.find().sort(Indexes.ascending("_id")).forEach(d -> result.add(toType(d)));
        return result;
    }

    Optional<SensorType> type(String name) {
        return Optional.ofNullable(types.find(eq("_id", name)).first()).map(this::toType);
    }

    /**
     * Stores the types of one request in one bulk write (one command to the store): a store that is unreachable before
     * it receives the command leaves none of them stored. Should it fail while applying it, the caller's redelivery
     * stores them again (upserts of the same documents), completing the request.
     */
    void saveTypes(List<SensorType> list) {
        List<ReplaceOneModel<Document>> writes = new ArrayList<>();
        for (SensorType type : list) {
            try {
                Document doc = Document.parse(mapper.writeValueAsString(type));
                doc.put("_id", type.name());
                writes.add(new ReplaceOneModel<>(eq("_id", type.name()), doc, new ReplaceOptions().upsert(true)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot serialise sensor type " + type.name(), e);
            }
        }
        if (!writes.isEmpty()) {
            types.bulkWrite(writes);
        }
    }

    boolean deleteType(String name) {
        return types.deleteOne(eq("_id", name)).getDeletedCount() > 0;
    }

    long countInstancesOfType(String type) {
        return instances.countDocuments(eq("sensor_type", type));
    }

    List<SensorInstance> instances(String type, Map<String, String> tags) {
        List<Bson> filters = new ArrayList<>();
        if (type != null) {
            filters.add(eq("sensor_type", type));
        }
        if (tags != null && !tags.isEmpty()) {
            filters.add(all(TAG_PAIRS, tags.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
        }
        List<SensorInstance> result = new ArrayList<>();
        instances.find(filters.isEmpty() ? new Document() : and(filters)).sort(Indexes.ascending("_id"))
                .forEach(d -> result.add(toInstance(d)));
        return result;
    }

    Optional<SensorInstance> instance(String id) {
        return Optional.ofNullable(instances.find(eq("_id", id)).first()).map(this::toInstance);
    }

    /** Stores the instances of one request in one bulk write, as {@link #saveTypes} does. */
    void saveInstances(List<SensorInstance> list) {
        List<ReplaceOneModel<Document>> writes = new ArrayList<>();
        for (SensorInstance instance : list) {
            Document doc = Document.parse(instance.toJson().toString());
            doc.put("_id", instance.id());
            doc.put(TAG_PAIRS, instance.tags().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
            writes.add(new ReplaceOneModel<>(eq("_id", instance.id()), doc, new ReplaceOptions().upsert(true)));
        }
        if (!writes.isEmpty()) {
            instances.bulkWrite(writes);
        }
    }

    boolean deleteInstance(String id) {
        return instances.deleteOne(eq("_id", id)).getDeletedCount() > 0;
    }

    private SensorType toType(Document doc) {
        Document copy = new Document(doc);
        copy.remove("_id");
        try {
            return mapper.readValue(copy.toJson(), SensorType.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored sensor type " + doc.get("_id") + " cannot be read", e);
        }
    }

    private SensorInstance toInstance(Document doc) {
        Document copy = new Document(doc);
        copy.remove("_id");
        copy.remove(TAG_PAIRS);
        try {
            return SensorInstance.fromJson((ObjectNode) mapper.readTree(copy.toJson()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored sensor instance " + doc.get("_id") + " cannot be read", e);
        }
    }
}
