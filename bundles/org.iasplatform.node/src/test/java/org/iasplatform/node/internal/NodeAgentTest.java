package org.iasplatform.node.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.bson.BsonObjectId;
import org.bson.types.ObjectId;

import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.node.AppRuntime;
import org.iasplatform.testsupport.EmbeddedMongoResource;
import org.iasplatform.testsupport.RecordingMessaging;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Constants;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.gridfs.GridFSBucket;
import com.mongodb.client.gridfs.GridFSBuckets;

/** The component: heartbeat content (with the instances running), the command subscription, the runtime whiteboard. */
public class NodeAgentTest {
    @ClassRule
    public static final EmbeddedMongoResource MONGO = new EmbeddedMongoResource();

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void heartbeatsNameTheRuntimesAndCountInstancesAndCommandsAreSubscribedInTheNodesGroup() throws Exception {
        RecordingMessaging messaging = new RecordingMessaging();
        Path dir = tmp.newFolder("instances").toPath();
        // the client connects lazily: nothing is read from it here
        try (MongoClient mongo = MongoClients.create("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=100")) {
            NodeAgent agent = new NodeAgent(messaging, mongo, config(Map.of("node__id", "n7", "instances__dir",
                    dir.toString())), NO_SHUTDOWN);
            agent.addRuntime(new FakeRuntime(), Map.of(AppRuntime.PROPERTY_KIND, "process", Constants.SERVICE_ID, 11L));
            agent.addRuntime(new FakeRuntime(), Map.of(AppRuntime.PROPERTY_KIND, "bundle", Constants.SERVICE_ID, 12L));
            agent.activate();
            try {
                ObjectNode beat = agent.heartbeat();
                assertEquals("n7", beat.path("node_id").asText());
                assertEquals("[\"bundle\",\"process\"]", beat.path("runtimes").toString());
                assertEquals(0, beat.path("instances").asInt());
                assertTrue(beat.path("epoch").asLong() > 0);

                RecordingMessaging.Subscribed commands = messaging.subscriptions().get(0);
                assertEquals("node-n7", commands.group());
                assertEquals(List.of(Topics.nodeCommands("n7")), commands.topics());

                agent.removeRuntime(null, Map.of(Constants.SERVICE_ID, 12L));
                assertEquals("[\"process\"]", agent.heartbeat().path("runtimes").toString());
                InstanceManagerTest.await("a heartbeat published",
                        () -> !messaging.published(Topics.NODE_HEARTBEATS).isEmpty());
                InstanceManagerTest.await("the command topic created",
                        () -> messaging.ensured().contains(Topics.nodeCommands("n7")));
            } finally {
                agent.deactivate();
            }
            assertTrue(!messaging.subscriptions().get(0).isAlive());
        }
    }

    @Test
    public void heartbeatsListTheInstancesRunningWithTheirGeneration() throws Exception {
        Map<String, String> app = new LinkedHashMap<>();
        app.put("appConfig.json", "{}");
        app.put("algo.sh", "echo hi\n");
        GridFSBucket bucket = GridFSBuckets.create(MONGO.database("app_repo"), "packages");
        ObjectId packageId = new ObjectId();
        bucket.uploadFromStream(new BsonObjectId(packageId), "app.zip", new ByteArrayInputStream(Zips.zip(app)));
        RecordingMessaging messaging = new RecordingMessaging();
        NodeAgent agent = new NodeAgent(messaging, MONGO.client(), config(Map.of("node__id", "n8", "instances__dir",
                tmp.newFolder("instances").toString(), "heartbeat__period__ms", 100L)), NO_SHUTDOWN);
        FakeRuntime runtime = new FakeRuntime();
        agent.addRuntime(runtime, Map.of(AppRuntime.PROPERTY_KIND, "process", Constants.SERVICE_ID, 11L));
        agent.activate();
        try {
            long epoch = agent.heartbeat().path("epoch").asLong();
            assertEquals("[]", agent.heartbeat().path("running").toString());
            command(messaging, start("i-1", 3, packageId, epoch));
            command(messaging, start("i-2", 1, packageId, epoch));
            command(messaging, start("i-old", 5, packageId, epoch - 1)); // addressed to an earlier run of the agent

            ObjectNode beat = agent.heartbeat();
            assertEquals(2, beat.path("instances").asInt());
            assertEquals("[{\"instance_id\":\"i-1\",\"generation\":3},{\"instance_id\":\"i-2\",\"generation\":1}]",
                    beat.path("running").toString());
            InstanceManagerTest.await("a heartbeat listing them published", () -> messaging
                    .publishedJson(Topics.NODE_HEARTBEATS).stream().anyMatch(b -> b.path("running").size() == 2));

            command(messaging, JSON.createObjectNode().put("op", "stop").put("instance_id", "i-1").put("generation", 3)
                    .put("reason", "fenced: generation 4 of it was placed on node n9"));
            assertEquals("[{\"instance_id\":\"i-2\",\"generation\":1}]", agent.heartbeat().path("running").toString());
            assertEquals(1, agent.heartbeat().path("instances").asInt());
        } finally {
            agent.deactivate();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Tests without a shutdown: one would fail them (the instances would be gone). */
    private static final Runnable NO_SHUTDOWN = () -> {
        throw new AssertionError("the node was told to shut down");
    };

    @Test
    public void aShutdownForThisAgentStopsItsKarafOnceOneForAnEarlierAgentIsIgnored() throws Exception {
        RecordingMessaging messaging = new RecordingMessaging();
        AtomicInteger stops = new AtomicInteger();
        NodeAgent agent = new NodeAgent(messaging, MONGO.client(), config(Map.of("node__id", "n8", "instances__dir",
                tmp.newFolder("instances").toString())), stops::incrementAndGet);
        agent.activate();
        try {
            long epoch = agent.heartbeat().path("epoch").asLong();
            command(messaging, shutdown(epoch - 1)); // left in the topic for an agent that died before reading it
            command(messaging, JSON.createObjectNode().put("op", "stop").put("instance_id", "i-9").put("generation", 1));
            assertEquals("an earlier agent's shutdown is ignored", 0, stops.get());
            assertEquals("a stop still gets its answer", 1, messaging.published(Topics.INSTANCE_EVENTS).size());

            command(messaging, shutdown(epoch));
            command(messaging, shutdown(epoch)); // redelivered
            InstanceManagerTest.await("Karaf told to stop", () -> stops.get() == 1);
            assertEquals("nothing reported for a shutdown", 1, messaging.published(Topics.INSTANCE_EVENTS).size());
        } finally {
            agent.deactivate();
        }
        assertEquals("once", 1, stops.get());
    }

    @Test
    public void thePlatformsLocalNodeKeepsItsKarafWhenDecommissioned() throws Exception {
        RecordingMessaging messaging = new RecordingMessaging();
        AtomicInteger stops = new AtomicInteger();
        NodeAgent agent = new NodeAgent(messaging, MONGO.client(), config(Map.of("node__id", "n8", "instances__dir",
                tmp.newFolder("instances").toString(), "stop__karaf__on__decommission", false)), stops::incrementAndGet);
        agent.activate();
        try {
            command(messaging, shutdown(agent.heartbeat().path("epoch").asLong())); // handled on this thread
            assertEquals("its Karaf (the platform's) stays", 0, stops.get());
            assertTrue(messaging.subscriptions().get(0).isAlive());
        } finally {
            agent.deactivate();
        }
    }

    private static ObjectNode shutdown(long epoch) {
        return JSON.createObjectNode().put("op", "shutdown").put("node_id", "n8").put("node_epoch", epoch)
                .put("reason", "decommissioned");
    }

    private static ObjectNode start(String instanceId, long generation, ObjectId packageId, long nodeEpoch) {
        ObjectNode start = JSON.createObjectNode();
        start.put("op", "start").put("instance_id", instanceId).put("generation", generation)
                .put("run_id", "j:" + generation).put("token", "t").put("node_epoch", nodeEpoch);
        start.putObject("launch").put("runtime", "process").put("package_id", packageId.toHexString())
                .put("entry", "algo.sh").put("lang", "bash");
        return start;
    }

    /** A command as the agent's subscription to its command topic gets it. */
    private static void command(RecordingMessaging messaging, ObjectNode command) throws Exception {
        messaging.deliver(Topics.nodeCommands("n8"), command.path("instance_id").asText(), command.toString());
    }

    @Test
    public void theInstancesFolderDefaultsUnderKarafData() {
        String old = System.getProperty("karaf.data");
        try {
            System.setProperty("karaf.data", "/opt/karaf/data");
            assertEquals(Path.of("/opt/karaf/data/ias/instances"), NodeAgent.instancesDir(config(Map.of())));
            System.clearProperty("karaf.data");
            assertEquals(Path.of(System.getProperty("java.io.tmpdir"), "ias", "instances").toAbsolutePath(),
                    NodeAgent.instancesDir(config(Map.of())));
            assertEquals(Path.of("/srv/x"), NodeAgent.instancesDir(config(Map.of("instances__dir", "/srv/x"))));
        } finally {
            if (old == null) {
                System.clearProperty("karaf.data");
            } else {
                System.setProperty("karaf.data", old);
            }
        }
    }

    /** A Config with its defaults, some overridden by method name. */
    static NodeAgent.Config config(Map<String, Object> overrides) {
        return (NodeAgent.Config) Proxy.newProxyInstance(NodeAgent.Config.class.getClassLoader(),
                new Class<?>[] { NodeAgent.Config.class }, (proxy, method, args) -> {
                    if (overrides.containsKey(method.getName())) {
                        return overrides.get(method.getName());
                    }
                    Object value = method.getDefaultValue();
                    if (value == null) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return value;
                });
    }
}
