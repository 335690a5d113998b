package org.iasplatform.apps.internal;

import static org.iasplatform.apps.internal.Support.appConfigKind;
import static org.iasplatform.apps.internal.Support.busApp;
import static org.iasplatform.apps.internal.Support.busSensors;
import static org.iasplatform.apps.internal.Support.defaults;
import static org.iasplatform.apps.internal.Support.refused;
import static org.iasplatform.apps.internal.Support.stream;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.bson.Document;
import org.bson.types.ObjectId;
import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.app.AppVersion;
import org.iasplatform.validation.internal.AppConfigValidator;
import org.junit.Rule;
import org.junit.Test;

import com.mongodb.client.gridfs.GridFSBucket;
import com.mongodb.client.gridfs.GridFSBuckets;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;

/** The store side: nothing half-written when the store refuses or fails, orphans swept, concurrent version numbering. */
public class AppRepositoryStoreTest {
    @Rule
    public final Support.Mongo mongo = new Support.Mongo();

    private AppRepositoryComponent repository() {
        AppRepositoryComponent repository = new AppRepositoryComponent(mongo.client(), busSensors(), defaults());
        repository.addValidator(new AppConfigValidator(), appConfigKind());
        return repository;
    }

    @Test
    public void whenTheVersionDocumentCannotBeWrittenThePackageIsDeletedAgain() throws Exception {
        AppRepositoryComponent repository = repository();
        // a site's own unique index that the second upload of the same archive violates
        mongo.appRepo().getCollection(AppStore.VERSIONS).createIndex(Indexes.ascending("sha256"),
                new IndexOptions().unique(true).name("site_one_upload_per_archive"));
        byte[] zip = busApp().bytes();
        repository.upload(stream(zip), null, "dev");

        IasException e = refused(ErrorKind.UNAVAILABLE, () -> repository.upload(stream(zip), null, "dev"));

        assertTrue(e.errors().get(0).message(), e.errors().get(0).message().contains("nothing was stored"));
        mongo.assertStored(1, 1);
    }

    @Test
    public void aStoreThatIsDownMakesUploadsUnavailable() throws Exception {
        mongo.stopServer();
        AppRepositoryComponent repository = repository(); // activation does not fail: indexes are made at the first upload

        IasException e = refused(ErrorKind.UNAVAILABLE, () -> repository.upload(stream(busApp().bytes()), null, "dev"));

        assertTrue(e.errors().get(0).message(), e.errors().get(0).message().contains("MongoDB"));
    }

    @Test
    public void packagesLeftWithoutAVersionAreSweptOnceOld() throws Exception {
        AppVersion kept = repository().upload(stream(busApp().bytes()), null, "dev");
        GridFSBucket bucket = GridFSBuckets.create(mongo.appRepo(), AppStore.BUCKET);
        ObjectId oldOrphan = bucket.uploadFromStream("orphan.zip", stream(busApp().bytes()));
        ObjectId freshOrphan = bucket.uploadFromStream("uploading.zip", stream(busApp().bytes()));
        Date twoHoursAgo = Date.from(Instant.now().minus(Duration.ofHours(2)));
        for (ObjectId id : List.of(oldOrphan, new ObjectId(kept.packageId()))) {
            mongo.appRepo().getCollection(AppStore.BUCKET + ".files").updateOne(Filters.eq("_id", id),
                    Updates.set("uploadDate", twoHoursAgo));
        }

        repository(); // a platform (re)start

        Set<String> left = new TreeSet<>();
        bucket.find().forEach(f -> left.add(f.getObjectId().toHexString()));
        assertEquals(new TreeSet<>(List.of(kept.packageId(), freshOrphan.toHexString())), left);
        assertEquals(0, mongo.appRepo().getCollection(AppStore.BUCKET + ".chunks")
                .countDocuments(Filters.eq("files_id", oldOrphan)));
    }

    @Test
    public void aPackageMissingFromTheStoreIsNotFound() throws Exception {
        AppRepositoryComponent repository = repository();
        AppVersion v = repository.upload(stream(busApp().bytes()), null, "dev");
        GridFSBuckets.create(mongo.appRepo(), AppStore.BUCKET).delete(new ObjectId(v.packageId()));

        IasException e = refused(ErrorKind.NOT_FOUND,
                () -> repository.download("Bus_management", 1, new java.io.ByteArrayOutputStream()));

        assertTrue(e.errors().get(0).message(), e.errors().get(0).message().contains("missing from the store"));
    }

    @Test
    public void aTakenVersionNumberIsReportedForARetry() {
        AppStore store = new AppStore(mongo.client());
        store.createIndexes();
        Document first = new Document("application_id", "2").append("application_name", "Bus_management").append("version", 1)
                .append("package_id", new ObjectId().toHexString());
        assertTrue(store.insertVersion(first));
        Document again = new Document(first);
        again.remove("_id");
        assertFalse(store.insertVersion(again));
        assertEquals(1, store.maxVersion("2"));
    }

    /** Two platform instances (each its own component and lock) uploading the same application at the same time. */
    @Test
    public void concurrentUploadsGetDistinctConsecutiveVersions() throws Exception {
        List<AppRepositoryComponent> platforms = List.of(repository(), repository());
        int perThread = 3;
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Integer>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                AppRepositoryComponent platform = platforms.get(t % 2);
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    List<Integer> versions = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        byte[] zip = busApp().file("upload.txt", thread + "/" + i).bytes();
                        versions.add(platform.upload(stream(zip), null, "dev-" + thread).version());
                    }
                    return versions;
                }));
            }
            start.countDown();
            Set<Integer> all = new TreeSet<>();
            for (Future<List<Integer>> result : results) {
                all.addAll(result.get(60, TimeUnit.SECONDS));
            }
            Set<Integer> expected = new TreeSet<>();
            for (int v = 1; v <= threads * perThread; v++) {
                expected.add(v);
            }
            assertEquals(expected, all);
            mongo.assertStored(threads * perThread, threads * perThread);
        } finally {
            pool.shutdownNow();
        }
    }
}
