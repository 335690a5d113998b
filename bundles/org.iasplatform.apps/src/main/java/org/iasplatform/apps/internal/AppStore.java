package org.iasplatform.apps.internal;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.lt;
import static com.mongodb.client.model.Filters.ne;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import org.bson.BsonObjectId;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.iasplatform.api.app.AlgorithmDescriptor;
import org.iasplatform.api.app.AppVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoGridFSException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.gridfs.GridFSBucket;
import com.mongodb.client.gridfs.GridFSBuckets;
import com.mongodb.client.gridfs.GridFSDownloadStream;
import com.mongodb.client.gridfs.model.GridFSFile;
import com.mongodb.client.gridfs.model.GridFSUploadOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;

/**
 * The {@code app_repo} database: the packages in the GridFS bucket {@code packages} (file id = an ObjectId, its hex the
 * version's {@code package_id}), and one document per version in {@code app_versions} with the fields of the
 * {@link AppVersion} JSON ({@code uploaded_at} as a BSON date, {@code app_config} as a sub-document), under a unique
 * index on ({@code application_id}, {@code version}) and an index on {@code application_name} (and on
 * {@code package_id}, for finding a package's version). Every method may throw {@link MongoException}.
 */
final class AppStore {
    static final String DATABASE = "app_repo";
    static final String BUCKET = "packages";
    static final String VERSIONS = "app_versions";

    private static final Logger LOG = LoggerFactory.getLogger(AppStore.class);

    private final GridFSBucket packages;
    private final MongoCollection<Document> versions;

    AppStore(MongoClient client) {
        MongoDatabase database = client.getDatabase(DATABASE);
        this.packages = GridFSBuckets.create(database, BUCKET);
        this.versions = database.getCollection(VERSIONS);
    }

    void createIndexes() {
        versions.createIndex(Indexes.ascending("application_id", "version"),
                new IndexOptions().unique(true).name("application_version"));
        versions.createIndex(Indexes.ascending("application_name"), new IndexOptions().name("by_name"));
        versions.createIndex(Indexes.ascending("package_id"), new IndexOptions().name("by_package"));
    }

    // ---- reads

    /** The id of the application known by this id, or else by this name. */
    Optional<String> resolve(String idOrName) {
        if (idOrName == null || idOrName.isBlank()) {
            return Optional.empty();
        }
        if (versions.find(eq("application_id", idOrName)).projection(Projections.include("_id")).first() != null) {
            return Optional.of(idOrName);
        }
        return Optional.ofNullable(versions.find(eq("application_name", idOrName)).sort(Sorts.ascending("application_id"))
                .projection(Projections.include("application_id")).first()).map(d -> d.getString("application_id"));
    }

    /** The application name stored under an id (any version's), if the id is known. */
    Optional<String> nameOf(String applicationId) {
        return Optional.ofNullable(versions.find(eq("application_id", applicationId))
                .projection(Projections.include("application_name")).first()).map(d -> d.getString("application_name"));
    }

    /** An id other than {@code applicationId} that {@code name} is already stored under. */
    Optional<String> otherIdOf(String name, String applicationId) {
        return Optional.ofNullable(versions.find(and(eq("application_name", name), ne("application_id", applicationId)))
                .projection(Projections.include("application_id")).first()).map(d -> d.getString("application_id"));
    }

    List<String> applicationIds() {
        List<String> ids = new ArrayList<>();
        versions.distinct("application_id", String.class).forEach(ids::add);
        return ids;
    }

    List<AppVersion> versions(String applicationId) {
        List<AppVersion> result = new ArrayList<>();
        versions.find(eq("application_id", applicationId)).sort(Sorts.ascending("version")).forEach(d -> result.add(toVersion(d)));
        return result;
    }

    Optional<AppVersion> latest(String applicationId) {
        return Optional.ofNullable(versions.find(eq("application_id", applicationId)).sort(Sorts.descending("version"))
                .first()).map(AppStore::toVersion);
    }

    Optional<AppVersion> version(String applicationId, int version) {
        return Optional.ofNullable(versions.find(and(eq("application_id", applicationId), eq("version", version))).first())
                .map(AppStore::toVersion);
    }

    /** The highest version stored under an id; 0 when there is none. */
    int maxVersion(String applicationId) {
        Document last = versions.find(eq("application_id", applicationId)).sort(Sorts.descending("version"))
                .projection(Projections.include("version")).first();
        return last == null ? 0 : last.getInteger("version");
    }

    // ---- packages

    /** Stores a package under {@code id}; on failure nothing of it is left (the driver aborts a failed upload). */
    void storePackage(ObjectId id, String filename, InputStream content, Document metadata) {
        packages.uploadFromStream(new BsonObjectId(id), filename, content, new GridFSUploadOptions().metadata(metadata));
    }

    /** Opens a stored package; empty when there is no such file. */
    Optional<GridFSDownloadStream> openPackage(ObjectId id) {
        try {
            return Optional.of(packages.openDownloadStream(id));
        } catch (MongoGridFSException e) {
            if (packages.find(eq("_id", id)).first() == null) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Deletes a package, best effort: a failure is logged (the orphan is swept later), never thrown. */
    void deletePackageQuietly(ObjectId id) {
        try {
            packages.delete(id);
        } catch (MongoGridFSException e) {
            LOG.debug("Package {} was already gone", id.toHexString());
        } catch (MongoException e) {
            LOG.warn("Package {} could not be deleted; it will be swept as an orphan later", id.toHexString(), e);
        }
    }

    /**
     * Deletes a package unless a version document refers to it (a write reported as failed may still have been applied);
     * when that cannot be checked the package is left for the orphan sweep, which deletes only unreferenced ones.
     */
    void deletePackageIfUnreferenced(ObjectId id) {
        try {
            if (versions.find(eq("package_id", id.toHexString())).projection(Projections.include("_id")).first() != null) {
                LOG.warn("Package {} is referenced by a version although its upload failed; kept", id.toHexString());
                return;
            }
        } catch (MongoException e) {
            LOG.warn("Package {} of a failed upload is left for the orphan sweep ({})", id.toHexString(), e.getMessage());
            return;
        }
        deletePackageQuietly(id);
    }

    /**
     * Deletes packages older than {@code before} that no version refers to: left by a platform that died between storing
     * a package and its version document.
     *
     * @return how many were deleted
     */
    int sweepOrphans(Instant before) {
        List<ObjectId> orphans = new ArrayList<>();
        for (GridFSFile file : packages.find(lt("uploadDate", Date.from(before)))) {
            if (file.getId().isObjectId()) {
                ObjectId id = file.getObjectId();
                if (versions.find(eq("package_id", id.toHexString())).projection(Projections.include("_id")).first() == null) {
                    orphans.add(id);
                }
            }
        }
        orphans.forEach(this::deletePackageQuietly);
        return orphans.size();
    }

    // ---- versions

    /**
     * Inserts a version document.
     *
     * @return false when that (application id, version) exists already (a concurrent upload took the number)
     */
    boolean insertVersion(Document version) {
        try {
            versions.insertOne(version);
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY && version(version.getString("application_id"),
                    version.getInteger("version")).isPresent()) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Deletes every version of an application.
     *
     * @return the ids of their packages (to delete next)
     */
    List<ObjectId> deleteVersions(String applicationId) {
        List<ObjectId> packageIds = new ArrayList<>();
        versions.find(eq("application_id", applicationId)).projection(Projections.include("package_id"))
                .forEach(d -> packageIds.add(new ObjectId(d.getString("package_id"))));
        versions.deleteMany(eq("application_id", applicationId));
        return packageIds;
    }

    // ---- mapping

    static Document toDocument(AppVersion v) {
        List<Document> algorithms = new ArrayList<>();
        for (AlgorithmDescriptor a : v.algorithms()) {
            algorithms.add(new Document("algorithm_name", a.name()).append("script", a.script()).append("runtime", a.runtime())
                    .append("input_sensors", a.inputSensorTypes()));
        }
        return new Document("application_id", v.applicationId())
                .append("application_name", v.applicationName())
                .append("version", v.version())
                .append("developer_id", v.developerId())
                .append("uploaded_by", v.uploadedBy())
                .append("uploaded_at", v.uploadedAt() == null ? null : Date.from(v.uploadedAt()))
                .append("size", v.size())
                .append("sha256", v.sha256())
                .append("package_id", v.packageId())
                .append("root", v.root())
                .append("has_ui", v.hasUi())
                .append("algorithms", algorithms)
                .append("app_config", v.appConfig() == null ? null : BsonJson.toBson(v.appConfig()));
    }

    static AppVersion toVersion(Document d) {
        List<AlgorithmDescriptor> algorithms = new ArrayList<>();
        for (Document a : d.getList("algorithms", Document.class, List.of())) {
            algorithms.add(new AlgorithmDescriptor(a.getString("algorithm_name"), a.getString("script"),
                    a.getString("runtime"), a.getList("input_sensors", String.class, List.of())));
        }
        Date uploadedAt = d.getDate("uploaded_at");
        Object appConfig = d.get("app_config");
        JsonNode config = appConfig == null ? null : BsonJson.toJson(appConfig);
        Number size = d.get("size", Number.class);
        return new AppVersion(d.getString("application_id"), d.getString("application_name"), d.getInteger("version", 0),
                d.getString("developer_id"), d.getString("uploaded_by"), uploadedAt == null ? null : uploadedAt.toInstant(),
                size == null ? 0 : size.longValue(), d.getString("sha256"), d.getString("package_id"), d.getString("root"),
                d.getBoolean("has_ui", false), algorithms, config);
    }

    /** Reads a package to its end into {@code out}. */
    static void copy(GridFSDownloadStream in, java.io.OutputStream out) throws IOException {
        try (in) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
            }
        }
    }
}
