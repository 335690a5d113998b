package org.iasplatform.node.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bson.types.ObjectId;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.testsupport.EmbeddedMongoResource;
import org.iasplatform.testsupport.RecordingMessaging;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.gridfs.GridFSBucket;
import com.mongodb.client.gridfs.GridFSBuckets;

/** App packages read from GridFS (app_repo.packages) of a real MongoDB-wire-protocol server, and started from there. */
public class GridFsPackageSourceTest {
    @ClassRule
    public static final TemporaryFolder TMP = new TemporaryFolder();

    @ClassRule
    public static final EmbeddedMongoResource MONGO = new EmbeddedMongoResource();

    private static ObjectId store(byte[] content) {
        GridFSBucket bucket = GridFSBuckets.create(MONGO.database("app_repo"), "packages");
        ObjectId id = new ObjectId();
        bucket.uploadFromStream(new org.bson.BsonObjectId(id), "app.zip", new ByteArrayInputStream(content));
        return id;
    }

    @Test
    public void readsAStoredPackage() throws Exception {
        byte[] content = new byte[600 * 1024]; // several GridFS chunks
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31);
        }
        ObjectId id = store(content);
        try (InputStream in = new GridFsPackageSource(MONGO.client()).open(id.toHexString())) {
            assertArrayEquals(content, in.readAllBytes());
        }
    }

    @Test
    public void anAbsentOrMalformedIdIsNotFound() throws Exception {
        GridFsPackageSource source = new GridFsPackageSource(MONGO.client());
        for (String id : new String[] { new ObjectId().toHexString(), "not-an-id", null }) {
            try {
                source.open(id).close();
                fail("opened " + id);
            } catch (FileNotFoundException e) {
                assertTrue(e.getMessage(), e.getMessage().contains(String.valueOf(id)));
            }
        }
    }

    @Test
    public void aStartFetchesItsPackageFromGridFsAndTheStopDeletesTheFolder() throws Exception {
        Map<String, String> app = new LinkedHashMap<>();
        app.put("appConfig.json", "{}");
        app.put("algo.sh", "echo hi\n");
        ObjectId packageId = store(Zips.zip(app));
        Path instances = TMP.newFolder("instances").toPath();
        RecordingMessaging messaging = new RecordingMessaging();
        FakeRuntime runtime = new FakeRuntime();
        RuntimeRegistry runtimes = new RuntimeRegistry();
        runtimes.add(new RuntimeRegistry.Entry(List.of("process"), runtime, 1, 0));
        try (InstanceManager manager = new InstanceManager(new InstanceManager.Settings("n1", instances, "http://x",
                Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(5), new SafeExtractor.Limits(1 << 20, 10, 1 << 20), 1L),
                messaging, new GridFsPackageSource(MONGO.client()), runtimes)) {
            ObjectMapper json = new ObjectMapper();
            ObjectNode start = json.createObjectNode();
            start.put("op", "start").put("instance_id", "i1").put("generation", 1).put("run_id", "j:1");
            start.putObject("launch").put("runtime", "process").put("package_id", packageId.toHexString())
                    .put("entry", "algo.sh").put("lang", "bash");
            manager.handle(messaging.message(Topics.nodeCommands("n1"), "i1", start.toString()));
            List<JsonNode> events = messaging.publishedJson(Topics.INSTANCE_EVENTS);
            assertEquals(events.toString(), "RUNNING", events.get(events.size() - 1).path("state").asText());
            Path dir = runtime.last().launch.directory();
            assertEquals(instances.resolve("i1").resolve("1"), dir);
            assertEquals("echo hi\n", Files.readString(dir.resolve("algo.sh")));

            ObjectNode stop = json.createObjectNode().put("op", "stop").put("instance_id", "i1").put("generation", 1);
            manager.handle(messaging.message(Topics.nodeCommands("n1"), "i1", stop.toString()));
            assertFalse(Files.exists(dir));
        }
    }
}
