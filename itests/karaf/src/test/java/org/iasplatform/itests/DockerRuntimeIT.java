package org.iasplatform.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.iasplatform.sample.simulator.SimulatedDevice;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The docker runtime end to end on a real Docker engine (scripts/docker-test-engine: Debian's dockerd on its own socket,
 * a busybox base image made locally, no registry): the platform's local node offers {@code docker} once the engine
 * answers; an app whose algorithm is a busybox shell script with {@code "runtime": "docker"} is deployed; the node builds
 * its image and runs it as a container, the script reads its light sensor's readings over the algorithm API (SSE, Bearer
 * token) and switches the simulated device's light on; {@code docker kill} (exit 137) is a crash, restarted as a new
 * generation in a new container; a stop removes the container; an engine that goes away withdraws {@code docker} from
 * the node's heartbeats.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DockerRuntimeIT extends PlatformTestSupport {

    private static final Duration START = Duration.ofSeconds(90);
    private static final String LABEL_INSTANCE = "org.iasplatform.instance";
    private static final String LABEL_GENERATION = "org.iasplatform.generation";

    private final List<SimulatedDevice> devices = new ArrayList<>();

    /** The test engine script, from itests/karaf's pom. */
    private static String script() {
        String script = System.getProperty("ias.docker.engine.script");
        if (script == null || !Files.isRegularFile(Path.of(script))) {
            throw new IllegalStateException("the test engine script (system property ias.docker.engine.script, set by "
                    + "itests/karaf's pom) is missing: " + script);
        }
        return script;
    }

    /** The engine's own folder: short (it holds a unix socket), one per checkout. */
    private static String engineDir() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(script().getBytes(StandardCharsets.UTF_8));
            return "/tmp/ias-docker-it-" + HexFormat.of().formatHex(digest).substring(0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The local node's docker runtime uses the test engine (started by the test itself). */
    @Override
    protected String dockerHost() {
        return "unix://" + engineDir() + "/docker.sock";
    }

    @Override
    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>(List.of(super.config()));
        String cfg = "etc/org.iasplatform.runtime.docker.cfg";
        options.add(editConfigurationFilePut(cfg, "base_image", "ias/busybox-base:test"));
        options.add(editConfigurationFilePut(cfg, "engine_check_ms", "300"));
        options.add(systemProperty("ias.docker.engine.script").value(script()));
        options.add(systemProperty("ias.docker.engine.dir").value(engineDir()));
        return options.toArray(new Option[0]);
    }

    @After
    public void cleanUp() {
        devices.forEach(SimulatedDevice::close);
        engine("stop");
    }

    @Test
    public void aShellAlgorithmRunsInAContainerControlsTheLightIsRestartedAfterDockerKillAndStopRemovesIt()
            throws Exception {
        awaitHealthy();
        engine("start");
        await("the local node offers the docker runtime", Duration.ofSeconds(30), () -> runtimesOfLocal().contains("docker"));

        assertEquals(201, post("configurator", "/sensor-types", fixture("bus-management/sensorTypeRegistration.json")).status());
        SimulatedDevice light = new SimulatedDevice("light-sensor", 0, Map.of("bus-id", "docker"));
        light.setPeriodMillis(100);
        light.setLog(line -> { });
        light.start();
        devices.add(light);
        ObjectNode instance = JSON.createObjectNode().put("sensor_type", "light-sensor").put("ip", "127.0.0.1")
                .put("port", light.port()).put("bus-id", "docker");
        assertEquals(201, post("configurator", "/sensor-instances", instance.toString()).status());

        Answer uploaded = upload("developer", "/apps", "docker-light.zip", zip("appConfig.json", "dockerLight.sh"));
        assertEquals(uploaded.toString(), 201, uploaded.status());
        Answer deployed = post("configurator", "/deployments", "{\"noOfAlgo\":1,\"1\":{\"application_name\":\"Docker_light\","
                + "\"algorithm_name\":\"dockerLight\",\"script_name\":[\"dockerLight.sh\"],"
                + "\"sensor_info\":[{\"sensor_type\":\"light-sensor\",\"filter_sensors\":[{\"bus-id\":\"docker\"}]}],"
                + "\"scheduling_info\":{\"request_type\":\"start\",\"start_time\":\"\",\"end_time\":\"\",\"days\":\"\","
                + "\"repeat\":\"no\",\"interval\":\"\"},\"environment\":{\"lang\":\"sh\",\"dependencies\":[]},"
                + "\"restart_policy\":{\"max_failures\":5,\"window_seconds\":300,\"backoff_initial_ms\":200,"
                + "\"backoff_max_ms\":1000}}}");
        assertEquals(deployed.toString(), 202, deployed.status());
        JsonNode deployment = deployed.json().path("deployments").get(0);
        String id = deployment.path("instance_id").asText();
        String job = deployment.path("job_id").asText();

        awaitState(id, "RUNNING");
        JsonNode running = get("user", "/instances/" + id).json();
        assertEquals("docker", running.path("runtime").asText());
        assertEquals("local", running.path("node").asText());
        List<String> containers = containersOf(id);
        assertEquals("one container of the instance: " + containers, 1, containers.size());
        String[] first = containers.get(0).split(" ");
        assertTrue("the image built for the app's algorithm: " + containers, first[1].startsWith("ias/docker-light-dockerlight:"));
        assertEquals("running", first[3]);
        assertTrue(engine("docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}").contains(first[1]));

        await("the container's script switched the light on (readings read, control sent)", START,
                () -> light.receivedCommands().stream().anyMatch(c -> c.function().equals("switchOnLight")));
        await("its lines in the instance's log", Duration.ofSeconds(30), () -> {
            String log = logText(id);
            return log.contains("switched the light on at lux") && log.contains("[platform] building image ias/docker-light-dockerlight:");
        });
        assertTrue(logText(id), logText(id).contains("follows http://127.0.0.1:" + port() + "/ias/api/v1/algorithm-instances/" + id));

        // docker kill: exit 137, a crash: restarted (a new generation, a new container); the killed one is removed
        engine("docker", "kill", first[0]);
        await("restarted after the kill, RUNNING again in a new container", START, () -> {
            JsonNode i = get("user", "/instances/" + id).json();
            List<String> now = containersOf(id);
            return i.path("restarts").asInt() >= 1 && "RUNNING".equals(i.path("state").asText()) && now.size() == 1
                    && !now.get(0).startsWith(first[0]) && now.get(0).endsWith(" running");
        });
        String[] second = containersOf(id).get(0).split(" ");
        assertTrue("a newer generation: " + String.join(" ", second), Long.parseLong(second[2]) > Long.parseLong(first[2]));
        assertEquals("the image is reused", first[1], second[1]);
        assertTrue(logText(id), logText(id).contains("137"));

        // stop: STOPPED, and no container of the instance is left
        Answer stop = delete("configurator", "/deployments/" + job);
        assertTrue(stop.toString(), stop.status() == 200 || stop.status() == 202 || stop.status() == 204);
        awaitState(id, "STOPPED");
        await("no container of the instance is left", Duration.ofSeconds(30), () -> containersOf(id).isEmpty());

        // the engine goes away: the node stops offering docker
        engine("stop");
        await("docker withdrawn from the local node's runtimes", Duration.ofSeconds(30),
                () -> !runtimesOfLocal().contains("docker") && runtimesOfLocal().contains("process"));
    }

    // ---- helpers ----

    /** Runs scripts/docker-test-engine ACTION (start, stop, docker ARGS...) on this test's engine; returns its output. */
    private static String engine(String action, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", System.getProperty("ias.docker.engine.script"), action,
                System.getProperty("ias.docker.engine.dir")));
        if (args.length > 0) {
            command.add("--");
            command.addAll(List.of(args));
        }
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                fail("scripts/docker-test-engine " + String.join(" ", command.subList(2, command.size())) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("scripts/docker-test-engine could not be run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The instance's containers on the engine: "id image generation state" each. */
    private static List<String> containersOf(String instanceId) {
        String out = engine("docker", "ps", "-a", "--no-trunc", "--filter", "label=" + LABEL_INSTANCE + "=" + instanceId,
                "--format", "{{.ID}} {{.Image}} {{.Label \"" + LABEL_GENERATION + "\"}} {{.State}}");
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    private String runtimesOfLocal() {
        for (JsonNode node : get("user", "/nodes").json().path("nodes")) {
            if ("local".equals(node.path("node_id").asText()) && "UP".equals(node.path("state").asText())) {
                return node.path("runtimes").toString();
            }
        }
        return "";
    }

    private static byte[] zip(String... fixtures) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (String name : fixtures) {
                zip.putNextEntry(new ZipEntry(name));
                zip.write(fixture("docker-light/" + name).getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private void awaitState(String instance, String state) {
        await(instance + " " + state, START, () -> {
            Answer a = get("user", "/instances/" + instance);
            if (a.status() == 200 && "FAILED".equals(a.json().path("state").asText())) {
                throw new AssertionError(instance + " FAILED: " + a.body() + "\nlog: " + logText(instance));
            }
            return a.status() == 200 && state.equals(a.json().path("state").asText());
        });
    }

    private String logText(String instance) {
        return get("developer", "/instances/" + instance + "/logs?tail=500").body();
    }
}
