package org.iasplatform.itests;

import static org.iasplatform.itests.LocalDistributions.cfg;
import static org.iasplatform.itests.LocalDistributions.karafProcess;
import static org.iasplatform.itests.LocalDistributions.processesNaming;
import static org.iasplatform.itests.LocalDistributions.start;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.StreamSupport;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.iasplatform.testsupport.ShellSshServer;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Provisioning and decommissioning a node end to end, as separate processes on loopback: the platform distribution
 * (with the node distribution it carries) provisions a node over SSH into a real SSH and SFTP server in this JVM (Apache
 * MINA SSHD, running the commands on this machine, its "home" a folder of the test), through POST /nodes/provision;
 * the new node's Karaf starts and its heartbeat shows in GET /nodes. Instances spread over it and the platform's local
 * node; decommissioning it moves its instances onto the local node (each stopped there before it starts elsewhere, none
 * ever running twice), then the node's Karaf exits; the local node, left with every instance, may not be
 * decommissioned: there is nowhere to drain to.
 */
public class NodeProvisioningIT extends IasTestSupport {
    private static final int INSTANCES = 4;
    private static final String NODE = "p1";

    private LocalDistributions karafs;
    private ShellSshServer ssh;
    private Path home;
    private int httpPort;
    private int consolePort;
    private KeyPair consoleKey;

    @Before
    public void startPlatformAndSshHost() throws Exception {
        karafs = new LocalDistributions("provisioning");
        Path keys = Files.createDirectories(Path.of(System.getProperty("ias.exam.dir", "target/exam"),
                "provisioning-host-" + System.nanoTime())).toRealPath();
        KeyPair key = ShellSshServer.newKeyPair();
        home = Files.createDirectories(keys.resolve("home")); // the host's home: the node goes into home/ias-node-p1
        ssh = new ShellSshServer(home, null, key.getPublic());
        Path knownHosts = keys.resolve("known_hosts");
        Files.writeString(knownHosts, ssh.knownHostsLine() + "\n");

        httpPort = freePort();
        Path platform = karafs.platform("platform", httpPort);
        // the platform's Karaf console over SSH with a key (admin), to run ias: commands as an operator does
        consolePort = freePort();
        consoleKey = ShellSshServer.newKeyPair();
        cfg(platform, "org.apache.karaf.shell.cfg", "sshPort", String.valueOf(consolePort));
        Files.writeString(platform.resolve("etc/keys.properties"), "admin=" + PublicKeyEntry.toString(consoleKey.getPublic())
                .split(" ")[1] + ",_g_:admingroup\n_g_\\:admingroup = group,admin,manager,viewer,systembundles,ssh\n");
        // provisioning: the test's key, strict host keys, the node's console on any free port, its API: this platform's
        cfg(platform, "org.iasplatform.provision.cfg", "private_key_file",
                ShellSshServer.writePrivateKey(key, keys.resolve("id_ecdsa")).toString());
        cfg(platform, "org.iasplatform.provision.cfg", "known_hosts_file", knownHosts.toString());
        cfg(platform, "org.iasplatform.provision.cfg", "node_console_port", "0");
        cfg(platform, "org.iasplatform.provision.cfg", "api_url", api());
        start(platform);
        awaitHealthy(httpPort);
    }

    @After
    public void stopEverything() throws Exception {
        if (home != null) {
            karafProcess(home.resolve("ias-node-" + NODE)).forEach(ProcessHandle::destroyForcibly);
            ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(home.toString()))
                    .forEach(ProcessHandle::destroyForcibly);
        }
        if (ssh != null) {
            ssh.close();
        }
        if (karafs != null) {
            karafs.close();
        }
    }

    @Test
    public void aProvisionedNodeJoinsAndADecommissionedOneHandsOverItsInstancesAndExits() throws Exception {
        // ---- provisioning over SSH, followed by its id (the provisioning service is not part of /health: wait for it)
        await("the provisioning service", Duration.ofSeconds(60), () -> call("GET", "/nodes/provision", "admin", null)
                .status() == 200);
        Answer started = call("POST", "/nodes/provision", "admin", "{\"host\": \"127.0.0.1\", \"user\": \""
                + ShellSshServer.USER + "\", \"port\": " + ssh.port() + ", \"node_id\": \"" + NODE + "\"}");
        assertEquals(started.toString(), 202, started.status());
        String id = started.json().path("provision_id").asText();
        JsonNode[] provision = new JsonNode[1];
        await("provisioning " + id + " done", Duration.ofSeconds(300), () -> {
            provision[0] = call("GET", "/nodes/provision/" + id, "admin", null).json();
            return !"RUNNING".equals(provision[0].path("state").asText());
        });
        String progress = String.join("\n", texts(provision[0].path("progress")));
        System.out.println("NodeProvisioningIT: provisioning " + id + ":\n" + progress);
        assertEquals(progress + "\n" + provision[0].path("error"), "SUCCEEDED", provision[0].path("state").asText());
        for (String step : List.of("connect: connected to ias@127.0.0.1:" + ssh.port(),
                "copy: copying ias-node-distribution-" + VERSION + ".tar.gz", "unpack: unpacked into ",
                "configure: configured: node_id p1", "start: started (", "heartbeat: node p1 is UP")) {
            assertTrue(step + " in\n" + progress, progress.contains(step));
        }
        Path nodeDir = home.resolve("ias-node-" + NODE);
        assertEquals("the node's Karaf runs from the folder it was copied to", 1, karafProcess(nodeDir).size());
        assertEquals("UP", nodeState(NODE));
        assertEquals(403, call("POST", "/nodes/provision", "configurator", "{}").status());

        // ---- instances spread over the local node and p1
        String appConfig = "{\"application_name\":\"Drain\",\"application_id\":\"drain\",\"algorithm_list\":[{"
                + "\"algorithm_name\":\"idle\",\"script\":{\"name\":\"idle.sh\"},\"input_sensors\":[]}]}";
        Answer app = call(httpPort, "POST", "/apps", "developer", "application/zip", zip(Map.of("appConfig.json",
                appConfig, "idle.sh", "sleep 600 &\nwait\n")));
        assertEquals(app.toString(), 201, app.status());
        List<String> instances = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            Answer deployed = call("POST", "/deployments", "configurator", "{\"noOfAlgo\":1,\"1\":{"
                    + "\"application_name\":\"Drain\",\"algorithm_name\":\"idle\",\"sensor_info\":[],\"scheduling_info\":{"
                    + "\"request_type\":\"start\",\"start_time\":\"\",\"end_time\":\"\",\"days\":\"\",\"interval\":\"\","
                    + "\"repeat\":\"no\"},\"environment\":{\"lang\":\"bash\"}}}");
            assertEquals(deployed.toString(), 202, deployed.status());
            instances.add(deployed.json().path("deployments").get(0).path("instance_id").asText());
        }
        await("every instance RUNNING", Duration.ofSeconds(120), () -> instances.stream()
                .allMatch(i -> "RUNNING".equals(instance(i).path("state").asText())));
        List<String> onNode = instances.stream().filter(i -> NODE.equals(instance(i).path("node").asText())).toList();
        assertTrue("some run on " + NODE + ": " + onNode, !onNode.isEmpty() && onNode.size() < INSTANCES);

        // ---- decommissioning p1: its instances go to the local node, none ever twice, then its Karaf exits
        Answer decommission = call("POST", "/nodes/" + NODE + "/decommission", "admin", null);
        assertEquals(decommission.toString(), 202, decommission.status());
        assertEquals("DRAINING", decommission.json().path("state").asText());
        assertEquals(new TreeSet<>(onNode), new TreeSet<>(texts(decommission.json().path("moving"))));
        Set<String> twice = ConcurrentHashMap.newKeySet();
        await("every instance RUNNING on the local node and " + NODE + " DECOMMISSIONED", Duration.ofSeconds(120), () -> {
            instances.stream().filter(i -> processesNaming(i) > 1).forEach(twice::add);
            return "DECOMMISSIONED".equals(nodeState(NODE)) && instances.stream().allMatch(i -> {
                JsonNode instance = instance(i);
                return "RUNNING".equals(instance.path("state").asText()) && "local".equals(instance.path("node")
                        .asText());
            });
        });
        assertEquals("no instance ran twice meanwhile", Set.of(), twice);
        System.out.println("NodeProvisioningIT: " + onNode.size() + " instances moved off " + NODE + ": " + onNode);
        await(NODE + "'s Karaf exits", Duration.ofSeconds(120), () -> karafProcess(nodeDir).isEmpty());
        instances.forEach(i -> assertEquals("one process of " + i, 1, processesNaming(i)));
        instances.forEach(i -> assertEquals("moved ones were started once more, the others not: " + i,
                onNode.contains(i) ? 1 : 0, instance(i).path("restarts").asInt()));

        // silent now, it stays DECOMMISSIONED for longer than down_after_ms (2.5 s): never DOWN, nothing moved from it
        long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        while (System.nanoTime() - until < 0) {
            assertEquals("DECOMMISSIONED", nodeState(NODE));
            Thread.sleep(100); // polling interval: the state is checked all along
        }
        instances.forEach(i -> assertEquals(i, "local", instance(i).path("node").asText()));

        // ---- the local node now runs everything: nowhere to drain it to
        Answer last = call("POST", "/nodes/local/decommission", "admin", null);
        assertEquals(last.toString(), 409, last.status());
        assertTrue(last.body(), last.body().contains("there is nowhere to drain them to"));
        assertEquals("UP", nodeState("local"));

        // ---- provisioned again, by an operator in the platform's shell: ias:node-provision into its old folder
        String shell = karafShell("ias:node-provision --port " + ssh.port() + " --name " + NODE + " 127.0.0.1 "
                + ShellSshServer.USER); // Karaf commands take their options before the arguments
        System.out.println("NodeProvisioningIT: ias:node-provision printed:\n" + shell);
        for (String step : List.of("connect: connected to ias@127.0.0.1:" + ssh.port(), "unpack: ",
                "start: started (", "heartbeat: node p1 is UP", "Node p1 is UP.")) {
            assertTrue(step + " in\n" + shell, shell.contains(step));
        }
        assertEquals("UP", nodeState(NODE));
        assertEquals("the node's Karaf runs again from its folder", 1, karafProcess(nodeDir).size());
    }

    /** Runs a command in the platform's Karaf console over SSH (key authentication as admin); its output. */
    private String karafShell(String command) throws Exception {
        try (SshClient client = SshClient.setUpDefaultClient()) {
            client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE); // our own Karaf on loopback
            client.start();
            try (ClientSession session = client.connect("admin", "127.0.0.1", consolePort).verify(Duration.ofSeconds(30))
                    .getSession()) {
                session.addPublicKeyIdentity(consoleKey);
                session.auth().verify(Duration.ofSeconds(30));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (ChannelExec channel = session.createExecChannel(command)) {
                    channel.setOut(out);
                    channel.setErr(out);
                    channel.open().verify(Duration.ofSeconds(30));
                    channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofMinutes(5));
                }
                return out.toString(StandardCharsets.UTF_8);
            }
        }
    }

    // ---- REST ----

    private String api() {
        return "http://127.0.0.1:" + httpPort + "/ias/api/v1";
    }

    private Answer call(String method, String path, String user, String json) {
        return call(httpPort, method, path, user, json == null ? null : "application/json",
                json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    private JsonNode instance(String id) {
        Answer a = call("GET", "/instances/" + id, "user", null);
        return a.status() == 200 ? a.json() : JSON.createObjectNode();
    }

    private String nodeState(String node) {
        Answer a = call("GET", "/nodes", "user", null);
        if (a.status() != 200) {
            return "";
        }
        return StreamSupport.stream(a.json().path("nodes").spliterator(), false)
                .filter(n -> node.equals(n.path("node_id").asText())).map(n -> n.path("state").asText()).findFirst()
                .orElse("");
    }

    private static List<String> texts(JsonNode array) {
        List<String> result = new ArrayList<>();
        array.forEach(n -> result.add(n.asText()));
        return result;
    }
}
