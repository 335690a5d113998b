package org.iasplatform.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.sample.simulator.SimulatedDevice;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Apps and deployments end to end on the platform distribution, with simulated Bus_management devices: upload → deploy →
 * sensor binder → scheduler → deployer → server-lifecycle → node agent → runtime, for both runtimes (a Python script as a
 * process, a Java algorithm as a bundle); the algorithms read the devices' readings and control them through the platform;
 * schedules, stop and run-now; token isolation; bad inputs refused with nothing stored; the placement strategy switched
 * while running.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeploymentsIT extends PlatformTestSupport {

    private static final String TYPES = "bus-management/sensorTypeRegistration.json";
    private static final Duration START = Duration.ofSeconds(90);

    private final List<SimulatedDevice> devices = new ArrayList<>();

    @After
    public void closeDevices() {
        devices.forEach(SimulatedDevice::close);
    }

    // ---- the tests ----

    @Test
    public void pythonAlgorithmsRunAsProcessesControlTheLightComputeFaresAndStopWithoutTrace() throws Exception {
        Bus bus = bus("py");
        Answer uploaded = upload("developer", "/apps", "bus-management-python.zip", sampleApp("bus-management-python.zip"));
        assertEquals(uploaded.toString(), 201, uploaded.status());
        assertEquals("Bus_management", uploaded.json().path("application_name").asText(uploaded.json().toString()));

        long followersBefore = followers();
        Answer deployed = post("configurator", "/deployments", seedDeployConfig("Bus_management", "py", "python",
                "lightControl.py", "fareCalculator.py", now()));
        assertEquals(deployed.toString(), 202, deployed.status());
        JsonNode list = deployed.json().path("deployments");
        assertEquals(deployed.toString(), 2, list.size());
        String light = instanceOf(list, "lightControl");
        String fare = instanceOf(list, "fareCalculator");

        awaitState(light, "RUNNING");
        awaitState(fare, "RUNNING");
        JsonNode instance = get("user", "/instances/" + light).json();
        assertEquals("process", instance.path("runtime").asText());
        assertEquals("local", instance.path("node").asText());
        assertEquals(bus.light, instance.path("sensors").get(0).path("sensor_instance_id").asText());
        assertTrue("the script runs as a child process with its instance id as first argument",
                !processesOf(light).isEmpty());

        await("lightControl switched the bus light on (lux fell below 40)", START,
                () -> bus.lightDevice.receivedCommands().stream().anyMatch(c -> c.function().equals("switchOnLight")));
        await("lightControl's dashboard message in the app feed", START,
                () -> feed("Bus_management").stream().anyMatch(m -> m.value().contains("Switch on light as lux is")));
        await("fareCalculator's fares in the app feed", START,
                () -> feed("Bus_management").stream().anyMatch(m -> m.value().contains("fare")));
        assertTrue("the scripts' readings streams are Kafka consumers of the platform", followers() > followersBefore);
        String shellInstances = shell("ias:instances");
        assertTrue(shellInstances, shellInstances.contains(light) && shellInstances.contains("RUNNING"));
        assertTrue(shell("ias:apps"), shell("ias:apps").contains("Bus_management"));
        assertTrue(shell("ias:nodes"), shell("ias:nodes").contains("local"));
        await("the instance's log through GET /instances/{id}/logs", Duration.ofSeconds(30),
                () -> get("developer", "/instances/" + light + "/logs?tail=50").json().path("lines").size() > 0);
        assertEquals(403, get("user", "/instances/" + light + "/logs").status());

        String lightJob = jobOf(list, "lightControl");
        String fareJob = jobOf(list, "fareCalculator");
        assertEquals(409, delete("developer", "/apps/Bus_management").status());
        assertAccepted(delete("configurator", "/deployments/" + lightJob));
        Answer stop = post("configurator", "/deployments", "{\"noOfAlgo\":1,\"1\":{\"application_name\":\"Bus_management\","
                + "\"algorithm_name\":\"fareCalculator\",\"sensor_info\":[],\"scheduling_info\":{\"request_type\":\"stop\",\"job_id\":\""
                + fareJob + "\"}}}");
        assertEquals(stop.toString(), 202, stop.status());
        awaitState(light, "STOPPED");
        awaitState(fare, "STOPPED");
        await("no process of either instance is left", Duration.ofSeconds(30),
                () -> processesOf(light).isEmpty() && processesOf(fare).isEmpty());
        await("no consumer of either instance is left", Duration.ofSeconds(30), () -> followers() == followersBefore);
        assertEquals("STOPPED", get("user", "/deployments/" + lightJob).json().path("state").asText());
    }

    @Test
    public void javaAlgorithmsRunAsBundlesAndLeaveNothingBehind() throws Exception {
        Bus bus = bus("java");
        Answer uploaded = upload("developer", "/apps", "bus-management-java.zip", sampleApp("bus-management-java.zip"));
        assertEquals(uploaded.toString(), 201, uploaded.status());
        String app = uploaded.json().path("application_name").asText();
        int bundlesBefore = bundleContext.getBundles().length;
        long followersBefore = followers();

        Answer deployed = post("configurator", "/deployments", seedDeployConfig(app, "java", "java",
                "bus-management-algorithms.jar", "bus-management-algorithms.jar", now()));
        assertEquals(deployed.toString(), 202, deployed.status());
        JsonNode list = deployed.json().path("deployments");
        String light = instanceOf(list, "lightControl");
        String fare = instanceOf(list, "fareCalculator");
        awaitState(light, "RUNNING");
        awaitState(fare, "RUNNING");
        assertEquals("bundle", get("user", "/instances/" + light).json().path("runtime").asText());
        assertEquals("one algorithm bundle, shared by both instances", bundlesBefore + 1, bundleContext.getBundles().length);
        assertTrue("the algorithms' subscriptions are Kafka consumers", followers() > followersBefore);

        await("the Java lightControl switched the bus light on", START,
                () -> bus.lightDevice.receivedCommands().stream().anyMatch(c -> c.function().equals("switchOnLight")));
        await("the Java lightControl's dashboard message in the app feed", START,
                () -> feed(app).stream().anyMatch(m -> m.value().contains("Switch on light as lux is")));
        await("the Java fareCalculator's fares in the app feed", START,
                () -> feed(app).stream().anyMatch(m -> m.value().contains("fare")));

        assertAccepted(delete("configurator", "/deployments/" + jobOf(list, "lightControl")));
        assertAccepted(delete("configurator", "/deployments/" + jobOf(list, "fareCalculator")));
        awaitState(light, "STOPPED");
        awaitState(fare, "STOPPED");
        await("the algorithm bundle is uninstalled", Duration.ofSeconds(30),
                () -> bundleContext.getBundles().length == bundlesBefore);
        await("no consumer of either instance is left", Duration.ofSeconds(30), () -> followers() == followersBefore);
        await("no thread of either instance is left", Duration.ofSeconds(30),
                () -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().contains(light) || t.getName().contains(fare)));
    }

    @Test
    public void anInstanceTokenReachesOnlyItsOwnSensors() throws Exception {
        Bus bus = bus("token");
        String probe = """
                import json, os, sys, urllib.request, urllib.error
                api, me, token = os.environ["IAS_API_URL"], sys.argv[1], os.environ["IAS_TOKEN"]
                def status(path, auth=True):
                    req = urllib.request.Request(api + path, headers={"Authorization": "Bearer " + token} if auth else {})
                    try:
                        return urllib.request.urlopen(req, timeout=10).status
                    except urllib.error.HTTPError as e:
                        return e.code
                def seed(call, body):
                    req = urllib.request.Request(api + call, data=json.dumps(body).encode(), headers={
                        "Authorization": "Bearer " + token, "Content-Type": "application/json"})
                    try:
                        answer = urllib.request.urlopen(req, timeout=10)
                        return "%d %s" % (answer.status, json.load(answer)["data"])
                    except urllib.error.HTTPError as e:
                        return str(e.code)
                print("SEED get=%s set=%s other=%s" % (seed("/getSensorTopic", {"id": me, "index": 0}),
                    seed("/setSensorTopic", {"id": me, "index": 0}),
                    seed("/getSensorTopic", {"id": "ffffffffffffffffffffffff", "index": 0})), flush=True)
                print("PROBE own=%d index=%d other=%d none=%d" % (
                    status("/algorithm-instances/%s/sensors/0" % me),
                    status("/algorithm-instances/%s/sensors/7" % me),
                    status("/algorithm-instances/%s/sensors/0" % "ffffffffffffffffffffffff"),
                    status("/algorithm-instances/%s/sensors/0" % me, auth=False)), flush=True)
                """;
        Answer uploaded = upload("developer", "/apps", "probe.zip", zip(Map.of(
                "appConfig.json", appConfig("TokenProbe", "probe", "probe.py", null, "light-sensor"),
                "probe.py", probe)));
        assertEquals(uploaded.toString(), 201, uploaded.status());
        String instance = instanceOf(deploy(oneAlgorithm("TokenProbe", "probe", "probe.py", bus.busId, now(), "")), "probe");
        await("the probe's verdict in its log", START, () -> logText(instance).contains("PROBE"));
        assertTrue(logText(instance), logText(instance).contains("PROBE own=200 index=403 other=403 none=401"));
        assertTrue("the seed's calls answer the bound sensor's topics, only to their own instance: " + logText(instance),
                logText(instance).contains("SEED get=200 " + Topics.dataTopic(bus.light) + " set=200 "
                        + Topics.controlTopic(bus.light) + " other=403"));
    }

    @Test
    public void theShellUploadsDeploysListsAndStops() throws Exception {
        Bus bus = bus("shell");
        Path dir = Files.createTempDirectory("ias-shell-it");
        Path app = dir.resolve("ticker.zip");
        Files.write(app, zip(Map.of("appConfig.json", appConfig("Ticker", "ticker", "ticker.sh", null, "light-sensor"),
                "ticker.sh", "echo ticking $1; exec sleep 600\n")));
        Path config = dir.resolve("deployConfig.json");
        Files.writeString(config, oneAlgorithm("Ticker", "ticker", "ticker.sh", bus.busId, now(), "bash"));

        String uploaded = shell("ias:app-upload " + app);
        assertTrue(uploaded, uploaded.contains("Uploaded Ticker"));
        String deployed = shell("ias:deploy " + config);
        assertTrue(deployed, deployed.contains("Deployed 1 algorithm(s)"));
        JsonNode deployment = JSON.readTree(get("user", "/deployments").body());
        String job = null;
        String instance = null;
        for (JsonNode d : deployment) {
            if ("Ticker".equals(d.path("application_name").asText())) {
                job = d.path("job_id").asText();
                instance = d.path("instance_id").asText();
            }
        }
        assertNotNull(deployment.toString(), job);
        assertTrue(deployed, deployed.contains(job) && deployed.contains(instance));
        awaitState(instance, "RUNNING");
        String id = instance;
        await("ias:instance-logs shows the script's output", Duration.ofSeconds(30),
                () -> shell("ias:instance-logs " + id).contains("ticking " + id));
        assertTrue(shell("ias:deployments"), shell("ias:deployments").contains(job));
        String stopped = shell("ias:stop " + job);
        assertTrue(stopped, stopped.contains("Stopped and unscheduled job " + job));
        awaitState(instance, "STOPPED");
        String refused = shell("ias:deploy " + dir.resolve("missing.json"));
        assertFalse("a refusal, not a deployment: " + refused, refused.contains("Deployed"));
    }

    @Test
    public void aCrashLoopEndsFailedAfterTheConfiguredCountAndATransientCrashRecovers() throws Exception {
        Bus bus = bus("crash");
        String marker = Files.createTempDirectory("ias-flaky").resolve("crashed-once").toString();
        assertEquals(201, upload("developer", "/apps", "crashy.zip", zip(Map.of(
                "appConfig.json", "{\"application_name\":\"Crashy\",\"application_id\":\"crashy\",\"algorithm_list\":["
                        + "{\"algorithm_name\":\"loop\",\"script\":{\"name\":\"loop.sh\"},\"input_sensors\":[{\"sensor_type\":\"light-sensor\"}]},"
                        + "{\"algorithm_name\":\"flaky\",\"script\":{\"name\":\"flaky.sh\"},\"input_sensors\":[{\"sensor_type\":\"light-sensor\"}]}]}",
                "loop.sh", "echo crashing now; exit 3\n",
                "flaky.sh", "if [ ! -f " + marker + " ]; then touch " + marker + "; echo first run crashes; exit 1; fi\n"
                        + "echo recovered; exec sleep 600\n"))).status());
        String policy = ",\"restart_policy\":{\"max_failures\":3,\"window_seconds\":120,\"backoff_initial_ms\":100,\"backoff_max_ms\":400}}}";
        String loop = instanceOf(deploy(oneAlgorithm("Crashy", "loop", "loop.sh", bus.busId, now(), "bash")
                .replaceFirst("}}$", policy)), "loop");
        String flaky = instanceOf(deploy(oneAlgorithm("Crashy", "flaky", "flaky.sh", bus.busId, now(), "bash")
                .replaceFirst("}}$", policy)), "flaky");

        awaitState(flaky, "RUNNING");
        await("the transient crash was restarted and recovered", START, () -> logText(flaky).contains("recovered")
                && get("user", "/instances/" + flaky).json().path("restarts").asInt() >= 1
                && "RUNNING".equals(get("user", "/instances/" + flaky).json().path("state").asText()));

        await("the crash loop ends FAILED", START, () -> "FAILED".equals(get("user", "/instances/" + loop).json().path("state").asText()));
        JsonNode failed = get("user", "/instances/" + loop).json();
        assertEquals("3 failures: the first run and 2 restarts", 2, failed.path("restarts").asInt());
        assertTrue(failed.toString(), failed.path("reason").asText().contains("3 failures within 120 s"));
        await("the reason shows the last log lines (read once it gave up)", Duration.ofSeconds(30),
                () -> get("user", "/instances/" + loop).json().path("reason").asText().contains("crashing now"));
        assertAccepted(delete("configurator", "/deployments/" + jobOfInstance(flaky)));
        awaitState(flaky, "STOPPED");
    }

    @Test
    public void schedulesStartAndEndOnTimeStopByRequestAndRunNow() throws Exception {
        Bus bus = bus("sched");
        Answer uploaded = upload("developer", "/apps", "waiter.zip", zip(Map.of(
                "appConfig.json", appConfig("Waiter", "waiter", "waiter.sh", null, "light-sensor"),
                "waiter.sh", "echo started $1; exec sleep 600\n")));
        assertEquals(uploaded.toString(), 201, uploaded.status());

        // once, from an ISO start time a few seconds ahead to an ISO end time a few seconds later
        OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(4).withNano(0); // ISO times to the second
        OffsetDateTime end = start.plusSeconds(6);
        String windowed = instanceOf(deploy(oneAlgorithm("Waiter", "waiter", "waiter.sh", bus.busId,
                schedule(iso(start), iso(end), "", "no", ""), "bash")), "waiter");
        assertEquals("SCHEDULED", get("user", "/instances/" + windowed).json().path("state").asText());
        awaitState(windowed, "RUNNING");
        assertFalse("not started before its start time", OffsetDateTime.now(ZoneOffset.UTC).isBefore(start));
        awaitState(windowed, "STOPPED");
        assertFalse("not stopped before its end time", OffsetDateTime.now(ZoneOffset.UTC).isBefore(end));

        // a periodic task whose first run is far ahead runs now on demand; a stop request ends it
        JsonNode periodic = deploy(oneAlgorithm("Waiter", "waiter", "waiter.sh", bus.busId,
                schedule(iso(OffsetDateTime.now(ZoneOffset.UTC).plusHours(6)), "", "", "yes", "60"), "bash"));
        String instance = instanceOf(periodic, "waiter");
        String job = jobOf(periodic, "waiter");
        assertEquals("SCHEDULED", get("user", "/instances/" + instance).json().path("state").asText());
        assertTrue(get("user", "/deployments/" + job).json().path("next_run").asText().length() > 0);
        Answer runNow = post("configurator", "/deployments/" + job + "/run", "{}");
        assertEquals(runNow.toString(), 202, runNow.status());
        awaitState(instance, "RUNNING");
        Answer stop = post("configurator", "/deployments", "{\"noOfAlgo\":1,\"1\":{\"application_name\":\"Waiter\","
                + "\"algorithm_name\":\"waiter\",\"sensor_info\":[],\"scheduling_info\":{\"request_type\":\"stop\",\"job_id\":\"" + job + "\"}}}");
        assertEquals(stop.toString(), 202, stop.status());
        awaitState(instance, "STOPPED");
        assertEquals("STOPPED", get("user", "/deployments/" + job).json().path("state").asText());
        assertEquals(409, post("configurator", "/deployments/" + job + "/run", "{}").status());
        assertEquals(404, delete("configurator", "/deployments/job-0000000000000000").status());
    }

    @Test
    public void schedulesAndRunningInstancesSurviveAPlatformRestart() throws Exception {
        Bus bus = bus("restart");
        assertEquals(201, upload("developer", "/apps", "sleeper.zip", zip(Map.of(
                "appConfig.json", appConfig("Sleeper", "sleeper", "sleeper.sh", null, "light-sensor"),
                "sleeper.sh", "exec sleep 600\n"))).status());
        OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(8).withNano(0);
        String pending = instanceOf(deploy(oneAlgorithm("Sleeper", "sleeper", "sleeper.sh", bus.busId,
                schedule(iso(start), iso(start.plusSeconds(600)), "", "no", ""), "bash")), "sleeper");
        OffsetDateTime soon = OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(14).withNano(0);
        String ending = instanceOf(deploy(oneAlgorithm("Sleeper", "sleeper", "sleeper.sh", bus.busId,
                schedule("", iso(soon), "", "no", ""), "bash")), "sleeper");
        String always = instanceOf(deploy(oneAlgorithm("Sleeper", "sleeper", "sleeper.sh", bus.busId, now(), "bash")), "sleeper");
        awaitState(ending, "RUNNING");
        awaitState(always, "RUNNING");
        assertEquals("SCHEDULED", get("user", "/instances/" + pending).json().path("state").asText());

        // every platform bundle down (the embedded Kafka and store with them), then up again: a restart of the platform
        List<Bundle> platform = java.util.Arrays.stream(bundleContext.getBundles())
                .filter(b -> b.getSymbolicName().startsWith("org.iasplatform.") && !b.getSymbolicName().equals("org.iasplatform.api")
                        && !b.getSymbolicName().contains("itest") && !b.getSymbolicName().contains("sample")
                        && b.getState() == Bundle.ACTIVE)
                // as a framework shutdown stops them: highest start level first, then the latest installed first
                .sorted(java.util.Comparator.comparingInt((Bundle b) -> b.adapt(org.osgi.framework.startlevel.BundleStartLevel.class)
                        .getStartLevel()).thenComparingLong(Bundle::getBundleId).reversed()).toList();
        assertTrue(platform.toString(), platform.size() > 10);
        for (Bundle b : platform) {
            b.stop();
        }
        assertTrue("the node agent stopped the instances with it", processesOf(ending).isEmpty() && processesOf(always).isEmpty());
        await("the pending start time and the running one's end time pass while the platform is down", Duration.ofSeconds(30),
                () -> OffsetDateTime.now(ZoneOffset.UTC).isAfter(soon.plusSeconds(1)));
        List<Bundle> startOrder = new ArrayList<>(platform);
        java.util.Collections.reverse(startOrder);
        for (Bundle b : startOrder) {
            b.start();
        }
        awaitHealthy();

        awaitState(pending, "RUNNING");
        JsonNode runs = get("user", "/deployments/" + jobOfInstance(pending)).json().path("runs");
        assertTrue("the start that fell due while the platform was down ran when it came back: " + runs,
                runs.toString().contains("recovered"));
        awaitState(always, "RUNNING");
        assertTrue("the always-on instance was started again", get("user", "/instances/" + always).json().path("restarts").asInt() >= 1);
        await("the run whose end passed while the platform was down is over", START, () -> {
            String state = get("user", "/instances/" + ending).json().path("state").asText();
            return !state.equals("RUNNING") && !state.equals("STARTING") && !state.equals("RESTARTING");
        });
        assertTrue(processesOf(ending).isEmpty());
        assertTrue(get("user", "/deployments/" + jobOfInstance(ending)).json().path("state").asText(), List.of("FINISHED", "STOPPED")
                .contains(get("user", "/deployments/" + jobOfInstance(ending)).json().path("state").asText()));
        for (String instance : List.of(pending, always)) {
            assertAccepted(delete("configurator", "/deployments/" + jobOfInstance(instance)));
            awaitState(instance, "STOPPED");
        }
    }

    private String jobOfInstance(String instance) {
        return get("user", "/instances/" + instance).json().path("job_id").asText();
    }

    @Test
    public void badAppsAndDeployConfigsAreRefusedAndNothingIsStoredOrScheduled() throws Exception {
        Bus bus = bus("bad");
        long packages = mongo().getDatabase("app_repo").getCollection("packages.files").countDocuments();
        long binderEnd = topicEnd(Topics.PM_TO_SENSOR_BINDER);
        String good = appConfig("BadInputs", "algo", "algo.sh", null, "light-sensor");

        assertRefused(upload("developer", "/apps", "broken.zip", "PK\u0003\u0004 this is no zip".getBytes(StandardCharsets.UTF_8)), 400, "");
        assertRefused(upload("developer", "/apps", "slip.zip", zip(Map.of("appConfig.json", good, "algo.sh", "true",
                "../../etc/passwd", "x"))), 400, "..");
        assertRefused(upload("developer", "/apps", "missing.zip", zip(Map.of("appConfig.json", good))), 400, "algo.sh");
        assertRefused(upload("developer", "/apps", "unregistered.zip", zip(Map.of(
                "appConfig.json", appConfig("BadInputs", "algo", "algo.sh", null, "no-such-sensor"), "algo.sh", "true"))), 422,
                "no-such-sensor");
        assertRefused(upload("developer", "/apps", "bomb.zip", bomb()), 413, "");
        assertRefused(upload("developer", "/apps", "notjson.zip", zip(Map.of("appConfig.json", "{nope", "algo.sh", "true"))), 400, "");
        assertEquals(403, upload("configurator", "/apps", "good.zip", zip(Map.of("appConfig.json", good, "algo.sh", "true"))).status());
        assertEquals("nothing stored", packages, mongo().getDatabase("app_repo").getCollection("packages.files").countDocuments());
        assertEquals(404, get("user", "/apps/BadInputs").status());

        assertEquals(201, upload("developer", "/apps", "good.zip", zip(Map.of("appConfig.json", good, "algo.sh", "true"))).status());
        assertRefused(post("configurator", "/deployments", oneAlgorithm("NoSuchApp", "algo", "algo.sh", bus.busId, now(), "")), 422, "NoSuchApp");
        assertRefused(post("configurator", "/deployments", oneAlgorithm("BadInputs", "nope", "algo.sh", bus.busId, now(), "")), 422, "nope");
        assertRefused(post("configurator", "/deployments", oneAlgorithm("BadInputs", "algo", "algo.sh", "no-such-bus", now(), "")), 422,
                "/1/sensor_info/0");
        assertRefused(post("configurator", "/deployments", oneAlgorithm("BadInputs", "algo", "algo.sh", bus.busId,
                schedule("25:99", "", "", "no", ""), "")), 400, "start_time");
        assertRefused(post("configurator", "/deployments", oneAlgorithm("BadInputs", "algo", "algo.sh", bus.busId,
                schedule("", "", "funday", "yes", ""), "")), 400, "days");
        assertRefused(post("configurator", "/deployments", oneAlgorithm("BadInputs", "algo", "algo.sh", bus.busId,
                schedule("", "", "", "yes", "-5"), "")), 400, "interval");
        assertRefused(post("configurator", "/deployments", fixture("invalid/deploy-config-stop-without-job-id.json")), 400, "job_id");
        assertRefused(post("configurator", "/deployments", fixture("invalid/deploy-config-truncated.json")), 400, "");
        assertEquals(403, post("developer", "/deployments", oneAlgorithm("BadInputs", "algo", "algo.sh", bus.busId, now(), "")).status());
        assertEquals("nothing was sent to the sensor binder", binderEnd, topicEnd(Topics.PM_TO_SENSOR_BINDER));
    }

    @Test
    public void theStrategyInForceDecidesPlacementAndASwitchOrANewStrategyBundleTakesEffectWhileRunning() throws Exception {
        Bus bus = bus("lb");
        // two nodes that offer the docker runtime (the local node does not): "busy" is loaded, "crowded" runs many instances
        Messaging messaging = service(Messaging.class, null, Duration.ofSeconds(30));
        java.util.concurrent.ScheduledExecutorService beats = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        beats.scheduleAtFixedRate(() -> {
            heartbeat(messaging, "itest-busy", 0.9, 0.9, 0);
            heartbeat(messaging, "itest-crowded", 0.1, 0.1, 50);
        }, 0, 500, java.util.concurrent.TimeUnit.MILLISECONDS);
        try {
            await("both fake nodes UP", Duration.ofSeconds(30), () -> {
                String nodes = get("user", "/nodes").body();
                return nodes.contains("itest-busy") && nodes.contains("itest-crowded");
            });
            assertEquals(201, upload("developer", "/apps", "placed.zip", zip(Map.of(
                    "appConfig.json", appConfig("Placed", "placed", "placed.sh", "docker", "light-sensor"),
                    "placed.sh", "true"))).status());

            assertEquals("least-load", get("user", "/nodes").json().path("strategy").asText());
            assertTrue(get("user", "/nodes").body(), get("user", "/nodes").json().path("strategies").toString()
                    .contains("ssh-probe"));
            assertEquals("least load wins", "itest-crowded", placementOf(bus));

            setStrategy("(ias.strategy=fewest-instances)");
            await("fewest-instances in force", Duration.ofSeconds(30),
                    () -> "fewest-instances".equals(get("user", "/nodes").json().path("strategy").asText()));
            assertEquals("fewest instances wins", "itest-busy", placementOf(bus));

            Bundle last = bundleContext.installBundle("mvn:org.iasplatform/org.iasplatform.itest.strategy/" + VERSION);
            try {
                last.start();
                await("the new strategy is listed", Duration.ofSeconds(30),
                        () -> get("user", "/nodes").json().path("strategies").toString().contains("itest-last"));
                setStrategy("(ias.strategy=itest-last)");
                await("itest-last in force", Duration.ofSeconds(30),
                        () -> "itest-last".equals(get("user", "/nodes").json().path("strategy").asText()));
                String chosen = placementOf(bus);
                assertTrue(chosen, chosen.equals("local") || chosen.startsWith("itest-"));
            } finally {
                setStrategy("(ias.strategy=least-load)");
                last.uninstall();
            }
        } finally {
            beats.shutdownNow();
        }
    }

    // ---- helpers ----

    /** The simulated devices of one bus, registered with the fixture's tags and bus-id = {@code busId}. */
    private final class Bus {
        final String busId;
        final SimulatedDevice lightDevice;
        final String light;

        Bus(String busId) throws Exception {
            this.busId = busId;
            assertEquals(201, post("configurator", "/sensor-types", fixture(TYPES)).status());
            register(device("gps-sensor", Map.of("placeholder", "bus", "bus-id", busId)));
            register(device("biometric-sensor", Map.of("bus-id", busId)));
            register(device("gps-sensor", Map.of("placeholder", "admin", "admin-id", busId)));
            this.lightDevice = device("light-sensor", Map.of("bus-id", busId));
            this.light = register(lightDevice);
        }

        private SimulatedDevice device(String type, Map<String, String> tags) throws IOException {
            SimulatedDevice device = new SimulatedDevice(type, 0, tags);
            device.setPeriodMillis(200);
            device.setLog(line -> { });
            device.start();
            devices.add(device);
            deviceTags.put(device, tags);
            return device;
        }

        private String register(SimulatedDevice device) {
            ObjectNode body = JSON.createObjectNode();
            body.put("sensor_type", device.sensorType());
            body.put("ip", "127.0.0.1");
            body.put("port", device.port());
            deviceTags.get(device).forEach(body::put);
            Answer answer = post("configurator", "/sensor-instances", body.toString());
            assertEquals(answer.toString(), 201, answer.status());
            return answer.json().path("registered").get(0).path("id").asText();
        }
    }

    private final Map<SimulatedDevice, Map<String, String>> deviceTags = new LinkedHashMap<>();

    private Bus bus(String busId) throws Exception {
        awaitHealthy();
        return new Bus(busId);
    }

    private static byte[] sampleApp(String name) throws IOException {
        Path zip = Path.of(System.getProperty("ias.sample.apps.dir"), name);
        assertTrue("the sample app " + zip + " is built by sample-apps/bus-management", Files.isRegularFile(zip));
        return Files.readAllBytes(zip);
    }

    private static String now() {
        return schedule("", "", "", "no", "");
    }

    private static String schedule(String start, String end, String days, String repeat, String interval) {
        ObjectNode s = JSON.createObjectNode();
        s.put("request_type", "start");
        s.put("start_time", start);
        s.put("end_time", end);
        s.put("days", days);
        s.put("repeat", repeat);
        s.put("interval", interval);
        return s.toString();
    }

    private static String iso(OffsetDateTime time) {
        return time.withNano(0).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    /** The seed's two-algorithm deploy config (lightControl, fareCalculator) for one bus. */
    private static String seedDeployConfig(String app, String busId, String lang, String lightScript, String fareScript,
            String scheduling) {
        return "{\"noOfAlgo\":2,"
                + "\"1\":{\"application_name\":\"" + app + "\",\"script_name\":[\"" + fareScript + "\"],\"algorithm_name\":\"fareCalculator\","
                + "\"sensor_info\":[{\"sensor_type\":\"gps-sensor\",\"filter_sensors\":[{\"placeholder\":\"bus\",\"bus-id\":\"" + busId + "\"}]},"
                + "{\"sensor_type\":\"biometric-sensor\",\"filter_sensors\":[{\"bus-id\":\"" + busId + "\"}]},"
                + "{\"sensor_type\":\"gps-sensor\",\"filter_sensors\":[{\"placeholder\":\"admin\",\"admin-id\":\"" + busId + "\"}]}],"
                + "\"scheduling_info\":" + scheduling + ",\"environment\":{\"lang\":\"" + lang + "\",\"dependencies\":[]}},"
                + "\"2\":{\"application_name\":\"" + app + "\",\"script_name\":[\"" + lightScript + "\"],\"algorithm_name\":\"lightControl\","
                + "\"sensor_info\":[{\"sensor_type\":\"light-sensor\",\"filter_sensors\":[{\"bus-id\":\"" + busId + "\"}]},"
                + "{\"sensor_type\":\"gps-sensor\",\"filter_sensors\":[{\"placeholder\":\"bus\",\"bus-id\":\"" + busId + "\"}]}],"
                + "\"scheduling_info\":" + scheduling + ",\"environment\":{\"lang\":\"" + lang + "\",\"dependencies\":[]}}}";
    }

    /** A deploy config of one algorithm bound to the bus's light sensor. */
    private static String oneAlgorithm(String app, String algorithm, String script, String busId, String scheduling, String lang) {
        return "{\"noOfAlgo\":1,\"1\":{\"application_name\":\"" + app + "\",\"script_name\":[\"" + script + "\"],"
                + "\"algorithm_name\":\"" + algorithm + "\","
                + "\"sensor_info\":[{\"sensor_type\":\"light-sensor\",\"filter_sensors\":[{\"bus-id\":\"" + busId + "\"}]}],"
                + "\"scheduling_info\":" + scheduling + ",\"environment\":{\"lang\":\"" + lang + "\",\"dependencies\":[]}}}";
    }

    private static String appConfig(String app, String algorithm, String script, String runtime, String inputType) {
        ObjectNode config = JSON.createObjectNode();
        config.put("application_name", app);
        config.put("application_id", app.toLowerCase());
        config.put("developer_id", 7);
        ArrayNode algorithms = config.putArray("algorithm_list");
        ObjectNode a = algorithms.addObject();
        a.put("algorithm_name", algorithm);
        ObjectNode s = a.putObject("script");
        s.put("name", script);
        if (runtime != null) {
            s.put("runtime", runtime);
        }
        a.putArray("input_sensors").addObject().put("sensor_type", inputType);
        return config.toString();
    }

    /** A small archive that inflates far beyond the repository's bound (zeros compress about 1000:1). */
    private static byte[] bomb() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("appConfig.json"));
            zip.write(appConfig("Bomb", "algo", "algo.sh", null, "light-sensor").getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("algo.sh"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 400; i++) {
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    private JsonNode deploy(String config) {
        Answer answer = post("configurator", "/deployments", config);
        assertEquals(answer.toString(), 202, answer.status());
        return answer.json().path("deployments");
    }

    private static String instanceOf(JsonNode deployments, String algorithm) {
        for (JsonNode d : deployments) {
            if (algorithm.equals(d.path("algorithm_name").asText())) {
                assertTrue(d.toString(), d.path("instance_id").asText().length() > 0);
                return d.path("instance_id").asText();
            }
        }
        throw new AssertionError("no deployment of " + algorithm + " in " + deployments);
    }

    private static String jobOf(JsonNode deployments, String algorithm) {
        for (JsonNode d : deployments) {
            if (algorithm.equals(d.path("algorithm_name").asText())) {
                return d.path("job_id").asText();
            }
        }
        throw new AssertionError("no deployment of " + algorithm + " in " + deployments);
    }

    private void awaitState(String instance, String state) {
        await(instance + " " + state, START, () -> {
            Answer a = get("user", "/instances/" + instance);
            if (a.status() == 200 && "FAILED".equals(a.json().path("state").asText()) && !"FAILED".equals(state)) {
                throw new AssertionError(instance + " FAILED: " + a.body() + "\nlog: " + logText(instance));
            }
            return a.status() == 200 && state.equals(a.json().path("state").asText());
        });
    }

    private String logText(String instance) {
        return get("developer", "/instances/" + instance + "/logs?tail=500").body();
    }

    /** Live Kafka consumers that follow topics outside a group (readings subscriptions and streams): their threads. */
    private static long followers() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).filter(t -> t.getName().contains("-follow-"))
                .count();
    }

    private static List<ProcessHandle> processesOf(String instance) {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().orElse("").contains(instance)
                        || p.info().arguments().map(args -> List.of(args).contains(instance)).orElse(false))
                .toList();
    }

    private List<Message> feed(String app) {
        try {
            return service(Messaging.class, null, Duration.ofSeconds(30)).latest(Topics.appFeed(app), 500, Duration.ofSeconds(10));
        } catch (Exception e) {
            return List.of();
        }
    }

    private static void assertAccepted(Answer answer) {
        assertTrue(answer.toString(), answer.status() == 200 || answer.status() == 202 || answer.status() == 204);
    }

    private static void assertRefused(Answer answer, int status, String mentions) {
        assertEquals(answer.toString(), status, answer.status());
        JsonNode errors = answer.json().path("errors");
        assertTrue("the API.md error shape: " + answer, errors.isArray() && errors.size() > 0);
        assertTrue("the error names " + mentions + ": " + answer, answer.body().contains(mentions));
    }

    private static void heartbeat(Messaging messaging, String node, double cpu, double mem, int instances) {
        ObjectNode beat = JSON.createObjectNode();
        beat.put("node_id", node);
        beat.put("host", "itest");
        beat.put("timestamp", System.currentTimeMillis());
        beat.put("cpu", cpu);
        beat.put("mem", mem);
        beat.put("instances", instances);
        beat.put("epoch", 1);
        beat.putArray("runtimes").add("docker");
        messaging.publish(Topics.NODE_HEARTBEATS, node, beat.toString());
    }

    /** Deploys the docker-runtime app once and returns the node server-lifecycle placed it on. */
    private String placementOf(Bus bus) {
        String instance = instanceOf(deploy(oneAlgorithm("Placed", "placed", "placed.sh", bus.busId, now(), "")), "placed");
        await("placed", START, () -> {
            JsonNode i = get("user", "/instances/" + instance).json();
            return !i.path("node").isNull() && i.path("node").asText().length() > 0;
        });
        String node = get("user", "/instances/" + instance).json().path("node").asText();
        assertNotNull(node);
        return node;
    }

    private void setStrategy(String target) throws IOException {
        ConfigurationAdmin admin = service(ConfigurationAdmin.class, null, Duration.ofSeconds(30));
        Configuration config = admin.getConfiguration("org.iasplatform.lifecycle", null);
        java.util.Dictionary<String, Object> properties = config.getProperties() == null ? new java.util.Hashtable<>()
                : config.getProperties();
        properties.put("strategy.target", target);
        config.update(properties);
    }
}
