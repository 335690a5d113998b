package org.iasplatform.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.iasplatform.itests.LocalDistributions.cfg;
import static org.iasplatform.itests.LocalDistributions.kill;
import static org.iasplatform.itests.LocalDistributions.processesNaming;
import static org.iasplatform.itests.LocalDistributions.start;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.iasplatform.sample.simulator.SimulatedDevice;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Several processes on loopback: the platform distribution and three node distributions, each a Karaf of its own started
 * with its {@code bin/start}. Instances are spread over the nodes; a node killed with kill -9 has its instances running
 * elsewhere within seconds; started again with its old state, it does not run any of them a second time.
 */
public class MultiNodeIT extends IasTestSupport {
    private static final int INSTANCES = 6;

    private final Map<String, Path> nodes = new LinkedHashMap<>();
    private LocalDistributions karafs;
    private SimulatedDevice device;
    private int httpPort;

    @Before
    public void startPlatformAndNodes() throws Exception {
        karafs = new LocalDistributions("multinode");
        httpPort = freePort();
        int kafka = freePort();
        int mongo = freePort();
        Path platform = karafs.platform("platform", httpPort); // instances spread, failover fast
        cfg(platform, "org.iasplatform.infra.cfg", "embedded_kafka_port", String.valueOf(kafka)); // the nodes join these
        cfg(platform, "org.iasplatform.infra.cfg", "embedded_mongo_port", String.valueOf(mongo));
        start(platform);
        await("the platform's health UP", Duration.ofSeconds(180), () -> {
            Answer a = call("GET", "/health", null, null, null);
            return a.status() == 200 && a.body().startsWith("{\"status\":\"UP\"");
        });
        for (String name : List.of("n1", "n2", "n3")) {
            Path node = karafs.unpack(LocalDistributions.nodeDistribution(), name);
            cfg(node, "org.iasplatform.infra.cfg", "kafka_bootstrap_servers", "127.0.0.1:" + kafka);
            cfg(node, "org.iasplatform.infra.cfg", "mongo_uri", "mongodb://127.0.0.1:" + mongo);
            cfg(node, "org.iasplatform.node.cfg", "node_id", name);
            cfg(node, "org.iasplatform.node.cfg", "api_url", api());
            cfg(node, "org.iasplatform.node.cfg", "heartbeat_period_ms", "500");
            start(node);
            nodes.put(name, node);
        }
        await("three nodes UP besides the platform's own", Duration.ofSeconds(180), () -> nodes.keySet().stream()
                .allMatch(n -> "UP".equals(nodeState(n))));
    }

    @After
    public void stopEverything() throws Exception {
        if (device != null) {
            device.close();
        }
        if (karafs != null) {
            karafs.close(); // the embedded servers' child JVM goes with the platform's Karaf; close() makes sure
        }
    }

    @Test
    public void aKilledNodesInstancesRunElsewhereWithinSecondsAndNeverTwice() throws Exception {
        device = new SimulatedDevice("light-sensor", 0);
        device.setLog(line -> { });
        device.start();
        Path types = Path.of(System.getProperty("ias.fixtures.dir"), "bus-management", "sensorTypeRegistration.json");
        assertEquals(201, call("POST", "/sensor-types", "configurator", "application/json", Files.readAllBytes(types)).status());
        assertEquals(201, call("POST", "/sensor-instances", "configurator", "application/json", ("{\"sensor_type\":\"light-sensor\","
                + "\"ip\":\"127.0.0.1\",\"port\":" + device.port() + ",\"bus-id\":\"mn\"}").getBytes(StandardCharsets.UTF_8)).status());
        String appConfig = "{\"application_name\":\"Spread\",\"application_id\":\"spread\",\"algorithm_list\":[{\"algorithm_name\":\"idle\","
                + "\"script\":{\"name\":\"idle.sh\"},\"input_sensors\":[{\"sensor_type\":\"light-sensor\"}]}]}";
        assertEquals(201, call("POST", "/apps", "developer", "application/zip", zip(Map.of("appConfig.json", appConfig,
                "idle.sh", "sleep 600 &\nwait\n"))).status()); // bash stays, with the instance id in its command line

        List<String> instances = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            Answer deployed = call("POST", "/deployments", "configurator", "application/json", ("{\"noOfAlgo\":1,\"1\":{"
                    + "\"application_name\":\"Spread\",\"algorithm_name\":\"idle\",\"sensor_info\":[{\"sensor_type\":\"light-sensor\","
                    + "\"filter_sensors\":[{\"bus-id\":\"mn\"}]}],\"scheduling_info\":{\"request_type\":\"start\",\"start_time\":\"\","
                    + "\"end_time\":\"\",\"days\":\"\",\"interval\":\"\",\"repeat\":\"no\"},\"environment\":{\"lang\":\"bash\"}}}")
                    .getBytes(StandardCharsets.UTF_8));
            assertEquals(deployed.body(), 202, deployed.status());
            instances.add(JSON.readTree(deployed.body()).path("deployments").get(0).path("instance_id").asText());
        }
        await("every instance RUNNING", Duration.ofSeconds(120), () -> instances.stream().allMatch(i -> "RUNNING".equals(state(i))));
        Map<String, String> placed = placement(instances);
        assertTrue("spread over the three nodes (and the platform's own): " + placed,
                placed.values().containsAll(nodes.keySet()));
        instances.forEach(i -> assertEquals("one process of " + i, 1, processesNaming(i)));

        String victim = "n1";
        List<String> onVictim = instances.stream().filter(i -> victim.equals(placed.get(i))).toList();
        assertTrue(onVictim.toString(), !onVictim.isEmpty());
        kill(nodes.get(victim)); // kill -9 of the node's Karaf
        long killed = System.nanoTime();
        await("the killed node's instances RUNNING elsewhere", Duration.ofSeconds(60), () -> onVictim.stream().allMatch(i -> {
            JsonNode instance = instance(i);
            return "RUNNING".equals(instance.path("state").asText()) && !victim.equals(instance.path("node").asText());
        }));
        long seconds = Duration.ofNanos(System.nanoTime() - killed).toMillis();
        System.out.println("MultiNodeIT: " + onVictim.size() + " instances of the killed node RUNNING elsewhere after " + seconds + " ms");
        assertTrue("failover took " + seconds + " ms; the target is 5 s (heartbeat 0.5 s, DOWN after 2.5 s)", seconds < 15_000);

        // the killed node's processes are orphans of a dead JVM, still running: the platform must not count on them, and
        // the node, started again with its old state, must not keep (or restart) any of them
        start(nodes.get(victim));
        await(victim + " UP again", Duration.ofSeconds(180), () -> "UP".equals(nodeState(victim)));
        await("every instance runs exactly once", Duration.ofSeconds(60), () -> instances.stream().allMatch(i -> processesNaming(i) <= 1)
                && onVictim.stream().allMatch(i -> !victim.equals(instance(i).path("node").asText())));
        instances.forEach(i -> assertEquals(i + " RUNNING", "RUNNING", state(i)));
    }

    // ---- REST ----

    private String api() {
        return "http://127.0.0.1:" + httpPort + "/ias/api/v1";
    }

    private Answer call(String method, String path, String user, String contentType, byte[] body) {
        return call(httpPort, method, path, user, contentType, body);
    }

    private JsonNode instance(String id) {
        try {
            Answer a = call("GET", "/instances/" + id, "user", null, null);
            return a.status() == 200 ? JSON.readTree(a.body()) : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private String state(String id) {
        return instance(id).path("state").asText();
    }

    private Map<String, String> placement(List<String> instances) {
        Map<String, String> placed = new HashMap<>();
        instances.forEach(i -> placed.put(i, instance(i).path("node").asText()));
        return placed;
    }

    private String nodeState(String node) {
        try {
            for (JsonNode n : JSON.readTree(call("GET", "/nodes", "user", null, null).body()).path("nodes")) {
                if (node.equals(n.path("node_id").asText())) {
                    return n.path("state").asText();
                }
            }
        } catch (IOException e) {
            // no answer yet
        }
        return "";
    }
}
