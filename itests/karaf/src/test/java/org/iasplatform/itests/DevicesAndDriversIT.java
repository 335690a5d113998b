package org.iasplatform.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.iasplatform.sample.simulator.SimulatedDevice;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.Version;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Simulated JSON-lines devices against the platform distribution: readings reach the data topic and the readings API,
 * invalid lines are counted and never passed on, control commands reach the device, the driver reconnects after the
 * device comes back, and a driver bundle dropped into deploy/ takes over its type's instances (and gives them back).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DevicesAndDriversIT extends PlatformTestSupport {

    private static final String TYPES = "bus-management/sensorTypeRegistration.json";

    private String register(SimulatedDevice device, String tag) {
        Answer answer = post("configurator", "/sensor-instances", "{\"sensor_type\":\"" + device.sensorType()
                + "\",\"ip\":\"127.0.0.1\",\"port\":" + device.port() + ",\"itest\":\"" + tag + "\"}");
        assertEquals(answer.toString(), 201, answer.status());
        return answer.json().path("registered").get(0).path("id").asText();
    }

    private JsonNode status(String id) {
        Answer answer = get("user", "/sensor-instances/" + id);
        return answer.status() == 200 ? answer.json().path("status") : JSON.createObjectNode();
    }

    private SimulatedDevice device(String type, int port, long periodMillis) throws IOException {
        SimulatedDevice device = new SimulatedDevice(type, port);
        device.setPeriodMillis(periodMillis);
        device.setLog(line -> { });
        device.start();
        return device;
    }

    @Test
    public void readingsFlowInvalidLinesAreCountedControlArrivesAndTheDriverReconnects() throws Exception {
        awaitHealthy();
        assertEquals(201, post("configurator", "/sensor-types", fixture(TYPES)).status());
        SimulatedDevice light = device("light-sensor", 0, 100);
        int port = light.port();
        String id = register(light, "reconnect");

        await("readings of " + id + " in the readings API", Duration.ofSeconds(60),
                () -> get("user", "/sensor-instances/" + id + "/readings?limit=5").json().size() > 0);
        JsonNode reading = get("user", "/sensor-instances/" + id + "/readings?limit=1").json().get(0);
        assertEquals(id, reading.path("sensor_instance_id").asText());
        assertTrue(reading.toString(), reading.path("data").path("lux").isInt());
        assertTrue(reading.path("timestamp").asLong() > 0);
        assertEquals("CONNECTED", status(id).path("state").asText());
        assertTrue(status(id).toString(), status(id).path("driver").asText().startsWith("org.iasplatform.driver.jsonlines"));

        light.sendRaw("this is not json");
        light.sendRaw("{\"lux\": \"dark\"}");
        light.sendRaw("{\"lux\": 12, \"colour\": \"red\"}");
        light.sendRaw("{\"lux\": \"" + "x".repeat(200_000) + "\"}"); // far over the driver's line limit
        await("4 invalid lines counted", Duration.ofSeconds(30), () -> status(id).path("invalid").asLong() >= 4);
        long afterGarbage = status(id).path("readings").asLong();
        await("readings go on after garbage and an over-long line", Duration.ofSeconds(30),
                () -> status(id).path("readings").asLong() > afterGarbage + 3);
        for (JsonNode r : get("user", "/sensor-instances/" + id + "/readings?limit=200").json()) {
            assertTrue("only valid readings are published: " + r, r.path("data").path("lux").isInt() && r.path("data").size() == 1);
        }

        Answer sent = post("user", "/sensor-instances/" + id + "/control", "{\"function\":\"switchOnLight\",\"params\":{\"level\":3}}");
        assertEquals(sent.toString(), 202, sent.status());
        await("the device received switchOnLight", Duration.ofSeconds(30),
                () -> light.receivedCommands().stream().anyMatch(c -> c.function().equals("switchOnLight")));
        assertEquals(400, post("user", "/sensor-instances/" + id + "/control", "{\"function\":\"explode\",\"params\":{}}").status());
        assertEquals(400, post("user", "/sensor-instances/" + id + "/control", "{\"function\":\"switchOnLight\",\"params\":{\"level\":\"max\"}}").status());

        light.close();
        await("DISCONNECTED after the device went away", Duration.ofSeconds(30),
                () -> "DISCONNECTED".equals(status(id).path("state").asText()));
        long before = status(id).path("readings").asLong();
        SimulatedDevice again = rebind("light-sensor", port);
        try {
            await("reconnected and readings resumed", Duration.ofSeconds(60),
                    () -> "CONNECTED".equals(status(id).path("state").asText()) && status(id).path("readings").asLong() > before + 3);
        } finally {
            again.close();
        }
    }

    @Test
    public void aDriverDroppedIntoDeployTakesOverItsTypeAndGivesItBack() throws Exception {
        awaitHealthy();
        assertEquals(201, post("configurator", "/sensor-types", fixture(TYPES)).status());
        SimulatedDevice light = device("light-sensor", 0, 100);
        SimulatedDevice temp = device("temp-sensor", 0, 100);
        try {
            String lightId = register(light, "hot-deploy");
            String tempId = register(temp, "hot-deploy");
            await("both connected", Duration.ofSeconds(60), () -> "CONNECTED".equals(status(lightId).path("state").asText())
                    && "CONNECTED".equals(status(tempId).path("state").asText()));
            String tempDriver = status(tempId).path("driver").asText();

            Path deploy = Path.of(System.getProperty("karaf.base"), "deploy");
            Path target = deploy.resolve("org.iasplatform.driver.sample.light.jar");
            Path v1 = Path.of(System.getProperty("ias.sample.driver.jar"));
            copyInto(Files.readAllBytes(v1), target);
            await("the sample driver serves light-sensor", Duration.ofSeconds(60),
                    () -> status(lightId).path("driver").asText().startsWith("org.iasplatform.driver.sample.light")
                            && "CONNECTED".equals(status(lightId).path("state").asText()));
            long lightReadings = status(lightId).path("readings").asLong();
            await("readings flow through the sample driver", Duration.ofSeconds(30),
                    () -> status(lightId).path("readings").asLong() > lightReadings + 3);
            assertEquals("the temp-sensor instance kept its driver", tempDriver, status(tempId).path("driver").asText());

            copyInto(withVersion(Files.readAllBytes(v1), "2.0.0"), target);
            await("version 2.0.0 of the sample driver serves light-sensor", Duration.ofSeconds(60),
                    () -> status(lightId).path("driver").asText().endsWith("2.0.0"));
            long samples = java.util.Arrays.stream(bundleContext.getBundles())
                    .filter(b -> "org.iasplatform.driver.sample.light".equals(b.getSymbolicName())).count();
            assertEquals("replaced in place, not installed twice", 1, samples);
            Bundle sample = bundle("org.iasplatform.driver.sample.light");
            assertEquals(Version.parseVersion("2.0.0"), sample.getVersion());
            String log = karafLog();
            assertEquals("the new driver version was activated exactly once", 1,
                    log.split("Sample light-sensor driver 2\\.0\\.0 activated", -1).length - 1);
            assertEquals("the temp-sensor instance was not touched", tempDriver, status(tempId).path("driver").asText());
            assertEquals("CONNECTED", status(tempId).path("state").asText());

            Files.delete(target);
            await("light-sensor back on the built-in driver", Duration.ofSeconds(60),
                    () -> status(lightId).path("driver").asText().startsWith("org.iasplatform.driver.jsonlines")
                            && "CONNECTED".equals(status(lightId).path("state").asText()));
        } finally {
            light.close();
            temp.close();
        }
    }

    /** A device on the port its predecessor just released; the kernel may hold the port a moment longer. */
    private SimulatedDevice rebind(String type, int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return device(type, port, 100);
            } catch (IOException e) {
                if (!(e.getCause() instanceof java.net.BindException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20); // retry interval of a bind, not synchronisation: the bind decides
            }
        }
    }

    private static void copyInto(byte[] jar, Path target) throws IOException {
        Path tmp = Files.createTempFile("driver", ".jar");
        Files.write(tmp, jar);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The same bundle with another Bundle-Version: a "newer release" of the driver. */
    private static byte[] withVersion(byte[] jar, String version) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new java.io.ByteArrayInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().put(new Attributes.Name("Bundle-Version"), version);
            try (JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
                for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                    jarOut.putNextEntry(new JarEntry(entry.getName()));
                    in.transferTo(jarOut);
                    jarOut.closeEntry();
                }
            }
        }
        return out.toByteArray();
    }

}
