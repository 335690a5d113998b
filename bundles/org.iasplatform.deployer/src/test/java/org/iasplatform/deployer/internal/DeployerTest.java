package org.iasplatform.deployer.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.iasplatform.api.app.AlgorithmDescriptor;
import org.iasplatform.api.app.AppVersion;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.ControlFunction;
import org.iasplatform.api.sensor.ControlFunctions;
import org.iasplatform.api.sensor.FieldType;
import org.iasplatform.api.sensor.SensorType;
import org.iasplatform.testsupport.RecordingMessaging;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The deployer's handling of {@code scheduler_to_deployer}. */
public class DeployerTest {
    private static final long NOW = Instant.parse("2024-05-01T10:00:00Z").toEpochMilli();

    private final ObjectMapper mapper = new ObjectMapper();
    private final AtomicLong offsets = new AtomicLong();
    private FakeAppRepository apps;
    private MapSensorRegistry registry;
    private RecordingMessaging messaging;
    private Deployer deployer;

    private static final SensorType LIGHT = new SensorType("light-sensor", "philips", Map.of("lux", FieldType.INT),
            new ControlFunctions(1, List.of(new ControlFunction("switch", 1, List.of(Map.of("on", FieldType.BOOL))))));
    private static final SensorType GPS = new SensorType("gps-sensor", "samsung",
            Map.of("x", FieldType.FLOAT, "y", FieldType.FLOAT), ControlFunctions.NONE);

    @Before
    public void setUp() {
        apps = new FakeAppRepository();
        registry = new MapSensorRegistry();
        registry.types.put(LIGHT.name(), LIGHT);
        registry.types.put(GPS.name(), GPS);
        messaging = new RecordingMessaging();
        deployer = new Deployer(apps, registry, messaging, mapper, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
    }

    private static AppVersion version(String id, int version, String root, AlgorithmDescriptor... algorithms) {
        return new AppVersion(id, "Bus_management", version, "869", "dev", Instant.ofEpochMilli(NOW), 1234, "00",
                "pkg-" + version, root, false, List.of(algorithms), null);
    }

    private ObjectNode start(ObjectNode app) {
        ObjectNode m = mapper.createObjectNode();
        m.put("op", "start").put("run_id", "job-1:1").put("trigger", "scheduled").put("job_id", "job-1")
                .put("instance_id", "inst-1");
        ObjectNode deploy = m.putObject("deploy");
        deploy.put("application_name", "Bus_management").put("algorithm_name", "lightControl");
        deploy.putArray("script_name").add("lightControl.py");
        deploy.putArray("sensor_info");
        deploy.putObject("scheduling_info").put("request_type", "start");
        deploy.putObject("environment").put("lang", "python");
        m.set("app", app);
        m.putArray("sensors")
                .add(sensor(0, "si-light", "light-sensor"))
                .add(sensor(1, "si-gps-1", "gps-sensor"))
                .add(sensor(2, "si-gps-2", "gps-sensor"));
        m.put("window_end", "2024-05-01T12:00:00Z");
        return m;
    }

    private ObjectNode sensor(int index, String id, String type) {
        return mapper.createObjectNode().put("index", index).put("sensor_instance_id", id).put("sensor_type", type)
                .put("data_topic", Topics.dataTopic(id)).put("control_topic", Topics.controlTopic(id));
    }

    private ObjectNode app(String id, int version) {
        return mapper.createObjectNode().put("application_id", id).put("version", version).put("package_id", "pkg-" + version)
                .put("root", "Bus_management/").put("script", "lightControl.py").put("runtime", "process");
    }

    private void handle(ObjectNode m) throws Exception {
        deployer.handle(new Message(Topics.SCHEDULER_TO_DEPLOYER, m.path("instance_id").asText(), m.toString(), NOW, 0,
                offsets.getAndIncrement()));
    }

    private JsonNode only(String topic) throws Exception {
        List<RecordingMessaging.Published> published = messaging.published(topic);
        assertEquals("published to " + topic + ": " + messaging.published(), 1, published.size());
        assertEquals("keyed by instance id", "inst-1", published.get(0).key());
        return mapper.readTree(published.get(0).value());
    }

    @Test
    public void aStartGetsItsLaunchAndTheTypesOfItsBoundSensors() throws Exception {
        apps.versions.add(version("2", 1, "Bus_management/",
                new AlgorithmDescriptor("lightControl", "lightControl.py", "process", List.of("light-sensor"))));
        ObjectNode start = start(app("2", 1));

        handle(start);

        JsonNode out = only(Topics.DEPLOYER_TO_SLC);
        JsonNode launch = out.path("launch");
        assertEquals("process", launch.path("runtime").asText());
        assertEquals("2", launch.path("application_id").asText());
        assertEquals(1, launch.path("version").asInt());
        assertEquals("pkg-1", launch.path("package_id").asText());
        assertEquals("Bus_management/", launch.path("root").asText());
        assertEquals("Bus_management/lightControl.py", launch.path("entry").asText());
        assertEquals("python", launch.path("lang").asText());

        JsonNode types = out.path("sensor_types");
        assertEquals(List.of("light-sensor", "gps-sensor"), List.copyOf(iterable(types.fieldNames())));
        assertEquals(LIGHT, mapper.treeToValue(types.path("light-sensor"), SensorType.class));
        assertEquals(GPS, mapper.treeToValue(types.path("gps-sensor"), SensorType.class));

        ObjectNode scheduler = start.deepCopy();
        ObjectNode withoutAdditions = ((ObjectNode) out).deepCopy();
        withoutAdditions.remove(List.of("launch", "sensor_types"));
        assertEquals("the scheduler's message is passed on whole", scheduler, withoutAdditions);
        assertTrue(messaging.published(Topics.INSTANCE_EVENTS).isEmpty());
    }

    @Test
    public void whatTheRunDoesNotSayComesFromTheStoredVersionAndItsAlgorithm() throws Exception {
        apps.versions.add(version("2", 1, "", new AlgorithmDescriptor("lightControl", "algo/light.jar", "bundle", List.of())));
        apps.versions.add(version("2", 2, "top", new AlgorithmDescriptor("lightControl", "algo/light.jar", "bundle", List.of())));
        ObjectNode start = start(mapper.createObjectNode().put("application_id", "2").put("version", 2));
        ((ObjectNode) start.path("deploy")).remove("environment");

        handle(start);

        JsonNode launch = only(Topics.DEPLOYER_TO_SLC).path("launch");
        assertEquals("bundle", launch.path("runtime").asText());
        assertEquals(2, launch.path("version").asInt());
        assertEquals("pkg-2", launch.path("package_id").asText());
        assertEquals("top/", launch.path("root").asText());
        assertEquals("top/algo/light.jar", launch.path("entry").asText());
        assertEquals("no environment: no language", "", launch.path("lang").asText());
    }

    @Test
    public void aVersionNoLongerInTheRepositoryFailsTheInstanceWithAClearReason() throws Exception {
        apps.versions.add(version("2", 1, ""));

        handle(start(app("2", 3)));

        assertTrue("nothing for server-lifecycle", messaging.published(Topics.DEPLOYER_TO_SLC).isEmpty());
        JsonNode event = only(Topics.INSTANCE_EVENTS);
        assertEquals("inst-1", event.path("instance_id").asText());
        assertEquals("job-1", event.path("job_id").asText());
        assertEquals("job-1:1", event.path("run_id").asText());
        assertEquals("FAILED", event.path("state").asText());
        assertTrue(event.path("node").isNull());
        assertTrue(event.path("generation").isNull());
        assertTrue(event.path("exit_code").isNull());
        assertEquals(NOW, event.path("timestamp").asLong());
        assertEquals("deployer", event.path("source").asText());
        String reason = event.path("reason").asText();
        assertTrue(reason, reason.contains("application 2 version 3 is no longer in the app repository"));
        assertTrue(reason, reason.contains("upload the app again"));
    }

    @Test
    public void aBoundSensorsTypeThatIsNoLongerRegisteredFailsTheInstance() throws Exception {
        apps.versions.add(version("2", 1, ""));
        registry.types.remove("gps-sensor");

        handle(start(app("2", 1)));

        assertTrue(messaging.published(Topics.DEPLOYER_TO_SLC).isEmpty());
        String reason = only(Topics.INSTANCE_EVENTS).path("reason").asText();
        assertTrue(reason, reason.contains("sensor type \"gps-sensor\" of bound sensor 1 is no longer registered"));
    }

    @Test
    public void aStopIsPassedOnUnchanged() throws Exception {
        String stop = "{\"op\":\"stop\",\"run_id\":\"job-1:1\",\"reason\":\"end_time\",\"job_id\":\"job-1\","
                + "\"instance_id\":\"inst-1\"}";
        deployer.handle(new Message(Topics.SCHEDULER_TO_DEPLOYER, "inst-1", stop, NOW, 0, 0));

        assertEquals(List.of(new RecordingMessaging.Published(Topics.DEPLOYER_TO_SLC, "inst-1", stop)), messaging.published());
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> list = new java.util.ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }
}
