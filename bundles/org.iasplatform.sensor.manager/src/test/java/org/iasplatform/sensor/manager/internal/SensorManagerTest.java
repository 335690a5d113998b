package org.iasplatform.sensor.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.ConnectionState;
import org.iasplatform.api.sensor.ControlCommand;
import org.iasplatform.api.sensor.ControlFunctions;
import org.iasplatform.api.sensor.FieldType;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorStatus;
import org.iasplatform.api.sensor.SensorType;
import org.iasplatform.sensor.manager.internal.FakeDriver.FakeConnection;
import org.iasplatform.testsupport.RecordingMessaging;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

public class SensorManagerTest {
    private static final SensorType GPS = new SensorType("gps-sensor", "samsung",
            Map.of("placeholder", FieldType.STRING, "x", FieldType.FLOAT, "y", FieldType.FLOAT), ControlFunctions.NONE);
    private static final SensorType LIGHT = new SensorType("light-sensor", "philips", Map.of("lux", FieldType.INT), null);
    private static final SensorInstance GPS_BUS = instance("si-gps", "gps-sensor", 8766);
    private static final SensorInstance LIGHT_1 = instance("si-light", "light-sensor", 8769);

    private final ObjectMapper mapper = new ObjectMapper();
    private final RecordingMessaging messaging = new RecordingMessaging();
    private final FakeRegistry registry = new FakeRegistry();
    private final FakeDriver jsonLines = new FakeDriver("jsonlines");
    private SensorManager manager;

    private static SensorInstance instance(String id, String type, int port) {
        return new SensorInstance(id, type, "127.0.0.1", port, null, Map.of("bus-id", "1"), Topics.dataTopic(id),
                Topics.controlTopic(id));
    }

    private static DriverEntry entry(FakeDriver driver, long serviceId, int ranking, String... types) {
        return new DriverEntry(driver, serviceId, ranking, Set.of(types), driver.name + " 1.0." + serviceId);
    }

    @Before
    public void setUp() {
        registry.types.put("gps-sensor", GPS);
        registry.types.put("light-sensor", LIGHT);
        registry.instances.add(GPS_BUS);
        registry.instances.add(LIGHT_1);
        manager = new SensorManager(messaging, registry);
    }

    @After
    public void tearDown() {
        manager.stop();
    }

    private void start() {
        manager.driverAdded(entry(jsonLines, 10, -100, "*"));
        manager.start(new SensorManager.Settings("test-control", 60_000));
        await("manager started", manager::isStarted);
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
        }
    }

    /** The subscribe and follow calls made, as {@code follow [topics]} or {@code subscribe group topics}. */
    private List<String> calls() {
        return messaging.subscriptions().stream().map(Object::toString).toList();
    }

    private SensorStatus status(String id) {
        return manager.status(id).orElseThrow();
    }

    private String event(String kind, String op, String status, SensorInstance... instances) throws Exception {
        ObjectNode event = mapper.createObjectNode().put("request_id", "r-1").put("kind", kind).put("op", op)
                .put("status", status);
        ArrayNode list = event.putArray("sensor_instances");
        for (SensorInstance i : instances) {
            list.add(i.toJson());
        }
        return mapper.writeValueAsString(event);
    }

    @Test
    public void followsRegistryEventsBeforeLoadingAndAppliesEventsThatArriveMeanwhile() throws Exception {
        SensorInstance late = instance("si-late", "gps-sensor", 9000);
        registry.onLoad = () -> {
            assertEquals("follow [" + Topics.SENSOR_REGISTRY_EVENTS + "]", calls().get(0));
            try {
                messaging.deliver(Topics.SENSOR_REGISTRY_EVENTS, "r-2", event("sensor-instance", "register", "ok", late));
                messaging.deliver(Topics.SENSOR_REGISTRY_EVENTS, "r-3", event("sensor-instance", "delete", "ok", LIGHT_1));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        start();
        assertEquals(List.of("follow [" + Topics.SENSOR_REGISTRY_EVENTS + "]",
                "subscribe test-control " + Topics.controlTopicPattern()), calls());
        assertNotNull(jsonLines.open("si-late"));
        assertNotNull(jsonLines.open("si-gps"));
        assertNull("deleted while the list was loading", jsonLines.open("si-light"));
        assertTrue(manager.status("si-light").isEmpty());
        assertEquals(2, jsonLines.connections.size());
    }

    @Test
    public void retriesStartupWhenTheRegistryFails() {
        registry.failLoad = new IllegalStateException("store down");
        manager.driverAdded(entry(jsonLines, 10, -100, "*"));
        manager.start(new SensorManager.Settings("test-control", 20));
        await("a failed load", () -> calls().size() == 1);
        assertFalse(manager.isStarted());
        registry.failLoad = null;
        await("manager started after retry", manager::isStarted);
        assertNotNull(jsonLines.open("si-gps"));
        assertEquals("followed once", 1, calls().stream().filter(c -> c.startsWith("follow")).count());
    }

    @Test
    public void statusFollowsTheDriverReports() {
        start();
        SensorStatus initial = status("si-gps");
        assertEquals(ConnectionState.DISCONNECTED, initial.state());
        assertEquals("jsonlines 1.0.10", initial.driver());
        FakeConnection gps = jsonLines.open("si-gps");
        gps.deviceUp();
        assertEquals(ConnectionState.CONNECTED, status("si-gps").state());
        assertEquals("", status("si-gps").detail());
        gps.context.disconnected("connection lost: reset");
        assertEquals(ConnectionState.DISCONNECTED, status("si-gps").state());
        assertEquals("connection lost: reset", status("si-gps").detail());
        assertEquals(List.of("si-gps", "si-light"), manager.statuses().stream().map(SensorStatus::sensorInstanceId).toList());
    }

    @Test
    public void validReadingIsPublishedToTheDataTopicKeyedByInstance() throws Exception {
        start();
        FakeConnection gps = jsonLines.open("si-gps");
        long before = System.currentTimeMillis();
        assertTrue(gps.context.reading(Map.of("placeholder", "bus", "x", 1.5, "y", 2)));
        long after = System.currentTimeMillis();
        List<RecordingMessaging.Published> records = messaging.published(Topics.dataTopic("si-gps"));
        assertEquals(1, records.size());
        assertEquals("si-gps", records.get(0).key());
        JsonNode reading = mapper.readTree(records.get(0).value());
        assertEquals(Set.of("sensor_instance_id", "timestamp", "data"), fieldNames(reading));
        assertEquals("si-gps", reading.get("sensor_instance_id").asText());
        long timestamp = reading.get("timestamp").asLong();
        assertTrue(timestamp >= before && timestamp <= after);
        assertEquals(mapper.readTree("{\"placeholder\":\"bus\",\"x\":1.5,\"y\":2}"), reading.get("data"));
        SensorStatus status = status("si-gps");
        assertEquals(1, status.readings());
        assertEquals(0, status.invalid());
        assertEquals(timestamp, status.lastReadingAt());
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new java.util.HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    public void readingsNotMatchingTheTypeAreCountedAndDropped() {
        start();
        FakeConnection gps = jsonLines.open("si-gps");
        FakeConnection light = jsonLines.open("si-light");
        Map<String, Object> withNull = new HashMap<>(Map.of("placeholder", "bus", "x", 1.0));
        withNull.put("y", null);
        List<Map<String, Object>> bad = List.of(
                Map.of("placeholder", "bus", "x", 1.0), // missing y
                Map.of("placeholder", "bus", "x", 1.0, "y", 2.0, "z", 3.0), // extra field
                Map.of("placeholder", 7, "x", 1.0, "y", 2.0), // int is not a string
                Map.of("placeholder", "bus", "x", "1.0", "y", 2.0), // string is not a float
                withNull);
        for (Map<String, Object> reading : bad) {
            assertFalse(reading.toString(), gps.context.reading(reading));
        }
        assertFalse("a float is not an int", light.context.reading(Map.of("lux", 1.5)));
        assertFalse("a bool is not an int", light.context.reading(Map.of("lux", true)));
        gps.context.invalid("not JSON: garbage");
        assertTrue(light.context.reading(Map.of("lux", 3)));

        assertEquals(6, status("si-gps").invalid());
        assertEquals(0, status("si-gps").readings());
        assertEquals("not JSON: garbage", status("si-gps").detail());
        assertEquals(2, status("si-light").invalid());
        assertEquals("invalid reading: field 'lux' is not int: true", status("si-light").detail());
        assertEquals(1, status("si-light").readings());
        assertTrue(messaging.published(Topics.dataTopic("si-gps")).isEmpty());
        assertEquals(1, messaging.published(Topics.dataTopic("si-light")).size());
    }

    @Test
    public void failedPublishIsRecordedAndNotCounted() {
        start();
        messaging.failPublishing(new IllegalStateException("broker down"));
        assertTrue(jsonLines.open("si-light").context.reading(Map.of("lux", 3)));
        assertEquals(0, status("si-light").readings());
        assertTrue(status("si-light").detail().contains("broker down"));
    }

    @Test
    public void driverNamingTheTypeWinsThenRankingThenServiceId() {
        FakeDriver a = new FakeDriver("a");
        FakeDriver b = new FakeDriver("b");
        FakeDriver c = new FakeDriver("c");
        FakeDriver other = new FakeDriver("other");
        List<DriverEntry> drivers = new ArrayList<>(List.of(entry(a, 1, 100, "*"), entry(b, 2, -5, "light-sensor"),
                entry(other, 3, 1000, "temp-sensor")));
        assertSame("specific beats * whatever the ranking", b, DriverEntry.choose(drivers, "light-sensor").get().driver());
        assertSame("* serves types without their own driver", a, DriverEntry.choose(drivers, "gps-sensor").get().driver());
        drivers.add(entry(c, 4, 0, "light-sensor", "gps-sensor"));
        assertSame("higher ranking among equals", c, DriverEntry.choose(drivers, "light-sensor").get().driver());
        assertSame(c, DriverEntry.choose(drivers, "gps-sensor").get().driver());
        drivers.add(entry(new FakeDriver("c2"), 5, 0, "light-sensor"));
        assertSame("lowest service id among equal rankings", c, DriverEntry.choose(drivers, "light-sensor").get().driver());
        assertTrue(DriverEntry.choose(List.of(entry(other, 3, 0, "temp-sensor")), "gps-sensor").isEmpty());
        assertEquals(Set.of("a", "b", "c"), DriverEntry.typesOf(new String[] {"a", "b, c"}));
        assertEquals(Set.of("*"), DriverEntry.typesOf("*"));
        assertEquals(Set.of(), DriverEntry.typesOf(null));
    }

    @Test
    public void aDriverForATypeTakesOverOnlyThatTypesInstances() {
        start();
        FakeConnection gps = jsonLines.open("si-gps");
        FakeConnection lightViaJsonLines = jsonLines.open("si-light");
        gps.deviceUp();
        lightViaJsonLines.deviceUp();

        FakeDriver lightDriver = new FakeDriver("light");
        manager.driverAdded(entry(lightDriver, 20, 0, "light-sensor"));
        assertTrue("the old light connection is closed", lightViaJsonLines.closed);
        FakeConnection light = lightDriver.open("si-light");
        assertNotNull("light reconnected through its own driver", light);
        assertEquals("light 1.0.20", status("si-light").driver());
        assertEquals(ConnectionState.DISCONNECTED, status("si-light").state());
        assertSame("gps untouched", gps, jsonLines.open("si-gps"));
        assertFalse(gps.closed);
        assertEquals(ConnectionState.CONNECTED, status("si-gps").state());
        assertEquals(2, jsonLines.connections.size());

        // whatever the replaced connection still reports is ignored
        assertFalse(lightViaJsonLines.context.reading(Map.of("lux", 1)));
        lightViaJsonLines.context.connected();
        assertEquals(ConnectionState.DISCONNECTED, status("si-light").state());
        assertEquals(0, status("si-light").readings());

        // another fallback driver of lower ranking changes nothing
        manager.driverAdded(entry(new FakeDriver("spare"), 21, -200, "*"));
        assertSame(gps, jsonLines.open("si-gps"));
        assertSame(light, lightDriver.open("si-light"));

        // the type's driver goes: back to the fallback, gps still untouched
        manager.driverRemoved(20);
        assertTrue(light.closed);
        assertNotNull(jsonLines.open("si-light"));
        assertNotSame(lightViaJsonLines, jsonLines.open("si-light"));
        assertSame(gps, jsonLines.open("si-gps"));
        assertEquals("jsonlines 1.0.10", status("si-light").driver());
    }

    @Test
    public void aDriverWhoseRankingChangesTakesOverWhereItNowWins() {
        start();
        FakeConnection gps = jsonLines.open("si-gps");
        FakeConnection light = jsonLines.open("si-light");
        FakeDriver better = new FakeDriver("better");
        manager.driverAdded(entry(better, 30, -500, "*"));
        assertEquals(0, better.connections.size());
        manager.driverModified(entry(better, 30, -500, "*", "x-sensor"));
        assertSame("same service, still not chosen", gps, jsonLines.open("si-gps"));
        manager.driverModified(entry(better, 30, 5, "*"));
        assertTrue(gps.closed);
        assertTrue(light.closed);
        assertEquals(2, better.openCount());
        manager.driverModified(entry(better, 30, 6, "*"));
        assertEquals("a property change keeping the choice reconnects nothing", 2, better.connections.size());
        assertEquals("better 1.0.30", status("si-gps").driver());
    }

    @Test
    public void registryEventsConnectAndDisconnectInstancesIdempotently() throws Exception {
        start();
        SensorInstance temp = instance("si-new", "light-sensor", 8800);
        String register = event("sensor-instance", "register", "ok", temp);
        messaging.deliver(Topics.SENSOR_REGISTRY_EVENTS, "r-5", register);
        FakeConnection connection = jsonLines.open("si-new");
        assertNotNull(connection);
        messaging.deliver(Topics.SENSOR_REGISTRY_EVENTS, "r-5", register);
        assertEquals("a redelivered event connects nothing more", 3, jsonLines.connections.size());
        assertFalse(connection.closed);

        messaging.deliver(Topics.SENSOR_REGISTRY_EVENTS, "r-6", event("sensor-instance", "delete", "conflict", temp));
        assertFalse("a refused delete changes nothing", connection.closed);
        messaging.deliver(Topics.SENSOR_REGISTRY_EVENTS, "r-7", "{not json");
        messaging.deliver(Topics.SENSOR_REGISTRY_EVENTS, "r-8", event("sensor-instance", "delete", "ok", temp));
        assertTrue(connection.closed);
        assertTrue(manager.status("si-new").isEmpty());
        messaging.deliver(Topics.SENSOR_REGISTRY_EVENTS, "r-8", event("sensor-instance", "delete", "ok", temp));

        // re-registered at another port: reconnected
        FakeConnection gps = jsonLines.open("si-gps");
        messaging.deliver(Topics.SENSOR_REGISTRY_EVENTS, "r-9",
                event("sensor-instance", "register", "ok", instance("si-gps", "gps-sensor", 9999)));
        assertTrue(gps.closed);
        assertEquals(9999, jsonLines.open("si-gps").context.instance().port());
    }

    @Test
    public void aDriverThatThrowsOnlyAffectsItsInstances() {
        FakeDriver broken = new FakeDriver("broken");
        broken.failConnect = new IllegalStateException("boom");
        manager.driverAdded(entry(broken, 40, 0, "light-sensor"));
        start();
        FakeConnection gps = jsonLines.open("si-gps");
        assertNotNull(gps);
        SensorStatus light = status("si-light");
        assertEquals(ConnectionState.DISCONNECTED, light.state());
        assertEquals("broken 1.0.40", light.driver());
        assertTrue(light.detail(), light.detail().contains("failed to connect") && light.detail().contains("boom"));
        gps.deviceUp();
        assertTrue(gps.context.reading(Map.of("placeholder", "bus", "x", 1, "y", 2)));
        assertEquals(1, status("si-gps").readings());

        broken.failConnect = null;
        manager.repair();
        assertNotNull("retried", broken.open("si-light"));
        assertSame(gps, jsonLines.open("si-gps"));
    }

    @Test
    public void instancesOfAnUnregisteredTypeConnectOnceTheTypeIsRegistered() throws Exception {
        start();
        SensorInstance temp = instance("si-temp", "temp-sensor", 8770);
        messaging.deliver(Topics.SENSOR_REGISTRY_EVENTS, "r-1", event("sensor-instance", "register", "ok", temp));
        assertEquals("sensor type temp-sensor is not registered", status("si-temp").detail());
        assertNull(jsonLines.open("si-temp"));
        registry.types.put("temp-sensor", new SensorType("temp-sensor", "lg", Map.of("temperature", FieldType.INT), null));
        messaging.deliver(Topics.SENSOR_REGISTRY_EVENTS, "r-2",
                "{\"request_id\":\"r-2\",\"kind\":\"sensor-type\",\"op\":\"register\",\"status\":\"ok\",\"sensor_types\":[\"temp-sensor\"]}");
        FakeConnection connection = jsonLines.open("si-temp");
        assertNotNull(connection);
        assertTrue(connection.context.reading(Map.of("temperature", 30)));
    }

    @Test
    public void controlCommandsReachTheConnectionOrAreDroppedWithAReason() throws Exception {
        start();
        FakeConnection light = jsonLines.open("si-light");
        String command = "{\"function\":\"switchOnLight\",\"params\":{\"level\":3}}";
        messaging.deliver(Topics.controlTopic("si-light"), "si-light", command);
        assertTrue(light.commands.isEmpty());
        assertEquals("control command switchOnLight dropped: device not connected", status("si-light").detail());

        light.deviceUp();
        messaging.deliver(Topics.controlTopic("si-light"), "si-light", command);
        assertEquals(List.of(new ControlCommand("switchOnLight", Map.of("level", 3))), light.commands);

        messaging.deliver(Topics.controlTopic("si-unknown"), "si-unknown", command); // logged, not thrown
        messaging.deliver(Topics.controlTopic("si-light"), "si-light", "{\"params\":{}}");
        assertTrue(status("si-light").detail().startsWith("malformed control command dropped"));
        assertEquals(1, light.commands.size());

        FakeDriver broken = new FakeDriver("broken");
        broken.failConnect = new IllegalStateException("boom");
        manager.driverAdded(entry(broken, 50, 0, "light-sensor"));
        messaging.deliver(Topics.controlTopic("si-light"), "si-light", command);
        assertEquals("control command switchOnLight dropped: device not connected", status("si-light").detail());
    }

    @Test
    public void stopClosesConnectionsAndSubscriptions() {
        start();
        manager.stop();
        assertEquals(0, jsonLines.openCount());
        assertTrue(messaging.subscriptions().stream().noneMatch(s -> s.isAlive()));
        assertTrue(manager.statuses().isEmpty());
        manager.driverRemoved(10); // DS unbinds after deactivation: harmless
    }
}
