package org.iasplatform.itests;

import static org.iasplatform.itests.LocalDistributions.cfg;
import static org.iasplatform.itests.LocalDistributions.kill;
import static org.iasplatform.itests.LocalDistributions.processesNaming;
import static org.iasplatform.itests.LocalDistributions.start;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.iasplatform.sample.simulator.SimulatedDevice;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Two platform distributions as separate processes on loopback, sharing a Kafka broker and a Mongo-wire store started in
 * this JVM (standing for an operator's own cluster), each with its local node. They share the pipeline's work through
 * Kafka consumer groups and one of them serves the devices. Platform A (which serves the devices, having started first)
 * is killed with kill -9 in the middle of a burst of deployments sent to both: every deployment either of them accepted
 * runs exactly once, the other platform serves the devices, and A started again with its old state runs nothing twice.
 */
public class PlatformHaIT extends IasTestSupport {
    private static final int DEPLOYMENTS = 24;
    private static final int KILL_AFTER = 8;

    private LocalDistributions karafs;
    private SimulatedDevice device;
    private Path platformA;
    private Path platformB;
    private int portA;
    private int portB;

    @Before
    public void startTwoPlatforms() throws Exception {
        String[] infra = ExternalInfrastructure.start();
        karafs = new LocalDistributions("platform-ha");
        portA = freePort();
        portB = freePort();
        platformA = platform("a", portA, infra);
        platformB = platform("b", portB, infra);
        start(platformA);
        awaitHealthy(portA);
        start(platformB); // second: A serves the devices
        awaitHealthy(portB);
        await("both local nodes UP", Duration.ofSeconds(120),
                () -> "UP".equals(nodeState(portB, "a-node")) && "UP".equals(nodeState(portB, "b-node")));
    }

    private Path platform(String name, int httpPort, String[] infra) throws Exception {
        Path karaf = karafs.platform("platform-" + name, httpPort);
        cfg(karaf, "org.iasplatform.infra.cfg", "kafka_bootstrap_servers", infra[0]); // nothing embedded
        cfg(karaf, "org.iasplatform.infra.cfg", "mongo_uri", infra[1]);
        cfg(karaf, "system.properties", "karaf.name", "platform-" + name);
        cfg(karaf, "org.iasplatform.node.cfg", "node_id", name + "-node");
        return karaf;
    }

    @After
    public void stopEverything() {
        if (device != null) {
            device.close();
        }
        if (karafs != null) {
            karafs.close();
        }
    }

    @Test
    public void killingOnePlatformMidBurstLosesNoAcceptedDeploymentAndRunsNoneTwice() throws Exception {
        device = new SimulatedDevice("light-sensor", 0);
        device.setLog(line -> { });
        device.start();
        Path types = Path.of(System.getProperty("ias.fixtures.dir"), "bus-management", "sensorTypeRegistration.json");
        assertEquals(201, call(portA, "POST", "/sensor-types", "configurator", "application/json",
                Files.readAllBytes(types)).status());
        Answer registered = call(portB, "POST", "/sensor-instances", "configurator", "application/json",
                ("{\"sensor_type\":\"light-sensor\",\"ip\":\"127.0.0.1\",\"port\":" + device.port() + ",\"bus-id\":\"ha\"}")
                        .getBytes(StandardCharsets.UTF_8));
        assertEquals(registered.body(), 201, registered.status());
        String sensor = registered.json().path("registered").get(0).path("id").asText();
        assertEquals(201, call(portA, "POST", "/apps", "developer", "application/zip", zip(Map.of("appConfig.json",
                "{\"application_name\":\"Ha\",\"application_id\":\"ha\",\"algorithm_list\":[{\"algorithm_name\":\"idle\","
                        + "\"script\":{\"name\":\"idle.sh\"},\"input_sensors\":[{\"sensor_type\":\"light-sensor\"}]}]}",
                "idle.sh", "sleep 600 &\nwait\n"))).status());

        // one platform serves the device (A, the first), and B shows the status A publishes
        await("A serves the device", Duration.ofSeconds(60), () -> "CONNECTED".equals(sensorState(portA, sensor)));
        await("B shows the device CONNECTED", Duration.ofSeconds(30), () -> "CONNECTED".equals(sensorState(portB, sensor)));
        assertEquals("one client of the device", 1, device.connectedClients());

        // the burst, to both platforms; A is killed after KILL_AFTER answers
        CountDownLatch answered = new CountDownLatch(KILL_AFTER);
        List<String> acceptedJobs = Collections.synchronizedList(new ArrayList<>());
        List<String> refused = Collections.synchronizedList(new ArrayList<>());
        ExecutorService senders = Executors.newFixedThreadPool(2);
        List<Future<?>> sent = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int thread = t;
            sent.add(senders.submit(() -> {
                for (int i = thread; i < DEPLOYMENTS; i += 2) {
                    int port = i % 4 < 2 ? portA : portB;
                    Answer a = call(port, "POST", "/deployments", "configurator", "application/json", deployment());
                    if (a.status() == 202) {
                        acceptedJobs.add(a.json().path("deployments").get(0).path("job_id").asText());
                    } else {
                        refused.add((port == portA ? "A " : "B ") + a);
                    }
                    answered.countDown();
                }
                return null;
            }));
        }
        assertTrue("first answers of the burst", answered.await(120, TimeUnit.SECONDS));
        kill(platformA); // kill -9 in the middle of the burst
        long killed = System.nanoTime();
        for (Future<?> f : sent) {
            f.get(300, TimeUnit.SECONDS);
        }
        senders.shutdown();
        System.out.println("PlatformHaIT: " + acceptedJobs.size() + " of " + DEPLOYMENTS + " deployments accepted; not: "
                + refused);
        assertTrue("most of the burst was accepted: " + refused, acceptedJobs.size() >= DEPLOYMENTS / 2);
        refused.forEach(r -> assertTrue("only requests to the killed platform fail: " + r, r.startsWith("A ")));

        // every accepted deployment runs, exactly once, on what is left
        await("every accepted deployment has one RUNNING instance", Duration.ofSeconds(180),
                () -> instancesByJob(acceptedJobs).values().stream().allMatch(l -> l.size() == 1
                        && "RUNNING".equals(l.get(0).path("state").asText())
                        && "b-node".equals(l.get(0).path("node").asText())));
        long allRunning = System.nanoTime();
        Map<String, List<JsonNode>> byJob = instancesByJob(acceptedJobs);
        assertEquals("every accepted job is known: " + byJob.keySet(), acceptedJobs.size(), byJob.size());
        for (List<JsonNode> instances : byJob.values()) {
            String id = instances.get(0).path("instance_id").asText();
            await(id + " runs on B's node", Duration.ofSeconds(30), () -> processesNaming(id) >= 1);
        }

        // B serves the device now, and a control command sent to B reaches it
        await("B serves the device", Duration.ofSeconds(60), () -> "CONNECTED".equals(sensorState(portB, sensor)));
        System.out.println("PlatformHaIT: after the kill, every accepted deployment RUNNING on B's node after "
                + Duration.ofNanos(allRunning - killed).toMillis() + " ms; B served the device after at most "
                + Duration.ofNanos(System.nanoTime() - killed).toMillis() + " ms");
        Answer control = call(portB, "POST", "/sensor-instances/" + sensor + "/control", "configurator",
                "application/json", "{\"function\":\"switchOnLight\",\"params\":{\"level\":3}}".getBytes(StandardCharsets.UTF_8));
        assertEquals(control.body(), 202, control.status());
        await("the device got the command through B", Duration.ofSeconds(30), () -> device.receivedCommands().stream()
                .anyMatch(c -> "switchOnLight".equals(c.function())));

        // A's processes are orphans of a dead JVM; A started again with its old state runs none of them (its node kills
        // them), takes none of the devices, and every deployment still runs exactly once
        start(platformA);
        awaitHealthy(portA);
        await("A's node UP again", Duration.ofSeconds(120), () -> "UP".equals(nodeState(portB, "a-node")));
        await("every accepted deployment's instance runs exactly once", Duration.ofSeconds(60),
                () -> instancesByJob(acceptedJobs).values().stream().allMatch(l -> l.size() == 1
                        && "RUNNING".equals(l.get(0).path("state").asText())
                        && processesNaming(l.get(0).path("instance_id").asText()) == 1));
        assertEquals("one client of the device", 1, device.connectedClients());
        assertEquals("B keeps the device", "CONNECTED", sensorState(portB, sensor));
    }

    private static byte[] deployment() {
        return ("{\"noOfAlgo\":1,\"1\":{\"application_name\":\"Ha\",\"algorithm_name\":\"idle\",\"sensor_info\":[{"
                + "\"sensor_type\":\"light-sensor\",\"filter_sensors\":[{\"bus-id\":\"ha\"}]}],\"scheduling_info\":{"
                + "\"request_type\":\"start\",\"start_time\":\"\",\"end_time\":\"\",\"days\":\"\",\"interval\":\"\","
                + "\"repeat\":\"no\"},\"environment\":{\"lang\":\"bash\"}}}").getBytes(StandardCharsets.UTF_8);
    }

    /** The instances of the given jobs, as platform B lists them. */
    private Map<String, List<JsonNode>> instancesByJob(List<String> jobs) {
        Map<String, List<JsonNode>> byJob = new HashMap<>();
        Answer a = call(portB, "GET", "/instances", "user", null, null);
        if (a.status() != 200) {
            return Map.of("?", List.of());
        }
        for (JsonNode instance : a.json()) {
            String job = instance.path("job_id").asText();
            if (jobs.contains(job)) {
                byJob.computeIfAbsent(job, j -> new ArrayList<>()).add(instance);
            }
        }
        if (byJob.size() < jobs.size()) {
            return Map.of("?", List.of());
        }
        return byJob;
    }

    private String sensorState(int port, String sensor) {
        Answer a = call(port, "GET", "/sensor-instances/" + sensor, "user", null, null);
        return a.status() == 200 ? a.json().path("status").path("state").asText() : "";
    }

    private String nodeState(int port, String node) {
        Answer a = call(port, "GET", "/nodes", "user", null, null);
        if (a.status() != 200) {
            return "";
        }
        for (JsonNode n : a.json().path("nodes")) {
            if (node.equals(n.path("node_id").asText())) {
                return n.path("state").asText();
            }
        }
        return "";
    }
}
