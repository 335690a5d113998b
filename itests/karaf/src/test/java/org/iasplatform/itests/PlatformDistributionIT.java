package org.iasplatform.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.bson.Document;
import org.iasplatform.api.infra.InfrastructureEndpoints;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Topics;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The platform distribution as a user meets it: boots with its features on the embedded Kafka broker and Mongo-wire
 * store; sensor types and instances go REST → Kafka → sensor registry → MongoDB with the role checks; bad input is
 * refused with the API's error shape and leaves nothing behind.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PlatformDistributionIT extends PlatformTestSupport {

    @Test
    public void bootsWithEveryBundleActiveOnTheEmbeddedInfrastructure() {
        awaitHealthy();
        for (String bsn : List.of("org.iasplatform.api", "org.iasplatform.infra", "org.iasplatform.messaging",
                "org.iasplatform.store", "org.iasplatform.validation", "org.iasplatform.sensor.registry",
                "org.iasplatform.sensor.manager", "org.iasplatform.driver.jsonlines", "org.iasplatform.manager",
                "org.iasplatform.rest", "org.iasplatform.shell", "org.iasplatform.node")) {
            Bundle bundle = bundle(bsn);
            assertNotNull(bsn + " installed", bundle);
            assertEquals(bsn + " active", Bundle.ACTIVE, bundle.getState());
        }
        InfrastructureEndpoints endpoints = service(InfrastructureEndpoints.class, null, Duration.ofSeconds(10));
        assertTrue("embedded Kafka in use", endpoints.embeddedKafka());
        assertTrue("embedded store in use", endpoints.embeddedMongo());
        JsonNode health = get(null, "/health").json();
        assertEquals("UP", health.path("status").asText());
    }

    @Test
    public void theSeedsTopicsExistFromTheStart() throws Exception {
        awaitHealthy();
        Messaging messaging = service(Messaging.class, null, Duration.ofSeconds(30));
        for (String topic : Topics.ALL) {
            // latest() on a missing topic fails; on an existing empty one it answers an empty list
            assertNotNull(topic, messaging.latest(topic, 1, Duration.ofSeconds(20)));
        }
    }

    @Test
    public void restRequiresAuthenticationAndTheRightRole() {
        awaitHealthy();
        String type = "{\"sensor_type_name\":\"role-check\",\"sensor_data_structure\":{\"v\":\"int\"}}";
        assertEquals(401, get(null, "/sensor-types").status());
        assertEquals(401, call(port(), "GET", "/sensor-types", "nobody", null, null).status());
        assertEquals(403, post("user", "/sensor-types", type).status());
        assertEquals(403, post("developer", "/sensor-types", type).status());
        assertEquals(200, get("user", "/sensor-types").status());
        assertEquals(201, post("configurator", "/sensor-types", type).status());
        assertEquals(403, delete("user", "/sensor-types/role-check").status());
        assertEquals(204, delete("admin", "/sensor-types/role-check").status());
    }

    @Test
    public void sensorTypesGoThroughThePipelineIntoTheStore() throws Exception {
        awaitHealthy();
        long before = topicEnd(Topics.PM_TO_SENSOR_TYPE_REG);
        Answer answer = post("configurator", "/sensor-types", fixture("bus-management/sensorTypeRegistration.json"));
        assertEquals(answer.toString(), 201, answer.status());
        assertEquals(4, answer.json().path("registered").size());
        assertTrue("the request travelled through pm_to_sensor_type_reg", topicEnd(Topics.PM_TO_SENSOR_TYPE_REG) > before);

        Document stored = mongo().getDatabase("sensor_registry").getCollection("sensor_type")
                .find(new Document("sensor_type_name", "light-sensor")).first();
        assertNotNull("light-sensor stored in sensor_registry.sensor_type", stored);
        assertEquals("philips", stored.getString("company"));

        JsonNode light = get("user", "/sensor-types/light-sensor").json();
        assertEquals("switchOnLight", light.path("control_functions").path("function_details").get(0).path("name").asText());
        assertEquals(404, get("user", "/sensor-types/no-such-type").status());

        // the same definition again is harmless; a different one under the same name is a conflict
        assertEquals(201, post("configurator", "/sensor-types", fixture("bus-management/sensorTypeRegistration.json")).status());
        Answer conflict = post("configurator", "/sensor-types",
                "{\"sensor_type_name\":\"light-sensor\",\"sensor_data_structure\":{\"lux\":\"float\"}}");
        assertEquals(conflict.toString(), 409, conflict.status());
        assertTrue(conflict.body(), conflict.json().path("errors").get(0).path("message").asText().contains("different definition"));

        // the three file forms
        assertEquals(201, post("configurator", "/sensor-types", "[{\"sensor_type_name\":\"form-array\",\"sensor_data_structure\":{\"a\":\"bool\"}}]").status());
        assertEquals(201, post("configurator", "/sensor-types", "{\"sensor_type_name\":\"form-single\",\"Sensor_data_structure\":{\"a\":\"string\"}}").status());
    }

    @Test
    public void invalidSensorTypesAreRefusedAndLeaveNothingBehind() throws Exception {
        awaitHealthy();
        long before = topicEnd(Topics.PM_TO_SENSOR_TYPE_REG);
        Answer bad = post("configurator", "/sensor-types", fixture("invalid/sensor-type-empty-name-unknown-field-type.json"));
        assertEquals(bad.toString(), 400, bad.status());
        List<String> paths = new ArrayList<>();
        bad.json().path("errors").forEach(e -> paths.add(e.path("path").asText()));
        assertTrue(bad.body(), paths.contains("/sensor_type_name"));
        assertTrue(bad.body(), paths.contains("/sensor_data_structure/x"));
        assertTrue(bad.body(), bad.body().contains("complex"));

        Answer malformed = post("configurator", "/sensor-types", "{\"sensor_type_name\": ");
        assertEquals(malformed.toString(), 400, malformed.status());
        assertTrue(malformed.body(), malformed.json().path("errors").isArray());

        Answer wrongType = post("configurator", "/sensor-types", "{\"sensor_type_name\": 5, \"sensor_data_structure\": []}");
        assertEquals(wrongType.toString(), 400, wrongType.status());

        byte[] huge = new byte[2 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        Answer tooLarge = call(port(), "POST", "/sensor-types", "configurator", "application/json", huge);
        assertEquals(tooLarge.toString(), 413, tooLarge.status());

        assertEquals("nothing published for refused input", before, topicEnd(Topics.PM_TO_SENSOR_TYPE_REG));
        assertNull(mongo().getDatabase("sensor_registry").getCollection("sensor_type").find(new Document("_id", "")).first());
        assertEquals("still serving", 200, get("user", "/sensor-types").status());
    }

    @Test
    public void sensorInstancesAreRegisteredWithTagsTopicsAndFilters() throws Exception {
        awaitHealthy();
        assertEquals(201, post("configurator", "/sensor-types", fixture("bus-management/sensorTypeRegistration.json")).status());
        long before = topicEnd(Topics.PM_TO_SENSOR_INS_REG);
        Answer unregistered = post("configurator", "/sensor-instances", fixture("invalid/sensor-instance-unregistered-type.json"));
        assertEquals(unregistered.toString(), 422, unregistered.status());
        assertEquals("/sensor_type", unregistered.json().path("errors").get(0).path("path").asText());
        Answer badAddress = post("configurator", "/sensor-instances", fixture("invalid/sensor-instance-bad-address.json"));
        assertEquals(badAddress.toString(), 400, badAddress.status());
        assertTrue(badAddress.body(), badAddress.body().contains("/ip") && badAddress.body().contains("/port"));
        assertEquals("nothing published for refused instances", before, topicEnd(Topics.PM_TO_SENSOR_INS_REG));

        Answer registered = post("configurator", "/sensor-instances", fixture("bus-management/sensorInstance.json"));
        assertEquals(registered.toString(), 201, registered.status());
        JsonNode list = registered.json().path("registered");
        assertEquals(5, list.size());
        for (JsonNode instance : list) {
            assertTrue(instance.path("id").asText().startsWith("si-"));
            assertEquals(Topics.dataTopic(instance.path("id").asText()), instance.path("data_topic").asText());
        }
        // registering the same devices again gives the same ids
        assertEquals(list, post("configurator", "/sensor-instances", fixture("bus-management/sensorInstance.json")).json().path("registered"));

        Document gps = mongo().getDatabase("sensor_registry").getCollection("sensor_instance")
                .find(new Document("sensor_type", "gps-sensor").append("placeholder", "admin")).first();
        assertNotNull("stored with its free tags", gps);
        assertEquals("1", gps.getString("admin-id"));

        JsonNode bus1 = get("user", "/sensor-instances?sensor_type=gps-sensor&bus-id=1").json();
        assertEquals(bus1.toString(), 1, bus1.size());
        assertEquals("bus", bus1.get(0).path("placeholder").asText());
        assertEquals(4, get("user", "/sensor-instances?bus-id=1").json().size());

        Messaging messaging = service(Messaging.class, null, Duration.ofSeconds(10));
        String id = bus1.get(0).path("id").asText();
        assertNotNull(messaging.latest(Topics.dataTopic(id), 1, Duration.ofSeconds(20)));
        assertNotNull(messaging.latest(Topics.controlTopic(id), 1, Duration.ofSeconds(20)));

        Answer inUse = delete("configurator", "/sensor-types/gps-sensor");
        assertEquals(inUse.toString(), 409, inUse.status());
    }

    @Test
    public void deletingAnInstanceThenItsType() {
        awaitHealthy();
        assertEquals(201, post("configurator", "/sensor-types", "{\"sensor_type_name\":\"short-lived\",\"sensor_data_structure\":{\"v\":\"int\"}}").status());
        Answer created = post("configurator", "/sensor-instances", "{\"sensor_type\":\"short-lived\",\"ip\":\"127.0.0.1\",\"port\":\"9\",\"room\":\"7\"}");
        assertEquals(created.toString(), 201, created.status());
        String id = created.json().path("registered").get(0).path("id").asText();
        assertEquals(409, delete("configurator", "/sensor-types/short-lived").status());
        assertEquals(204, delete("configurator", "/sensor-instances/" + id).status());
        assertEquals(404, get("user", "/sensor-instances/" + id).status());
        assertEquals(404, delete("configurator", "/sensor-instances/" + id).status());
        assertEquals(204, delete("configurator", "/sensor-types/short-lived").status());
        assertEquals(404, get("user", "/sensor-types/short-lived").status());
    }

    @Test
    public void aValidatorBundleInstalledAtRuntimeAddsItsRule() throws Exception {
        awaitHealthy();
        String noCompany = "{\"sensor_type_name\":\"%s\",\"sensor_data_structure\":{\"v\":\"int\"}}";
        assertEquals(201, post("configurator", "/sensor-types", String.format(noCompany, "before-policy")).status());
        Bundle policy = bundleContext.installBundle("mvn:org.iasplatform/org.iasplatform.itest.validator/" + VERSION);
        try {
            policy.start();
            await("the site policy validator applies", Duration.ofSeconds(30),
                    () -> post("configurator", "/sensor-types", String.format(noCompany, "under-policy")).status() == 400);
            Answer refused = post("configurator", "/sensor-types", String.format(noCompany, "under-policy"));
            assertEquals("/company", refused.json().path("errors").get(0).path("path").asText());
            assertTrue(refused.body(), refused.body().contains("site's policy"));
        } finally {
            policy.uninstall();
        }
        await("the rule is gone with its bundle", Duration.ofSeconds(30),
                () -> post("configurator", "/sensor-types", String.format(noCompany, "after-policy")).status() == 201);
    }

    @Test
    public void shellCommandsListAndRegister() throws Exception {
        awaitHealthy();
        Path file = Files.createTempFile("types", ".json");
        Files.writeString(file, "{\"sensor_type_name\":\"shell-type\",\"sensor_data_structure\":{\"t\":\"float\"}}");
        // the shell registers a command once the services it references are there
        await("the ias: commands are registered", Duration.ofSeconds(60), () -> !shell("ias:sensor-types").contains("CommandNotFound"));
        String out = shell("ias:register-sensor-types " + file);
        assertTrue(out, out.contains("shell-type"));
        String list = shell("ias:sensor-types");
        assertTrue(list, list.contains("shell-type"));
        Path bad = Files.createTempFile("bad", ".json");
        Files.writeString(bad, fixture("invalid/sensor-type-empty-name-unknown-field-type.json"));
        String refused = shell("ias:register-sensor-types " + bad);
        assertTrue(refused, refused.contains("/sensor_data_structure/x"));
        assertFalse(refused, refused.contains("Exception"));
        assertTrue(get("user", "/sensor-types").body().contains("shell-type"));
    }

    @Test
    public void aRegistrationFileCanBeUploadedAsMultipart() {
        awaitHealthy();
        String boundary = "ias-itest-boundary";
        String body = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"sensorTypeRegistration.json\"\r\n"
                + "Content-Type: application/json\r\n\r\n"
                + "{\"sensor_type_name\":\"multipart-type\",\"sensor_data_structure\":{\"v\":\"int\"}}\r\n"
                + "--" + boundary + "--\r\n";
        Answer answer = call(port(), "POST", "/sensor-types", "configurator", "multipart/form-data; boundary=" + boundary,
                body.getBytes(StandardCharsets.UTF_8));
        assertEquals(answer.toString(), 201, answer.status());
        assertEquals("multipart-type", answer.json().path("registered").get(0).asText());
        assertEquals(200, get("user", "/sensor-types/multipart-type").status());
    }

    @Test
    public void theLocalNodeSendsHeartbeats() {
        awaitHealthy();
        Messaging messaging = service(Messaging.class, null, Duration.ofSeconds(30));
        await("a recent heartbeat of the local node on node_heartbeats", Duration.ofSeconds(30), () -> {
            try {
                for (Message m : messaging.latest(Topics.NODE_HEARTBEATS, 5, Duration.ofSeconds(10))) {
                    JsonNode beat = JSON.readTree(m.value());
                    if ("local".equals(beat.path("node_id").asText()) && "local".equals(m.key())
                            && beat.path("timestamp").asLong() > System.currentTimeMillis() - 30_000
                            && beat.has("cpu") && beat.has("mem")) {
                        return true;
                    }
                }
                return false;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    public void demoPasswordsBeyondLoopbackAreFlaggedLoudly() {
        awaitHealthy();
        // the distribution listens on 0.0.0.0 and ships the demo users: the warning must be in the log
        await("the demo-password warning in the log", Duration.ofSeconds(30), () -> karafLog().contains("SECURITY WARNING"));
        String log = karafLog();
        String warning = log.substring(log.indexOf("SECURITY WARNING"));
        assertTrue(warning, warning.contains("admin") && warning.contains("etc/users.properties"));
    }
}
