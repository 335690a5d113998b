package org.iasplatform.runtime.bundle.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.algorithm.SensorHandle;
import org.iasplatform.api.deploy.BoundSensor;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.node.InstanceLaunch;
import org.iasplatform.api.sensor.ControlFunction;
import org.iasplatform.api.sensor.ControlFunctions;
import org.iasplatform.api.sensor.FieldType;
import org.iasplatform.api.sensor.Reading;
import org.iasplatform.api.sensor.SensorType;
import org.iasplatform.testsupport.RecordingMessaging;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The algorithm context on a recording messaging: control checks, notifications, feed, readings, stop. */
public class InstanceContextTest {
    private final RecordingMessaging messaging = new RecordingMessaging();
    private final RecordingListener listener = new RecordingListener();
    private final InstanceContext context = new InstanceContext(launch(), messaging, listener,
            new Settings(Duration.ofSeconds(1), Duration.ofSeconds(2), 20), new ObjectMapper());

    private static InstanceLaunch launch() {
        SensorType light = new SensorType("light-sensor", "acme", Map.of("lux", FieldType.INT), new ControlFunctions(1,
                List.of(new ControlFunction("switchOnLight", 1, List.of(Map.of("level", FieldType.INT))))));
        return new InstanceLaunch("i1", "job-1", "Bus management", "lightControl", Path.of("/tmp"), "a.jar", "",
                Map.of(), List.of(
                        new BoundSensor(1, "si-gps", "gps-sensor", "sensor_data_si-gps", "sensor_control_si-gps"),
                        new BoundSensor(0, "si-light", "light-sensor", "sensor_data_si-light", "sensor_control_si-light")),
                Map.of("light-sensor", light));
    }

    @Test
    public void sensorsAreInTheOrderOfSensorInfoAndAnUnboundIndexIsNotFound() throws Exception {
        assertEquals(List.of("si-light", "si-gps"),
                context.sensors().stream().map(s -> s.binding().sensorInstanceId()).toList());
        assertEquals("si-gps", context.sensor(1).binding().sensorInstanceId());
        try {
            context.sensor(2);
            fail();
        } catch (IasException e) {
            assertEquals(ErrorKind.NOT_FOUND, e.kind());
            assertEquals("/sensors/2", e.errors().get(0).path());
        }
        assertEquals("i1", context.instanceId());
        assertEquals("Bus management", context.applicationName());
        assertEquals("lightControl", context.algorithmName());
    }

    @Test
    public void controlIsCheckedAgainstTheSensorTypeThenSent() throws Exception {
        SensorHandle light = context.sensor(0);
        invalid(() -> light.control("explode", Map.of()), "/function");
        invalid(() -> light.control("switchOnLight", Map.of("level", "high")), "/params/level");
        invalid(() -> light.control("switchOnLight", Map.of()), "/params/level");
        invalid(() -> light.control("switchOnLight", Map.of("level", 1, "colour", "red")), "/params/colour");
        assertTrue("nothing invalid was sent", messaging.published().isEmpty());
        try {
            context.sensor(1).control("anything", Map.of());
            fail();
        } catch (IasException e) {
            assertEquals(ErrorKind.UNPROCESSABLE, e.kind());
        }

        light.control("switchOnLight", Map.of("level", 2));
        RecordingMessaging.Published sent = messaging.published("sensor_control_si-light").get(0);
        assertEquals("si-light", sent.key());
        assertEquals("{\"function\":\"switchOnLight\",\"params\":{\"level\":2}}", sent.value());
    }

    @Test
    public void notificationsAndFeedDataArePublishedInTheDocumentedForm() throws Exception {
        context.notify("admin", "bus 7 is late");
        JsonNode n = messaging.published(Topics.NOTIFICATIONS).get(0).json();
        assertEquals("i1", messaging.published(Topics.NOTIFICATIONS).get(0).key());
        assertEquals("admin", n.path("to").asText());
        assertEquals("bus 7 is late", n.path("message").asText());
        assertEquals("i1", n.path("instance_id").asText());
        assertEquals("Bus management", n.path("application_name").asText());
        assertEquals("lightControl", n.path("algorithm_name").asText());
        assertTrue(n.path("timestamp").asLong() > 0);
        invalid(() -> context.notify(" ", "x"), "/to");

        context.publishFeed(Map.of("fare", 12.5));
        RecordingMessaging.Published feed = messaging.published(Topics.appFeed("Bus management")).get(0);
        assertEquals("app_feed_Bus_management", feed.topic());
        assertEquals(12.5, feed.json().path("data").path("fare").asDouble(), 0);
        assertEquals("lightControl", feed.json().path("algorithm_name").asText());
        assertTrue(messaging.ensured().contains("app_feed_Bus_management"));

        messaging.failPublishing(new IllegalStateException("broker down"));
        try {
            context.publishFeed(Map.of("x", 1));
            fail();
        } catch (IasException e) {
            assertEquals(ErrorKind.UNAVAILABLE, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("broker down"));
        }
    }

    @Test
    public void readingsAreFollowedUntilClosedOrStopped() throws Exception {
        List<Reading> got = new CopyOnWriteArrayList<>();
        AutoCloseable first = context.sensor(0).subscribe(got::add);
        context.sensor(0).subscribe(r -> {
            throw new IllegalStateException("handler bug");
        });
        assertEquals(2, messaging.openSubscriptions("sensor_data_si-light"));

        messaging.deliver("sensor_data_si-light", "si-light",
                "{\"sensor_instance_id\":\"si-light\",\"timestamp\":5,\"data\":{\"lux\":33}}");
        assertEquals(List.of(new Reading("si-light", 5, Map.of("lux", 33))), got);
        assertTrue(listener.hasPrefix("stderr:the reading handler of sensor si-light failed"));
        messaging.deliver("sensor_data_si-light", "si-light", "not json");
        assertEquals(1, got.size());
        assertTrue(listener.hasPrefix("log:[platform] dropped a reading of sensor si-light"));

        first.close();
        assertEquals(1, messaging.openSubscriptions("sensor_data_si-light"));
        assertFalse(context.isStopped());
        context.markStopped();
        assertTrue(context.isStopped());
        context.awaitStop(); // returns at once
        assertEquals(0, messaging.openSubscriptions("sensor_data_si-light"));
        assertEquals(0, context.openSubscriptions());
        try {
            context.sensor(0).subscribe(got::add);
            fail();
        } catch (IasException e) {
            assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        }
    }

    @Test
    public void logLinesAreSplitAndCut() {
        context.log("one\ntwo\r\n" + "x".repeat(30));
        assertEquals(List.of("log:one", "log:two", "log:" + "x".repeat(20) + " …[line cut]"), listener.lines);
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void invalid(Call call, String path) throws Exception {
        try {
            call.run();
            fail("accepted; expected INVALID at " + path);
        } catch (IasException e) {
            assertEquals(ErrorKind.INVALID, e.kind());
            assertTrue(e.errors().toString(), e.errors().stream().anyMatch(err -> err.path().equals(path)));
        }
    }
}
