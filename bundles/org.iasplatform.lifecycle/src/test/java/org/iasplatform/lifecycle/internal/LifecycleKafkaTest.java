package org.iasplatform.lifecycle.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.deploy.InstanceLogLine;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.node.NodeState;
import org.iasplatform.infra.server.EmbeddedKafka;
import org.iasplatform.messaging.internal.KafkaMessaging;
import org.iasplatform.messaging.internal.Settings;
import org.iasplatform.testsupport.EmbeddedMongoResource;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Server-lifecycle over a real Kafka broker and the platform's real {@link KafkaMessaging}: heartbeats followed, instance
 * logs read with {@code latest}, and a start travelling deployer_to_slc → node command → instance_events.
 */
public class LifecycleKafkaTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @ClassRule
    public static final TemporaryFolder TMP = new TemporaryFolder();
    @ClassRule
    public static final EmbeddedMongoResource MONGO = new EmbeddedMongoResource();

    private static EmbeddedKafka kafka;
    private static KafkaMessaging messaging;
    private static ServerLifecycleComponent slc;

    private final ObjectMapper mapper = new ObjectMapper();

    @BeforeClass
    public static void start() throws Exception {
        kafka = new EmbeddedKafka(TMP.newFolder("kafka").toPath(), 0, 0);
        kafka.start();
        messaging = new KafkaMessaging(kafka.bootstrapServers(), new Settings(3, (short) 1, Duration.ofSeconds(15),
                "ias-test"));
        messaging.ensureTopics(Topics.ALL);
        // long silences: the nodes of this test beat once and must stay UP while consumer groups join
        slc = new ServerLifecycleComponent(MONGO.client(), messaging, Configs.of(ServerLifecycleComponent.Config.class,
                Map.of("suspect__after__ms", 120_000L, "down__after__ms", 240_000L)), java.time.Clock.systemUTC());
        slc.setStrategy(LifecycleTestBase.LEAST_LOAD, Map.of("ias.strategy", "least-load"));
        slc.start();
        Poll.until("following heartbeats", WAIT, slc::isFollowingHeartbeats);
    }

    @AfterClass
    public static void stop() {
        if (slc != null) {
            slc.stop();
        }
        if (messaging != null) {
            messaging.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static void publish(String topic, String key, String json) {
        messaging.publish(topic, key, json).toCompletableFuture().join();
    }

    private void heartbeat(String node, double load, String... runtimes) {
        ObjectNode beat = mapper.createObjectNode().put("node_id", node).put("host", node).put("timestamp",
                System.currentTimeMillis()).put("cpu", load).put("mem", load).put("instances", 0).put("epoch", 7);
        for (String r : runtimes) {
            beat.withArray("runtimes").add(r);
        }
        publish(Topics.NODE_HEARTBEATS, node, beat.toString());
    }

    @Test
    public void heartbeatsOnTheTopicMakeTheNodeKnown() {
        heartbeat("k-node-1", 0.3, "process");
        Poll.until("k-node-1 in the node table", WAIT, () -> slc.node("k-node-1").isPresent());
        assertEquals(NodeState.UP, slc.node("k-node-1").orElseThrow().state());
        assertEquals(0.3, slc.node("k-node-1").orElseThrow().load(), 1e-9);
        assertEquals(List.of("process"), slc.node("k-node-1").orElseThrow().runtimes());
    }

    @Test
    public void theLogOfAnInstanceIsItsLastLinesOldestFirst() throws Exception {
        String id = "k-log-1";
        publish(Topics.INSTANCE_EVENTS, id, "{\"instance_id\":\"" + id + "\",\"state\":\"SCHEDULED\",\"generation\":null,"
                + "\"job_id\":\"job-k\",\"application_name\":\"A\",\"algorithm_name\":\"B\",\"timestamp\":1}");
        Poll.until("the SCHEDULED event consumed", WAIT, () -> slc.instance(id).isPresent());
        assertEquals("known, nothing logged yet: no lines", List.of(), slc.logs(id, 10));

        for (int i = 1; i <= 5; i++) {
            publish(Topics.instanceLog(id), id, mapper.createObjectNode().put("instance_id", id).put("timestamp", 1000 + i)
                    .put("stream", i % 2 == 0 ? "stderr" : "stdout").put("line", "line " + i).toString());
        }
        List<InstanceLogLine> last = slc.logs(id, 3);
        assertEquals(List.of(new InstanceLogLine(1003, "stdout", "line 3"), new InstanceLogLine(1004, "stderr", "line 4"),
                new InstanceLogLine(1005, "stdout", "line 5")), last);
        assertEquals(5, slc.logs(id, 0).size());

        try {
            slc.logs("k-nobody", 5);
            fail("unknown instance");
        } catch (IasException e) {
            assertEquals(ErrorKind.NOT_FOUND, e.kind());
        }
    }

    @Test
    public void aStartTravelsToTheNodeAndTheNodesReportComesBack() throws Exception {
        String node = "k-node-2";
        String id = "k-inst-2";
        BlockingQueue<String> commands = new LinkedBlockingQueue<>();
        try (Subscription agent = messaging.follow(List.of(Topics.nodeCommands(node)), m -> commands.add(m.value()))) {
            heartbeat(node, 0.01, "process"); // the least loaded of every node of this test class
            Poll.until(node + " UP", WAIT, () -> slc.node(node).map(n -> n.state() == NodeState.UP).orElse(false));
            heartbeat("k-node-busy", 0.9, "process");
            ObjectNode start = TestMessages.start(mapper, id, "job-k:1", "process");
            publish(Topics.DEPLOYER_TO_SLC, id, start.toString());

            String json = commands.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertTrue("a start command for " + node, json != null);
            JsonNode command = mapper.readTree(json);
            assertEquals("start", command.path("op").asText());
            assertEquals(id, command.path("instance_id").asText());
            long generation = command.path("generation").asLong();
            assertEquals(1, generation);
            assertEquals(InstanceState.STARTING, slc.instance(id).orElseThrow().state());

            publish(Topics.INSTANCE_EVENTS, id, mapper.createObjectNode().put("instance_id", id).put("node", node)
                    .put("generation", generation).put("run_id", "job-k:1").put("state", "RUNNING").putNull("exit_code")
                    .put("timestamp", System.currentTimeMillis()).toString());
            Poll.until(id + " RUNNING", WAIT,
                    () -> slc.instance(id).map(i -> i.state() == InstanceState.RUNNING).orElse(false));
            assertEquals(id, slc.authenticate(command.path("token").asText()).orElseThrow().instanceId());
            assertEquals(node, slc.instance(id).orElseThrow().node());
        }
    }
}
