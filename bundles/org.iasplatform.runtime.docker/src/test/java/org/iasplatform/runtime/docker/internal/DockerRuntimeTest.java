package org.iasplatform.runtime.docker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.iasplatform.api.node.InstanceLaunch;
import org.iasplatform.api.node.RunningInstance;
import org.iasplatform.testsupport.RecordingInstanceListener;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Image;
import com.sun.net.httpserver.HttpServer;

/**
 * The docker runtime against a real Docker engine (scripts/docker-test-engine: Debian's dockerd, a busybox base image
 * made locally): images built from the generated Dockerfile and reused, containers with the instance's environment on
 * the host network, log lines, exit codes (a docker kill is 137), stop removing the container, leftovers of an earlier
 * run removed, and the engine watch that offers the runtime only while the engine answers.
 */
public class DockerRuntimeTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private static final String ID = "65f0c0ffee0000000000d001";
    private static String dockerHost;
    private Path app;
    private String owner;
    private DockerRuntime runtime;
    private final Listener listener = new Listener();

    /** Records what the runtime reports. */
    static final class Listener extends RecordingInstanceListener {
    }

    @BeforeClass
    public static void startEngine() {
        dockerHost = TestEngine.start();
    }

    @AfterClass
    public static void stopEngine() {
        TestEngine.stop();
    }

    static Settings settings(String host, String base, String owner) {
        return new Settings(host, base, "host", "", Settings.interpreters(Settings.DEFAULT_INTERPRETERS),
                Settings.extensions(Settings.DEFAULT_EXTENSIONS), true, owner, 8192, Duration.ofSeconds(2),
                Duration.ofSeconds(20), Duration.ofSeconds(120), Duration.ofSeconds(2), Duration.ofMillis(100));
    }

    @Before
    public void setUp() throws Exception {
        app = tmp.newFolder("app").toPath();
        owner = "test-" + UUID.randomUUID();
        runtime = new DockerRuntime(settings(dockerHost, TestEngine.BASE_IMAGE, owner), tmp.newFolder("build").toPath());
    }

    @After
    public void tearDown() {
        runtime.close(Duration.ofSeconds(1));
        try (Engine engine = new Engine(settings(dockerHost, TestEngine.BASE_IMAGE, owner))) {
            assertEquals("no container of this test is left", List.of(), containers(engine.calls(), owner));
        }
    }

    private InstanceLaunch launch(String instanceId, String entry, String lang, String apiUrl) {
        return new InstanceLaunch(instanceId, "job-d", "Docker_app", "algo", app, entry, lang,
                Map.of(InstanceLaunch.ENV_API_URL, apiUrl, InstanceLaunch.ENV_INSTANCE_ID, instanceId,
                        InstanceLaunch.ENV_TOKEN, "secret-token", InstanceLaunch.ENV_NODE_ID, "node-t",
                        InstanceLaunch.ENV_GENERATION, "4"),
                List.of(), Map.of());
    }

    private void script(String name, String text) throws Exception {
        Files.writeString(app.resolve(name), text);
    }

    private static List<Container> containers(DockerClient client, String owner) {
        return client.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(DockerRuntime.LABEL_OWNER, owner)).exec();
    }

    private Engine engine() {
        return new Engine(runtime.settings());
    }

    @Test
    public void aContainerRunsTheScriptWithTheInstanceEnvironmentOnTheHostNetworkAndStopRemovesIt() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        HttpServer api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        api.createContext("/", exchange -> {
            requests.add(exchange.getRequestURI().getPath() + " " + exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = "hello from the platform\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        api.start();
        try {
            script("algo.sh", """
                    echo "arg=$1"
                    echo "node=$IAS_NODE_ID generation=$IAS_GENERATION cwd=$(pwd)"
                    echo "oops" >&2
                    wget -q -O - --header "Authorization: Bearer $IAS_TOKEN" "$IAS_API_URL/algorithm-instances/$1/hello"
                    echo "asked"
                    exec sleep 300
                    """);
            String apiUrl = "http://127.0.0.1:" + api.getAddress().getPort() + "/ias/api/v1";
            RunningInstance instance = runtime.start(launch(ID, "algo.sh", "sh", apiUrl), listener);
            await("the script asked the platform", () -> listener.lines.contains("stdout:asked"));

            assertEquals(List.of("/ias/api/v1/algorithm-instances/" + ID + "/hello Bearer secret-token"), requests);
            assertEquals("stdout:arg=" + ID, listener.line("stdout:arg="));
            assertEquals("stdout:node=node-t generation=4 cwd=/app", listener.line("stdout:node="));
            assertTrue(listener.lines.toString(), listener.lines.contains("stdout:hello from the platform"));
            await("stderr", () -> listener.lines.contains("stderr:oops"));
            assertTrue(listener.lines.toString(), listener.line("log:[platform] building image ias/docker-app-algo:") != null);
            assertTrue(instance.isAlive());
            assertTrue(instance.describe(), instance.describe().matches("container [0-9a-f]{12} \\(ias-" + ID
                    + "-g4, image ias/docker-app-algo:[0-9a-f]{16}\\)"));

            try (Engine engine = engine()) {
                List<Container> mine = containers(engine.calls(), owner);
                assertEquals(1, mine.size());
                Map<String, String> labels = mine.get(0).getLabels();
                assertEquals(ID, labels.get(DockerRuntime.LABEL_INSTANCE));
                assertEquals("4", labels.get(DockerRuntime.LABEL_GENERATION));
                assertEquals("node-t", labels.get(DockerRuntime.LABEL_NODE));
                assertEquals("job-d", labels.get(DockerRuntime.LABEL_JOB));
                assertEquals("running", mine.get(0).getState());
            }

            long began = System.nanoTime();
            instance.stop(Duration.ofSeconds(10));
            assertTrue("SIGTERM ends it through the init process, without waiting for the grace period",
                    System.nanoTime() - began < Duration.ofSeconds(8).toNanos());
            assertFalse(instance.isAlive());
            assertTrue("no exit is reported after stop: " + listener.exits, listener.exits.isEmpty());
            assertEquals(0, runtime.running());
            try (Engine engine = engine()) {
                assertEquals("the container is removed", List.of(), containers(engine.calls(), owner));
            }
        } finally {
            api.stop(0);
        }
    }

    @Test
    public void theImageIsBuiltOncePerAppVersionAndAlgorithmAndANewVersionGetsItsOwn() throws Exception {
        script("algo.sh", "echo started\nexec sleep 300\n");
        RunningInstance first = runtime.start(launch(ID, "algo.sh", "sh", "http://127.0.0.1:1"), listener);
        Listener second = new Listener();
        RunningInstance other = runtime.start(launch("65f0c0ffee0000000000d002", "algo.sh", "sh", "http://127.0.0.1:1"),
                second);
        await("both run", () -> listener.lines.contains("stdout:started") && second.lines.contains("stdout:started"));
        String reused = second.line("log:[platform] image ");
        assertTrue(second.lines.toString(), reused != null && reused.endsWith("(built before, reused)"));
        assertEquals("the second start built nothing", null, second.line("log:[platform] building"));
        String image = first.describe().replaceAll(".*image (\\S+)\\)$", "$1");
        assertEquals(image, other.describe().replaceAll(".*image (\\S+)\\)$", "$1"));
        first.stop(Duration.ofSeconds(5));
        other.stop(Duration.ofSeconds(5));

        script("algo.sh", "echo version 2\nexec sleep 300\n");
        Listener third = new Listener();
        RunningInstance next = runtime.start(launch(ID, "algo.sh", "sh", "http://127.0.0.1:1"), third);
        await("version 2 runs", () -> third.lines.contains("stdout:version 2"));
        assertTrue(third.lines.toString(), third.line("log:[platform] building image ") != null);
        assertNotEquals(image, next.describe().replaceAll(".*image (\\S+)\\)$", "$1"));
        try (Engine engine = engine()) {
            List<Image> images = engine.calls().listImagesCmd()
                    .withLabelFilter(Map.of(ImageRecipe.LABEL_APPLICATION, "Docker_app")).exec();
            assertTrue(images.toString(), images.stream().allMatch(i -> List.of(i.getRepoTags()).stream()
                    .allMatch(t -> t.startsWith("ias/docker-app-algo:"))));
            assertTrue(images.stream().anyMatch(i -> List.of(i.getRepoTags()).contains(image)));
        }
        next.stop(Duration.ofSeconds(5));
    }

    @Test
    public void anExitIsReportedWithItsCodeAfterTheLastLinesAndADockerKillIs137() throws Exception {
        script("crash.sh", "echo last words\nexit 3\n");
        RunningInstance crash = runtime.start(launch(ID, "crash.sh", "", "http://127.0.0.1:1"), listener);
        await("the exit", () -> !listener.exits.isEmpty());
        assertEquals(List.of("3 exit 3"), listener.exits);
        assertTrue("the log was drained before the exit was reported", listener.lines.contains("stdout:last words"));
        assertFalse(crash.isAlive());
        crash.stop(Duration.ofSeconds(5)); // what the node agent does after an exit: the container goes
        try (Engine engine = engine()) {
            assertEquals(List.of(), containers(engine.calls(), owner));
        }

        script("loop.sh", "echo up\nwhile true; do sleep 1; done\n");
        Listener killed = new Listener();
        RunningInstance loop = runtime.start(launch("65f0c0ffee0000000000d003", "loop.sh", "sh", "http://127.0.0.1:1"),
                killed);
        await("it runs", () -> killed.lines.contains("stdout:up"));
        try (Engine engine = engine()) {
            engine.calls().killContainerCmd(containers(engine.calls(), owner).get(0).getId()).exec();
        }
        await("the kill's exit", () -> !killed.exits.isEmpty());
        assertEquals(List.of("137 exit 137 (signal 9: SIGKILL, e.g. docker kill)"), killed.exits);
        loop.stop(Duration.ofSeconds(5));
    }

    @Test
    public void leftoversOfAnEarlierRunWithTheSameOwnerAreRemovedAndOthersAreKept() throws Exception {
        script("algo.sh", "exec sleep 300\n");
        // an earlier run of this node: killed with its container still running
        DockerRuntime earlier = new DockerRuntime(settings(dockerHost, TestEngine.BASE_IMAGE, owner),
                tmp.newFolder("earlier").toPath());
        RunningInstance killed = earlier.start(launch(ID, "algo.sh", "sh", "http://127.0.0.1:1"), new Listener());
        String otherOwner = "other-" + UUID.randomUUID();
        DockerRuntime otherNode = new DockerRuntime(settings(dockerHost, TestEngine.BASE_IMAGE, otherOwner),
                tmp.newFolder("other").toPath());
        RunningInstance others = otherNode.start(launch("65f0c0ffee0000000000d004", "algo.sh", "sh", "http://127.0.0.1:1"),
                new Listener());
        try (Engine engine = engine()) {
            assertEquals(1, containers(engine.calls(), owner).size());

            assertEquals("the earlier run's container", 1, runtime.removeLeftovers());
            assertEquals(List.of(), containers(engine.calls(), owner));
            assertEquals("another node's container is kept", 1, containers(engine.calls(), otherOwner).size());
            assertFalse(killed.isAlive());
        } finally {
            earlier.close(Duration.ofSeconds(1));
            others.stop(Duration.ofSeconds(5));
            otherNode.close(Duration.ofSeconds(1));
        }
    }

    @Test
    public void aBaseImageTheEngineDoesNotHaveFailsTheStartSayingSoAndLeavesNothing() throws Exception {
        script("algo.sh", "echo never\n");
        DockerRuntime missing = new DockerRuntime(settings(dockerHost, "ias/no-such-base:1", owner),
                tmp.newFolder("missing").toPath());
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> missing.start(launch(ID, "algo.sh", "sh", "http://127.0.0.1:1"), listener));
            assertTrue(e.getMessage(), e.getMessage().contains("could not be built from the base image ias/no-such-base:1"));
            assertTrue(e.getMessage(), e.getMessage().contains("does not have ias/no-such-base:1"));
            assertEquals(0, missing.running());
        } finally {
            missing.close(Duration.ofSeconds(1));
        }
    }

    @Test
    public void theWatchOffersTheRuntimeOnlyWhileTheEngineAnswersAndReportsAnOutageOnce() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        EngineWatch.Listener record = new EngineWatch.Listener() {
            @Override
            public void offer(String engine, int leftoversRemoved) {
                calls.add("offer " + leftoversRemoved + " " + engine);
            }

            @Override
            public void withdraw(String reason) {
                calls.add("withdraw " + reason);
            }

            @Override
            public void unreachable(String reason) {
                calls.add("unreachable " + reason);
            }
        };
        Path nowhere = tmp.getRoot().toPath().resolve("no-engine.sock");
        try (DockerRuntime absent = new DockerRuntime(settings("unix://" + nowhere, TestEngine.BASE_IMAGE, owner),
                tmp.newFolder("absent").toPath());
                EngineWatch watch = new EngineWatch(absent, Duration.ofMillis(50), record)) {
            await("five checks", () -> watch.checks() >= 5);
            assertEquals(calls.toString(), 1, calls.size());
            assertTrue(calls.get(0), calls.get(0).equals("unreachable No such file or directory"));
        }

        calls.clear();
        script("algo.sh", "exec sleep 300\n");
        DockerRuntime earlier = new DockerRuntime(settings(dockerHost, TestEngine.BASE_IMAGE, owner),
                tmp.newFolder("earlier").toPath());
        try {
            earlier.start(launch(ID, "algo.sh", "sh", "http://127.0.0.1:1"), new Listener());
            try (EngineWatch watch = new EngineWatch(runtime, Duration.ofMillis(50), record)) {
                await("offered, then five more checks", () -> !calls.isEmpty() && watch.checks() >= 6);
            }
            assertEquals("offered once: " + calls, 1, calls.size());
            assertTrue(calls.get(0), calls.get(0).matches("offer 1 Docker \\S+ \\(API [0-9.]+\\)"));
        } finally {
            earlier.close(Duration.ofSeconds(1));
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for: " + what);
            }
            try {
                Thread.sleep(20); // polling interval, not synchronisation: the condition decides
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
