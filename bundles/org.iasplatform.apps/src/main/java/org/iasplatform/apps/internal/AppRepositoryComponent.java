package org.iasplatform.apps.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.bson.Document;
import org.bson.types.ObjectId;
import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.app.AppRepository;
import org.iasplatform.api.app.AppVersion;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceRegistry;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.validation.ConfigKind;
import org.iasplatform.api.validation.ConfigValidator;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.gridfs.GridFSDownloadStream;

/**
 * The application repository: app.zip packages in MongoDB GridFS ({@code app_repo.packages}), one version document per
 * upload in {@code app_repo.app_versions}.
 * <p>
 * An upload is checked completely before anything is stored — the archive ({@link ArchiveInspector}: readable, safe to
 * extract, bounded in size, entries and inflated size), then appConfig.json ({@link AppConfigRules}: every app-config
 * {@link ConfigValidator} of the whiteboard, the algorithm files, the input sensor types), then the application id (it
 * must not belong to another application name, nor the name to another id). Only then is the package stored, followed
 * by its version document (the next version number, retried when a concurrent upload took it); if the version document
 * cannot be written the package is deleted again, so a refused or failed upload leaves nothing behind. (A package the
 * store could not delete at that moment — it failed — is removed by the orphan sweep at the next activation, once older
 * than the configured grace time.)
 * <p>
 * Deleting an application is refused while the {@link InstanceRegistry} (optional) reports an instance of it that is
 * scheduled or active.
 */
@Component(service = AppRepository.class, immediate = true, configurationPid = "org.iasplatform.apps",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = AppRepositoryComponent.Config.class)
public class AppRepositoryComponent implements AppRepository {

    @ObjectClassDefinition(name = "IAS app repository",
            description = "Checks uploaded app.zip packages and stores them as versions in MongoDB (database app_repo).")
    public @interface Config {
        @AttributeDefinition(name = "Largest upload (bytes)", min = "1",
                description = "Largest app.zip accepted, as uploaded; a larger one is refused (413) without being read further.")
        long max__upload__bytes() default 50L * 1024 * 1024;

        @AttributeDefinition(name = "Most entries", min = "1", description = "Most files and folders in one app.zip.")
        int max__entries() default 10_000;

        @AttributeDefinition(name = "Largest inflated size (bytes)", min = "1",
                description = "Largest total size of an app.zip's files once inflated, measured while inflating (zip bombs).")
        long max__inflated__bytes() default 200L * 1024 * 1024;

        @AttributeDefinition(name = "Largest entry ratio", min = "0",
                description = "Largest inflated/compressed size ratio of a single entry of 64 KiB or more; 0: no such bound.")
        int max__entry__ratio() default 0;

        @AttributeDefinition(name = "Largest appConfig.json (bytes)", min = "1", description = "Largest appConfig.json accepted.")
        int max__app__config__bytes() default 1024 * 1024;

        @AttributeDefinition(name = "Orphan grace (minutes)", min = "1",
                description = "Stored packages without a version document (left by a platform that stopped mid-upload) "
                        + "are deleted at start once they are this old.")
        int orphan__grace__minutes() default 60;
    }

    private static final Logger LOG = LoggerFactory.getLogger(AppRepositoryComponent.class);
    /** Attempts at taking the next version number when concurrent uploads (other platform instances) take it first. */
    private static final int VERSION_ATTEMPTS = 50;
    /** Instances named in a refused delete. */
    private static final int MAX_NAMED_INSTANCES = 10;

    private final AppStore store;
    private final SensorRegistry sensorRegistry;
    private final Limits limits;
    private final ArchiveInspector inspector;
    private final AppConfigRules rules = new AppConfigRules();
    private final ValidatorWhiteboard validators = new ValidatorWhiteboard();
    private final AtomicReference<InstanceRegistry> instanceRegistry = new AtomicReference<>();
    private final AtomicBoolean indexesReady = new AtomicBoolean();
    /** Serialises the conflict check and version numbering of this platform instance's uploads. */
    private final Object versionLock = new Object();

    @Activate
    public AppRepositoryComponent(@Reference(target = "(ias.store=platform)") MongoClient mongo,
            @Reference SensorRegistry sensorRegistry, Config config) {
        this.store = new AppStore(mongo);
        this.sensorRegistry = sensorRegistry;
        this.limits = new Limits(config.max__upload__bytes(), config.max__entries(), config.max__inflated__bytes(),
                config.max__entry__ratio(), config.max__app__config__bytes());
        this.inspector = new ArchiveInspector(limits);
        try {
            store.createIndexes();
            indexesReady.set(true);
            int swept = store.sweepOrphans(Instant.now().minus(Duration.ofMinutes(config.orphan__grace__minutes())));
            if (swept > 0) {
                LOG.info("Deleted {} stored package(s) without a version (left by an interrupted upload)", swept);
            }
        } catch (MongoException e) {
            LOG.warn("The app repository's store (MongoDB) cannot be used yet ({}); its indexes are created at the first "
                    + "upload", e.getMessage());
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addValidator(ConfigValidator validator, Map<String, Object> properties) {
        validators.add(validator, properties);
    }

    void removeValidator(ConfigValidator validator) {
        validators.remove(validator);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setInstanceRegistry(InstanceRegistry registry) {
        instanceRegistry.set(registry);
    }

    void unsetInstanceRegistry(InstanceRegistry registry) {
        instanceRegistry.compareAndSet(registry, null);
    }

    // ---- upload

    @Override
    public AppVersion upload(InputStream zip, String applicationId, String uploadedBy) throws IasException {
        if (validators.count(ConfigKind.APP_CONFIG) == 0) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", "no app-config validator is installed, so the upload cannot be "
                    + "checked; nothing was stored. Expected at least one ConfigValidator service for \"app-config\" "
                    + "(the org.iasplatform.validation bundle provides the default one)");
        }
        try (BoundedUpload upload = BoundedUpload.copy(zip, limits.maxUploadBytes())) {
            ArchiveInspector.Archive archive = inspector.inspect(upload.file());
            AppConfigRules.Declared declared = rules.check(archive, applicationId, validators, sensorRegistry);
            AppVersion stored = store(upload, archive, declared, uploadedBy);
            LOG.info("Application {} ({}) version {} uploaded by {}: {} bytes, package {}", stored.applicationName(),
                    stored.applicationId(), stored.version(), stored.uploadedBy(), stored.size(), stored.packageId());
            return stored;
        }
    }

    /** Stores the checked upload: conflicts checked, package stored, then its version document. */
    private AppVersion store(BoundedUpload upload, ArchiveInspector.Archive archive, AppConfigRules.Declared declared,
            String uploadedBy) throws IasException {
        ensureIndexes();
        try {
            checkConflicts(declared);
        } catch (MongoException e) {
            throw unavailable("check the application id", e);
        }
        ObjectId packageId = new ObjectId();
        Document metadata = new Document("application_id", declared.applicationId())
                .append("application_name", declared.applicationName()).append("sha256", upload.sha256())
                .append("uploaded_by", uploadedBy);
        try (InputStream content = upload.open()) {
            store.storePackage(packageId, declared.applicationName() + ".zip", content, metadata);
        } catch (MongoException | IOException e) {
            store.deletePackageQuietly(packageId);
            throw unavailable("store the package", e);
        }
        try {
            return insertNextVersion(upload, archive, declared, uploadedBy, packageId);
        } catch (MongoException e) {
            store.deletePackageIfUnreferenced(packageId);
            throw unavailable("store the version", e);
        } catch (IasException | RuntimeException e) {
            store.deletePackageIfUnreferenced(packageId);
            throw e;
        }
    }

    private AppVersion insertNextVersion(BoundedUpload upload, ArchiveInspector.Archive archive,
            AppConfigRules.Declared declared, String uploadedBy, ObjectId packageId) throws IasException {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        synchronized (versionLock) {
            checkConflicts(declared);
            for (int attempt = 0; attempt < VERSION_ATTEMPTS; attempt++) {
                int next = store.maxVersion(declared.applicationId()) + 1;
                AppVersion version = new AppVersion(declared.applicationId(), declared.applicationName(), next,
                        declared.developerId(), uploadedBy, now, upload.size(), upload.sha256(), packageId.toHexString(),
                        archive.root(), archive.hasUi(), declared.algorithms(), declared.appConfig());
                Document document = AppStore.toDocument(version);
                if (store.insertVersion(document)) {
                    return AppStore.toVersion(document);
                }
                LOG.debug("Version {} of {} was taken by a concurrent upload; taking the next", next,
                        declared.applicationId());
            }
        }
        throw new IasException(ErrorKind.UNAVAILABLE, "", "no version number could be assigned to application "
                + Texts.quote(declared.applicationId()) + " (" + VERSION_ATTEMPTS + " concurrent uploads took them first); "
                + "nothing was stored, try again");
    }

    /** CONFLICT when the id belongs to another application name, or the name is stored under another id. */
    private void checkConflicts(AppConfigRules.Declared declared) throws IasException {
        Problems conflicts = new Problems();
        String id = declared.applicationId();
        String name = declared.applicationName();
        store.nameOf(id).filter(owner -> !owner.equals(name)).ifPresent(owner -> conflicts.add(declared.idPath(),
                "application id " + Texts.quote(id) + " already belongs to application " + Texts.quote(owner)
                        + "; expected a new id for " + Texts.quote(name) + " (or the id it already has), or delete "
                        + Texts.quote(owner) + " first"));
        store.otherIdOf(name, id).ifPresent(other -> conflicts.add("/application_name", "application " + Texts.quote(name)
                + " is already stored under id " + Texts.quote(other) + "; expected its new versions under that id "
                + "(upload with application_id " + Texts.quote(other) + "), or delete it first"));
        conflicts.throwIfAny(ErrorKind.CONFLICT);
    }

    private void ensureIndexes() throws IasException {
        if (indexesReady.get()) {
            return;
        }
        try {
            store.createIndexes();
            indexesReady.set(true);
        } catch (MongoException e) {
            throw unavailable("prepare the app_repo database", e);
        }
    }

    private static IasException unavailable(String what, MongoException e) {
        return new IasException(ErrorKind.UNAVAILABLE, "", "the app repository could not " + what
                + " because its store (MongoDB) failed (" + e.getMessage() + "); nothing was stored, try again later");
    }

    private static IasException unavailable(String what, Exception e) {
        return e instanceof MongoException m ? unavailable(what, m)
                : new IasException(ErrorKind.UNAVAILABLE, "", "the app repository could not " + what + " ("
                        + e.getMessage() + "); nothing was stored, try again later");
    }

    // ---- reads

    @Override
    public List<AppVersion> apps() {
        List<AppVersion> result = new ArrayList<>();
        for (String id : store.applicationIds()) {
            store.latest(id).ifPresent(result::add);
        }
        result.sort(Comparator.comparing(AppVersion::applicationName).thenComparing(AppVersion::applicationId));
        return result;
    }

    @Override
    public List<AppVersion> versions(String applicationIdOrName) {
        return store.resolve(applicationIdOrName).map(store::versions).orElse(List.of());
    }

    @Override
    public Optional<AppVersion> latest(String applicationIdOrName) {
        return store.resolve(applicationIdOrName).flatMap(store::latest);
    }

    @Override
    public Optional<AppVersion> version(String applicationIdOrName, int version) {
        if (version <= 0) {
            return latest(applicationIdOrName);
        }
        return store.resolve(applicationIdOrName).flatMap(id -> store.version(id, version));
    }

    @Override
    public void download(String applicationIdOrName, int version, OutputStream out) throws IasException {
        AppVersion found;
        Optional<GridFSDownloadStream> content;
        try {
            found = version(applicationIdOrName, version).orElseThrow(() -> notFound(applicationIdOrName, version));
            content = store.openPackage(new ObjectId(found.packageId()));
        } catch (MongoException e) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", "the package cannot be read because the app repository's "
                    + "store (MongoDB) failed (" + e.getMessage() + "); try again later");
        }
        if (content.isEmpty()) {
            throw new IasException(ErrorKind.NOT_FOUND, "", "the package of version " + found.version() + " of application "
                    + Texts.quote(found.applicationId()) + " is missing from the store (package " + found.packageId()
                    + "); expected it in app_repo.packages — upload the application again");
        }
        try {
            AppStore.copy(content.get(), out);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the package of " + found.applicationId() + " version " + found.version()
                    + " failed", e);
        }
    }

    private IasException notFound(String idOrName, int version) {
        Optional<String> id = store.resolve(idOrName);
        if (id.isEmpty()) {
            return unknownApplication(idOrName);
        }
        int max = store.maxVersion(id.get());
        return new IasException(ErrorKind.NOT_FOUND, "version", "application " + Texts.quote(id.get()) + " has no version "
                + version + "; expected a version from 1 to " + max + ", or 0 for the latest");
    }

    private static IasException unknownApplication(String idOrName) {
        return new IasException(ErrorKind.NOT_FOUND, "", "no application has the id or name " + Texts.quote(idOrName)
                + "; expected the id or name of an uploaded application");
    }

    // ---- delete

    @Override
    public void delete(String applicationIdOrName) throws IasException {
        String id;
        String name;
        try {
            id = store.resolve(applicationIdOrName).orElseThrow(() -> unknownApplication(applicationIdOrName));
            name = store.nameOf(id).orElse(id);
        } catch (MongoException e) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", "the app repository's store (MongoDB) failed ("
                    + e.getMessage() + "); nothing was deleted, try again later");
        }
        List<InstanceInfo> live = liveInstances(id, name);
        if (!live.isEmpty()) {
            List<String> named = live.stream().limit(MAX_NAMED_INSTANCES)
                    .map(i -> i.instanceId() + " (" + i.state() + ", job " + i.jobId() + ")").toList();
            throw new IasException(ErrorKind.CONFLICT, "", "application " + Texts.quote(name) + " has " + live.size()
                    + " scheduled or active instance" + (live.size() == 1 ? "" : "s") + ": " + String.join(", ", named)
                    + (live.size() > named.size() ? ", …" : "") + "; expected every instance STOPPED or FAILED — stop "
                    + "its deployments first");
        }
        List<ObjectId> packages;
        try {
            packages = store.deleteVersions(id);
        } catch (MongoException e) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", "application " + Texts.quote(name) + " could not be deleted "
                    + "because the app repository's store (MongoDB) failed (" + e.getMessage() + "); try again later");
        }
        packages.forEach(store::deletePackageQuietly);
        LOG.info("Application {} ({}) deleted with {} version(s)", name, id, packages.size());
    }

    /** The instances of an application that are scheduled or active, per the instance registry (none without one). */
    private List<InstanceInfo> liveInstances(String id, String name) throws IasException {
        InstanceRegistry registry = instanceRegistry.get();
        if (registry == null) {
            return List.of();
        }
        List<InstanceInfo> all;
        try {
            all = registry.instances();
        } catch (RuntimeException e) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", "the application's instances cannot be checked ("
                    + e.getMessage() + "); nothing was deleted, try again later");
        }
        return all.stream()
                .filter(i -> id.equals(i.applicationId()) || name.equals(i.applicationName()))
                .filter(i -> i.state() != null && (i.state().isActive() || i.state() == InstanceState.SCHEDULED))
                .toList();
    }
}
