package org.iasplatform.node.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.node.InstanceLaunch;
import org.iasplatform.api.sensor.FieldType;
import org.iasplatform.testsupport.RecordingMessaging;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The node agent's command handling against a fake runtime: generations, events, folders, logs. */
public class InstanceManagerTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ID = "65f0c0ffee0000000000abcd";
    private static final String PACKAGE = "65f0c0ffee00000000000001";
    private static final Duration GRACE = Duration.ofMillis(1234);
    /** The agent's epoch (its start time on the node's clock). */
    private static final long EPOCH = 1_714_557_600_000L;

    private final RecordingMessaging messaging = new RecordingMessaging();
    private final FakeRuntime runtime = new FakeRuntime();
    private final RuntimeRegistry runtimes = new RuntimeRegistry();
    private final Map<String, byte[]> packages = new ConcurrentHashMap<>();
    private Path instancesDir;
    private InstanceManager manager;

    @Before
    public void setUp() throws Exception {
        instancesDir = tmp.newFolder("instances").toPath();
        runtimes.add(new RuntimeRegistry.Entry(List.of("process"), runtime, 7, 0));
        Map<String, String> app = new LinkedHashMap<>();
        app.put("Bus_management/appConfig.json", "{\"application_name\":\"Bus_management\"}");
        app.put("Bus_management/lightControl.py", "print('x')\n");
        packages.put(PACKAGE, Zips.zip(app));
        manager = newManager();
    }

    private InstanceManager newManager() {
        return new InstanceManager(new InstanceManager.Settings("node-a", instancesDir, "http://api:8181/ias/api/v1", GRACE,
                Duration.ofMillis(100), Duration.ofSeconds(5), new SafeExtractor.Limits(1 << 20, 100, 1 << 20), EPOCH),
                messaging, id -> {
                    byte[] zip = packages.get(id);
                    if (zip == null) {
                        throw new FileNotFoundException("no package " + id);
                    }
                    return new ByteArrayInputStream(zip);
                }, runtimes);
    }

    @After
    public void tearDown() {
        manager.close();
    }

    // ---- commands and events ----

    @Test
    public void startExtractsLaunchesAndReportsStartingThenRunning() throws Exception {
        handle(start(ID, 3, "lightControl.py", "process"));

        assertEquals(List.of("STARTING", "RUNNING"), states(ID));
        JsonNode running = events(ID).get(1);
        assertEquals("node-a", running.path("node").asText());
        assertEquals(3, running.path("generation").asLong());
        assertEquals("job-1:3", running.path("run_id").asText());
        assertTrue(running.path("exit_code").isNull());

        FakeRuntime.Running instance = runtime.last();
        InstanceLaunch launch = instance.launch;
        assertEquals(ID, launch.instanceId());
        assertEquals("job-1", launch.jobId());
        assertEquals("Bus_management", launch.applicationName());
        assertEquals("lightControl", launch.algorithmName());
        assertEquals("the extracted root folder (the one holding appConfig.json)",
                instancesDir.resolve(ID).resolve("3").resolve("Bus_management"), launch.directory());
        assertTrue(instance.directoryExisted);
        assertTrue(Files.isRegularFile(launch.directory().resolve("lightControl.py")));
        assertEquals("lightControl.py", launch.entry());
        assertEquals("python", launch.lang());
        assertEquals(Map.of("IAS_API_URL", "http://api:8181/ias/api/v1", "IAS_INSTANCE_ID", ID, "IAS_TOKEN", "tok-3",
                "IAS_NODE_ID", "node-a", "IAS_GENERATION", "3"), launch.environment());
        assertEquals(1, launch.sensors().size());
        assertEquals("si-light", launch.sensors().get(0).sensorInstanceId());
        assertEquals("sensor_control_si-light", launch.sensors().get(0).controlTopic());
        assertEquals(FieldType.INT, launch.sensorTypes().get("light-sensor").controlFunctions()
                .function("switchOnLight").orElseThrow().parameterTypes().get("level"));
        assertEquals(1, manager.count());
        assertTrue(messaging.ensured().contains(Topics.instanceLog(ID)));
        assertTrue(logLines(ID, "platform").get(0).contains("starting generation 3"));
    }

    @Test
    public void aRepeatedStartRepeatsItsLastEventAndAnOlderGenerationIsIgnored() throws Exception {
        handle(start(ID, 3, "lightControl.py", "process"));
        handle(start(ID, 3, "lightControl.py", "process"));
        assertEquals(1, runtime.started.size());
        assertEquals(List.of("STARTING", "RUNNING", "RUNNING"), states(ID));

        handle(start(ID, 2, "lightControl.py", "process"));
        handle(stop(ID, 2, "old"));
        assertEquals(1, runtime.started.size());
        assertTrue(runtime.last().alive);
        assertEquals(3, events(ID).size());
    }

    @Test
    public void aHigherGenerationReplacesTheRunningOne() throws Exception {
        handle(start(ID, 3, "lightControl.py", "process"));
        FakeRuntime.Running first = runtime.last();
        handle(start(ID, 4, "lightControl.py", "process"));

        assertEquals(List.of(GRACE), first.stops);
        assertFalse(Files.exists(instancesDir.resolve(ID).resolve("3")));
        assertTrue(Files.isDirectory(instancesDir.resolve(ID).resolve("4")));
        List<JsonNode> events = events(ID);
        assertEquals(List.of("STARTING", "RUNNING", "STOPPED", "STARTING", "RUNNING"), states(ID));
        assertEquals(3, events.get(2).path("generation").asLong());
        assertEquals("replaced by generation 4", events.get(2).path("reason").asText());
        assertEquals(4, events.get(4).path("generation").asLong());
        assertEquals(1, manager.count());
    }

    @Test
    public void theInstancesRunningAreListedWithTheirGeneration() throws Exception {
        String other = "65f0c0ffee0000000000b001";
        assertEquals(Map.of(), manager.running());
        handle(start(ID, 3, "lightControl.py", "process"));
        handle(start(other, 1, "lightControl.py", "process"));
        assertEquals(Map.of(ID, 3L, other, 1L), manager.running());

        handle(start(other, 2, "lightControl.py", "process")); // replaces generation 1
        handle(stop(ID, 3, "stopped"));
        assertEquals(Map.of(other, 2L), manager.running());

        runtime.last().exit(1, "exit 1");
        await("the crash handled", () -> manager.running().isEmpty());
        assertEquals(0, manager.count());
    }

    @Test
    public void aStartAddressedToAnEarlierRunOfTheAgentIsIgnoredWithoutAWord() throws Exception {
        handle(start(ID, 1, "lightControl.py", "process").put("node_epoch", EPOCH - 60_000));
        assertEquals("not started", 0, runtime.started.size());
        assertTrue("nothing reported: server-lifecycle finds it orphaned by the new epoch",
                messaging.publishedJson(Topics.INSTANCE_EVENTS).isEmpty());
        assertEquals(Map.of(), manager.running());

        handle(start(ID, 2, "lightControl.py", "process").put("node_epoch", EPOCH)); // addressed to this agent
        assertEquals(Map.of(ID, 2L), manager.running());
        handle(start("65f0c0ffee0000000000b001", 1, "lightControl.py", "process")); // no node_epoch: as before
        assertEquals(2, runtime.started.size());
    }

    @Test
    public void theBacklogOfACommandTopicReadByAReturningAgentRunsOnlyWhatIsCurrent() throws Exception {
        // queued while the node was down (killed): the start it never took, the fence server-lifecycle sent when it
        // placed the instance elsewhere, then (back on this node) a newer generation, and a late stop of an older one
        handle(start(ID, 1, "lightControl.py", "process").put("node_epoch", EPOCH - 60_000));
        handle(stop(ID, 1, "fenced: generation 2 of it was placed on node node-b"));
        handle(start(ID, 3, "lightControl.py", "process").put("node_epoch", EPOCH));
        handle(stop(ID, 2, "superseded by a restart"));

        assertEquals("only generation 3 ever ran", 1, runtime.started.size());
        assertEquals(3, Integer.parseInt(runtime.last().launch.environment().get("IAS_TOKEN").substring(4)));
        assertTrue(runtime.last().alive);
        assertEquals(Map.of(ID, 3L), manager.running());
        assertEquals(List.of("STOPPED/1", "STARTING/3", "RUNNING/3"), events(ID).stream()
                .map(e -> e.path("state").asText() + "/" + e.path("generation").asLong()).toList());
        assertTrue(events(ID).get(0).path("reason").asText().contains("it was not running on node node-a"));

        handle(stop(ID, 3, "fenced: generation 4 of it was placed on node node-b"));
        assertFalse("a stop of its generation stops it", runtime.last().alive);
        assertEquals(Map.of(), manager.running());
    }

    @Test
    public void stopStopsWithTheGraceReportsStoppedAndDeletesTheFolder() throws Exception {
        handle(start(ID, 3, "lightControl.py", "process"));
        FakeRuntime.Running instance = runtime.last();
        handle(stop(ID, 3, "end_time"));

        assertEquals(List.of(GRACE), instance.stops);
        assertEquals(List.of("STARTING", "RUNNING", "STOPPED"), states(ID));
        JsonNode stopped = events(ID).get(2);
        assertEquals("end_time", stopped.path("reason").asText());
        assertTrue(stopped.path("exit_code").isNull());
        assertFalse("the instance folder is deleted", Files.exists(instancesDir.resolve(ID)));
        assertEquals(0, manager.count());
        assertTrue(logLines(ID, "platform").stream().anyMatch(l -> l.equals("stopping: end_time")));

        handle(stop(ID, 3, "end_time"));
        assertEquals("a repeated stop repeats STOPPED", List.of("STARTING", "RUNNING", "STOPPED", "STOPPED"), states(ID));
        handle(start(ID, 3, "lightControl.py", "process"));
        assertEquals("a start of the stopped generation does not run it again", 1, runtime.started.size());

        handle(stop("65f0c0ffee0000000000ffff", 9, "stopped"));
        JsonNode unknown = events("65f0c0ffee0000000000ffff").get(0);
        assertEquals("STOPPED", unknown.path("state").asText());
        assertTrue(unknown.path("reason").asText().contains("not running on node node-a"));
    }

    @Test
    public void anInstanceEndingByItselfIsStoppedWithZeroAndFailedOtherwise() throws Exception {
        handle(start(ID, 1, "lightControl.py", "process"));
        runtime.last().exit(0, "exit 0");
        await("STOPPED", () -> states(ID).size() == 3);
        JsonNode stopped = events(ID).get(2);
        assertEquals("STOPPED", stopped.path("state").asText());
        assertEquals(0, stopped.path("exit_code").asInt());
        await("folder deleted", () -> !Files.exists(instancesDir.resolve(ID)));
        assertEquals(0, manager.count());
        assertEquals("the runtime is asked to clean up what the instance left", 1, runtime.last().stops.size());

        handle(start(ID, 2, "lightControl.py", "process"));
        runtime.last().exit(3, "exit 3");
        await("FAILED", () -> states(ID).size() == 6);
        JsonNode failed = events(ID).get(5);
        assertEquals("FAILED", failed.path("state").asText());
        assertEquals(3, failed.path("exit_code").asInt());
        assertEquals("exit 3", failed.path("reason").asText());
        assertFalse("a crash is no interruption", failed.has("interrupted"));
        assertTrue(logLines(ID, "platform").contains("exited with code 3: exit 3"));
    }

    @Test
    public void anExitWhileStartingIsReportedAfterRunning() throws Exception {
        runtime.duringStart = (running, listener) -> listener.exited(2, "crashed at once");
        handle(start(ID, 1, "lightControl.py", "process"));
        await("FAILED", () -> states(ID).size() == 3);
        assertEquals(List.of("STARTING", "RUNNING", "FAILED"), states(ID));
        assertEquals(0, manager.count());
    }

    @Test
    public void whatCannotStartFailsWithTheReasonAndLeavesNothing() throws Exception {
        handle(start("65f0c0ffee0000000000a001", 1, "lightControl.py", "docker"));
        assertFailed("65f0c0ffee0000000000a001", "has no docker runtime (it offers [process])");

        handle(start("65f0c0ffee0000000000a002", 1, "missing.py", "process"));
        assertFailed("65f0c0ffee0000000000a002", "the entry file \"missing.py\" is missing");

        runtime.failure = new IOException("Cannot run program \"python3\": error=2, No such file or directory");
        handle(start("65f0c0ffee0000000000a003", 1, "lightControl.py", "process"));
        assertFailed("65f0c0ffee0000000000a003", "Cannot run program \"python3\"");
        runtime.failure = null;

        ObjectNode noPackage = start("65f0c0ffee0000000000a004", 1, "lightControl.py", "process");
        ((ObjectNode) noPackage.path("launch")).put("package_id", "65f0c0ffee0000000000dead");
        handle(noPackage);
        assertFailed("65f0c0ffee0000000000a004", "app package not found");

        packages.put("65f0c0ffee0000000000e111", Zips.zip(Map.of("appConfig.json", "{}", "../x.py", "evil")));
        ObjectNode evil = start("65f0c0ffee0000000000a005", 1, "lightControl.py", "process");
        ((ObjectNode) evil.path("launch")).put("package_id", "65f0c0ffee0000000000e111");
        handle(evil);
        assertFailed("65f0c0ffee0000000000a005", "climbs out of the package");

        assertEquals(0, manager.count());
        try (var left = Files.list(instancesDir)) {
            assertEquals("nothing but the marker is left", List.of(InstanceManager.MARKER),
                    left.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    public void logLinesGoToTheInstanceLogTopic() throws Exception {
        handle(start(ID, 1, "lightControl.py", "process"));
        runtime.last().listener.log("stdout", "hello");
        runtime.last().listener.log("stderr", "x".repeat(InstanceManager.MAX_LINE + 10));
        JsonNode line = messaging.publishedJson(Topics.instanceLog(ID)).stream()
                .filter(l -> l.path("stream").asText().equals("stdout")).findFirst().orElseThrow();
        assertEquals(ID, line.path("instance_id").asText());
        assertEquals("hello", line.path("line").asText());
        assertTrue(line.path("timestamp").asLong() > 0);
        assertTrue(messaging.published().stream().filter(p -> p.topic().equals(Topics.instanceLog(ID)))
                .allMatch(p -> p.key().equals(ID)));
        String cut = logLines(ID, "stderr").get(0);
        assertTrue(cut.length() < InstanceManager.MAX_LINE + 10);
    }

    @Test
    public void anUnacknowledgedEventFailsTheHandlerAndTheRedeliveryRepeatsIt() throws Exception {
        messaging.failPublishing(new IllegalStateException("broker down"));
        try {
            handle(start(ID, 1, "lightControl.py", "process"));
            fail("the handler must fail so that the command is delivered again");
        } catch (IllegalStateException e) {
            assertEquals("broker down", e.getMessage());
        }
        assertEquals("nothing started before STARTING is out", 0, runtime.started.size());
        messaging.failPublishing(null);
        handle(start(ID, 1, "lightControl.py", "process"));
        assertEquals(List.of("STARTING", "RUNNING"), states(ID));
        assertEquals(1, runtime.started.size());
    }

    @Test
    public void malformedCommandsAreDroppedAndAStartThatCannotBeReadFails() throws Exception {
        manager.handle(messaging.message(Topics.nodeCommands("node-a"), "x", "not json"));
        manager.handle(messaging.message(Topics.nodeCommands("node-a"), "x", "{\"op\":\"start\"}"));
        ObjectNode restart = stop(ID, 1, "x").put("op", "restart");
        handle(restart);
        assertTrue("nothing to report for these", messaging.publishedJson(Topics.INSTANCE_EVENTS).isEmpty());

        ObjectNode noLaunch = start(ID, 1, "lightControl.py", "process");
        noLaunch.remove("launch");
        handle(noLaunch);
        assertEquals(List.of("FAILED"), states(ID));
        assertEquals("malformed command: a start without a launch block", events(ID).get(0).path("reason").asText());

        ObjectNode textual = start(ID, 2, "lightControl.py", "process");
        textual.put("generation", "2");
        handle(textual);
        assertEquals(List.of("FAILED", "STARTING", "RUNNING"), states(ID));
        assertEquals(2, events(ID).get(2).path("generation").asLong());
    }

    @Test
    public void aRuntimeGoingAwayFailsItsInstances() throws Exception {
        handle(start(ID, 1, "lightControl.py", "process"));
        FakeRuntime.Running instance = runtime.last();
        manager.runtimeRemoved(runtimes.remove(7).orElseThrow());
        assertEquals(List.of(GRACE), instance.stops);
        await("FAILED", () -> states(ID).size() == 3);
        assertEquals("FAILED", events(ID).get(2).path("state").asText());
        assertTrue(events(ID).get(2).path("reason").asText().contains("process runtime went away"));
        assertFalse("only the agent's own stop is an interruption", events(ID).get(2).has("interrupted"));
        assertEquals(0, manager.count());
    }

    @Test
    public void closeStopsEveryInstanceAndLeavesNothing() throws Exception {
        handle(start(ID, 1, "lightControl.py", "process"));
        handle(start("65f0c0ffee0000000000b002", 1, "lightControl.py", "process"));
        manager.close();
        assertTrue(runtime.started.stream().noneMatch(r -> r.alive));
        assertTrue(runtime.started.stream().allMatch(r -> r.stops.size() == 1));
        assertEquals(0, manager.count());
        await("FAILED events", () -> states(ID).size() == 3 && states("65f0c0ffee0000000000b002").size() == 3);
        for (String id : List.of(ID, "65f0c0ffee0000000000b002")) {
            JsonNode failed = events(id).get(2);
            assertEquals("FAILED", failed.path("state").asText());
            assertEquals("the node agent on node-a stopped", failed.path("reason").asText());
            assertTrue("reported as interrupted, to be started again", failed.path("interrupted").asBoolean(false));
            assertEquals(1, failed.path("generation").asLong());
            assertTrue(failed.path("exit_code").isNull());
        }
        assertFalse("the earlier events carry no such field", events(ID).get(1).has("interrupted"));
        try (var left = Files.list(instancesDir)) {
            assertEquals(List.of(InstanceManager.MARKER), left.map(p -> p.getFileName().toString()).toList());
        }
        try {
            handle(start("65f0c0ffee0000000000b003", 1, "lightControl.py", "process"));
            fail("a closed manager takes no command (it is delivered again later)");
        } catch (IllegalStateException expected) {
            // not committed
        }
    }

    @Test
    public void anInstanceStillStartingWhenTheAgentStopsIsReportedInterrupted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        runtime.duringStart = (running, listener) -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Thread starter = new Thread(() -> {
            try {
                handle(start(ID, 2, "lightControl.py", "process"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "test-starter");
        starter.start();
        await("the runtime is starting it", () -> runtime.started.size() == 1);
        Thread closer = new Thread(manager::close, "test-closer");
        closer.start();
        // close marks the starting slot, then waits (with a time-out) for the launching thread to end it
        await("close waits for the instance", () -> closer.getState() == Thread.State.TIMED_WAITING);
        release.countDown();
        closer.join(10_000);
        starter.join(10_000);

        assertFalse(closer.isAlive());
        assertEquals("no RUNNING once the agent is stopping", List.of("STARTING", "FAILED"), states(ID));
        JsonNode failed = events(ID).get(1);
        assertEquals("the node agent on node-a stopped", failed.path("reason").asText());
        assertTrue(failed.path("interrupted").asBoolean(false));
        assertEquals(2, failed.path("generation").asLong());
        assertFalse(runtime.last().alive);
        assertEquals(0, manager.count());
    }

    @Test
    public void leftoversOfAnEarlierRunAreDeletedOnlyInAMarkedFolder() throws Exception {
        manager.close();
        Files.createDirectories(instancesDir.resolve("old").resolve("1"));
        Files.writeString(instancesDir.resolve("old").resolve("1").resolve("x"), "x");
        manager = newManager();
        assertFalse(Files.exists(instancesDir.resolve("old")));

        Path foreign = tmp.newFolder("foreign").toPath();
        Files.writeString(foreign.resolve("keep.txt"), "mine");
        new InstanceManager(new InstanceManager.Settings("n", foreign, "u", GRACE, Duration.ZERO, Duration.ofSeconds(1),
                new SafeExtractor.Limits(1, 1, 1), EPOCH), messaging, id -> null, runtimes).close();
        assertTrue(Files.exists(foreign.resolve("keep.txt")));
    }

    @Test
    public void theRootIsTheLaunchRootOrTheFolderHoldingAppConfig() throws Exception {
        Path top = tmp.newFolder("x").toPath();
        Files.createDirectories(top.resolve("App").resolve("sub"));
        Files.writeString(top.resolve("App").resolve("appConfig.json"), "{}");
        assertEquals(top.resolve("App"), InstanceManager.rootOf(top, null));
        assertEquals(top.resolve("App"), InstanceManager.rootOf(top, "App/"));
        assertEquals(top.resolve("App/sub"), InstanceManager.rootOf(top, "App/sub"));
        Files.writeString(top.resolve("appConfig.json"), "{}");
        assertEquals(top, InstanceManager.rootOf(top, ""));
        try {
            InstanceManager.rootOf(top, "../..");
            fail();
        } catch (InstanceManager.StartFailure e) {
            assertNotNull(e.getMessage());
        }
    }

    // ---- helpers ----

    private void handle(ObjectNode command) throws Exception {
        manager.handle(messaging.message(Topics.nodeCommands("node-a"), command.path("instance_id").asText(),
                command.toString()));
    }

    private static ObjectNode start(String id, long generation, String entry, String runtime) throws IOException {
        ObjectNode c = JSON.createObjectNode();
        c.put("op", "start");
        c.put("instance_id", id);
        c.put("job_id", "job-1");
        c.put("run_id", "job-1:" + generation);
        c.put("generation", generation);
        c.put("token", "tok-" + generation);
        c.put("application_name", "Bus_management");
        c.put("algorithm_name", "lightControl");
        ObjectNode launch = c.putObject("launch");
        launch.put("runtime", runtime);
        launch.put("application_id", "bus");
        launch.put("version", 1);
        launch.put("package_id", PACKAGE);
        launch.put("root", "Bus_management");
        launch.put("entry", entry);
        launch.put("lang", "python");
        c.set("sensors", JSON.readTree("[{\"index\":0,\"sensor_instance_id\":\"si-light\",\"sensor_type\":\"light-sensor\","
                + "\"data_topic\":\"sensor_data_si-light\",\"control_topic\":\"sensor_control_si-light\"}]"));
        c.set("sensor_types", JSON.readTree("{\"light-sensor\":{\"sensor_type_name\":\"light-sensor\",\"company\":\"c\","
                + "\"sensor_data_structure\":{\"lux\":\"int\"},\"control_functions\":{\"number_of_functions\":1,"
                + "\"function_details\":[{\"name\":\"switchOnLight\",\"number_of_parameters\":1,\"params\":[{\"level\":\"int\"}]}]}}}"));
        return c;
    }

    private static ObjectNode stop(String id, long generation, String reason) {
        ObjectNode c = JSON.createObjectNode();
        c.put("op", "stop");
        c.put("instance_id", id);
        c.put("generation", generation);
        c.put("reason", reason);
        return c;
    }

    private List<JsonNode> events(String id) {
        return messaging.publishedJson(Topics.INSTANCE_EVENTS).stream()
                .filter(e -> e.path("instance_id").asText().equals(id)).toList();
    }

    private List<String> states(String id) {
        return events(id).stream().map(e -> e.path("state").asText()).toList();
    }

    private List<String> logLines(String id, String stream) {
        return messaging.publishedJson(Topics.instanceLog(id)).stream()
                .filter(l -> l.path("stream").asText().equals(stream)).map(l -> l.path("line").asText()).toList();
    }

    private void assertFailed(String id, String reason) {
        List<JsonNode> events = events(id);
        assertEquals(events.toString(), List.of("STARTING", "FAILED"), states(id));
        assertTrue(events.get(1).path("reason").asText(), events.get(1).path("reason").asText().contains(reason));
        assertFalse(Files.exists(instancesDir.resolve(id)));
        assertTrue(logLines(id, "platform").stream().anyMatch(l -> l.startsWith("failed to start: ")));
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
