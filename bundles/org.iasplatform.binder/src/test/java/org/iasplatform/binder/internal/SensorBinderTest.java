package org.iasplatform.binder.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.bson.Document;
import org.bson.types.ObjectId;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.testsupport.EmbeddedMongoResource;
import org.iasplatform.testsupport.RecordingMessaging;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoCollection;

/** The sensor binder's handling of {@code pm_to_sensor_binder} against a real MongoDB-wire-protocol store. */
public class SensorBinderTest {
    @ClassRule
    public static final EmbeddedMongoResource MONGO = new EmbeddedMongoResource();

    private final ObjectMapper mapper = new ObjectMapper();
    private final AtomicLong offsets = new AtomicLong();
    private ListSensorRegistry registry;
    private RecordingMessaging messaging;
    private SensorBinder binder;
    private MongoCollection<Document> sensorMap;

    @Before
    public void setUp() {
        sensorMap = MONGO.freshDatabase(BindingStore.DATABASE).getCollection(BindingStore.COLLECTION);
        BindingStore store = new BindingStore(MONGO.client());
        store.createIndexes();
        registry = new ListSensorRegistry().type("light-sensor").type("gps-sensor");
        messaging = new RecordingMessaging();
        binder = new SensorBinder(store, registry, messaging, mapper,
                Clock.fixed(Instant.parse("2024-05-01T10:00:00Z"), ZoneOffset.UTC));
    }

    // ------------------------------------------------------------------------------------------------- helpers

    /** A seed-style start: sensor_info entries given as (type, filter objects...). */
    private ObjectNode start(String requestId, String jobId, Object[]... entries) {
        ObjectNode request = mapper.createObjectNode();
        request.put("request_id", requestId);
        request.put("op", "start");
        request.put("job_id", jobId);
        ObjectNode deploy = request.putObject("deploy");
        deploy.put("application_name", "Bus_management");
        deploy.put("algorithm_name", "lightControl");
        deploy.putArray("script_name").add("lightControl.py");
        ArrayNode info = deploy.putArray("sensor_info");
        for (Object[] entry : entries) {
            ObjectNode e = info.addObject();
            e.put("sensor_type", (String) entry[0]);
            ArrayNode filters = e.putArray("filter_sensors");
            for (int i = 1; i < entry.length; i++) {
                filters.add(mapper.valueToTree(entry[i]));
            }
        }
        deploy.putObject("scheduling_info").put("request_type", "start");
        deploy.putObject("environment").put("lang", "python");
        ObjectNode app = request.putObject("app");
        app.put("application_id", "2").put("version", 1).put("package_id", "abc").put("root", "")
                .put("script", "lightControl.py").put("runtime", "process");
        request.put("requested_at", 1714557600000L);
        return request;
    }

    private void handle(ObjectNode request) throws Exception {
        handle(request.path("job_id").asText(), request.toString());
    }

    private void handle(String key, String json) throws Exception {
        binder.handle(new Message(Topics.PM_TO_SENSOR_BINDER, key, json, System.currentTimeMillis(), 0,
                offsets.getAndIncrement()));
    }

    private JsonNode onlyPublished(String topic) throws Exception {
        List<RecordingMessaging.Published> published = messaging.published(topic);
        assertEquals("published to " + topic + ": " + messaging.published(), 1, published.size());
        return mapper.readTree(published.get(0).value());
    }

    private static Object[] entry(String type, Map<?, ?>... filters) {
        Object[] e = new Object[filters.length + 1];
        e[0] = type;
        System.arraycopy(filters, 0, e, 1, filters.length);
        return e;
    }

    // ------------------------------------------------------------------------------------------------- tests

    @Test
    public void bindsEveryEntryByItsMergedFiltersStoresTheBindingAndForwardsItWithTheInstanceId() throws Exception {
        registry.instance("si-light-bus1", "light-sensor", "10.0.0.1", 5001, Map.of("bus-id", "1"))
                .instance("si-light-bus2", "light-sensor", "10.0.0.2", 5001, Map.of("bus-id", "2"))
                .instance("si-gps-admin1", "gps-sensor", "10.0.0.3", 5002, Map.of("placeholder", "admin", "bus-id", "1"))
                .instance("si-gps-bus1", "gps-sensor", "10.0.0.4", 5002, Map.of("placeholder", "bus", "bus-id", "1"))
                .instance("si-gps-bus2", "gps-sensor", "10.0.0.5", 5002, Map.of("placeholder", "bus", "bus-id", "2"));

        handle(start("r-1", "job-1", entry("light-sensor", Map.of("bus-id", "1")),
                entry("gps-sensor", Map.of("placeholder", "bus"), Map.of("bus-id", "1"))));

        JsonNode out = onlyPublished(Topics.SENSOR_BINDER_TO_SCHEDULER);
        assertEquals("job-1", messaging.published(Topics.SENSOR_BINDER_TO_SCHEDULER).get(0).key());
        assertEquals("start", out.path("op").asText());
        assertEquals("r-1", out.path("request_id").asText());
        assertEquals("job-1", out.path("job_id").asText());
        assertEquals("lightControl", out.path("deploy").path("algorithm_name").asText());
        assertEquals("process", out.path("app").path("runtime").asText());
        assertEquals(1714557600000L, out.path("requested_at").asLong());
        String instanceId = out.path("instance_id").asText();
        assertTrue("an ObjectId in hex: " + instanceId, ObjectId.isValid(instanceId));

        JsonNode sensors = out.path("sensors");
        assertEquals(2, sensors.size());
        assertEquals(0, sensors.get(0).path("index").asInt());
        assertEquals("si-light-bus1", sensors.get(0).path("sensor_instance_id").asText());
        assertEquals("light-sensor", sensors.get(0).path("sensor_type").asText());
        assertEquals(Topics.dataTopic("si-light-bus1"), sensors.get(0).path("data_topic").asText());
        assertEquals(Topics.controlTopic("si-light-bus1"), sensors.get(0).path("control_topic").asText());
        assertEquals(1, sensors.get(1).path("index").asInt());
        assertEquals("both filter objects apply: placeholder=bus and bus-id=1", "si-gps-bus1",
                sensors.get(1).path("sensor_instance_id").asText());

        Document stored = sensorMap.find(new Document("job_id", "job-1")).first();
        assertNotNull(stored);
        assertEquals(new ObjectId(instanceId), stored.get("_id"));
        assertEquals("Bus_management", stored.getString("application_name"));
        assertEquals("lightControl", stored.getString("algorithm_name"));
        assertNotNull(stored.getDate("created_at"));
        List<Document> storedSensors = stored.getList("sensors", Document.class);
        assertEquals(List.of("si-light-bus1", "si-gps-bus1"),
                storedSensors.stream().map(d -> d.getString("sensor_instance_id")).toList());
        assertTrue("nothing refused", messaging.published(Topics.DEPLOYMENT_EVENTS).isEmpty());
    }

    @Test
    public void amongSeveralMatchesTheFirstByIdIsBound() throws Exception {
        registry.instance("si-c", "gps-sensor", "10.0.0.3", 1, Map.of("placeholder", "bus"))
                .instance("si-a", "gps-sensor", "10.0.0.1", 1, Map.of("placeholder", "bus"))
                .instance("si-b", "gps-sensor", "10.0.0.2", 1, Map.of("placeholder", "bus"))
                .instance("si-0", "light-sensor", "10.0.0.9", 1, Map.of("placeholder", "bus"));

        handle(start("r-1", "job-1", entry("gps-sensor", Map.of("placeholder", "bus")), entry("gps-sensor")));

        JsonNode sensors = onlyPublished(Topics.SENSOR_BINDER_TO_SCHEDULER).path("sensors");
        assertEquals("si-a", sensors.get(0).path("sensor_instance_id").asText());
        assertEquals("no filter: any gps-sensor, still the first by id, never another type", "si-a",
                sensors.get(1).path("sensor_instance_id").asText());
    }

    @Test
    public void aFilterMayNameTheInstancesOwnFieldsSuchAsIpAndPort() throws Exception {
        registry.instance("si-a", "gps-sensor", "10.0.0.1", 7001, Map.of())
                .instance("si-b", "gps-sensor", "10.0.0.2", 7002, Map.of());

        handle(start("r-1", "job-1", entry("gps-sensor", Map.of("ip", "10.0.0.2")),
                entry("gps-sensor", Map.of("port", 7002))));

        JsonNode sensors = onlyPublished(Topics.SENSOR_BINDER_TO_SCHEDULER).path("sensors");
        assertEquals("si-b", sensors.get(0).path("sensor_instance_id").asText());
        assertEquals("a number in the filter matches its text", "si-b", sensors.get(1).path("sensor_instance_id").asText());
    }

    @Test
    public void theSameSensorMayBeBoundByTwoJobsEachWithItsOwnInstance() throws Exception {
        registry.instance("si-gps", "gps-sensor", "10.0.0.1", 1, Map.of("bus-id", "1"));

        handle(start("r-1", "job-1", entry("gps-sensor", Map.of("bus-id", "1"))));
        handle(start("r-2", "job-2", entry("gps-sensor", Map.of("bus-id", "1"))));

        List<RecordingMessaging.Published> out = messaging.published(Topics.SENSOR_BINDER_TO_SCHEDULER);
        assertEquals(2, out.size());
        JsonNode first = mapper.readTree(out.get(0).value());
        JsonNode second = mapper.readTree(out.get(1).value());
        assertEquals("si-gps", first.path("sensors").get(0).path("sensor_instance_id").asText());
        assertEquals("si-gps", second.path("sensors").get(0).path("sensor_instance_id").asText());
        assertNotEquals(first.path("instance_id").asText(), second.path("instance_id").asText());
        assertEquals(2, sensorMap.countDocuments());
    }

    @Test
    public void anEntryThatCannotBeBoundRefusesTheJobAndNothingIsStoredOrForwarded() throws Exception {
        registry.instance("si-light", "light-sensor", "10.0.0.1", 1, Map.of("bus-id", "1"))
                .instance("si-gps", "gps-sensor", "10.0.0.2", 1, Map.of("placeholder", "bus", "bus-id", "2"));

        handle(start("r-9", "job-9", entry("light-sensor", Map.of("bus-id", "1")),
                entry("gps-sensor", Map.of("placeholder", "bus"), Map.of("bus-id", "1"))));

        assertEquals(0, sensorMap.countDocuments());
        assertTrue("nothing forwarded", messaging.published(Topics.SENSOR_BINDER_TO_SCHEDULER).isEmpty());
        JsonNode event = onlyPublished(Topics.DEPLOYMENT_EVENTS);
        assertEquals("r-9", messaging.published(Topics.DEPLOYMENT_EVENTS).get(0).key());
        assertEquals("r-9", event.path("request_id").asText());
        assertEquals("job-9", event.path("job_id").asText());
        assertEquals("sensor-binder", event.path("source").asText());
        assertEquals("unprocessable", event.path("status").asText());
        assertTrue(event.path("instance_id").isNull());
        JsonNode errors = event.path("errors");
        assertEquals("only the entry that cannot be bound: " + errors, 1, errors.size());
        assertEquals("/sensor_info/1", errors.get(0).path("path").asText());
        String message = errors.get(0).path("message").asText();
        assertTrue(message, message.contains("\"gps-sensor\""));
        assertTrue("names the merged filter: " + message, message.contains("\"placeholder\":\"bus\"")
                && message.contains("\"bus-id\":\"1\""));
        assertTrue("says what is expected: " + message, message.contains("expected"));
    }

    @Test
    public void everyUnbindableEntryIsReportedUnregisteredTypesAndContradictoryFiltersIncluded() throws Exception {
        registry.instance("si-gps", "gps-sensor", "10.0.0.2", 1, Map.of("bus-id", "1"));

        handle(start("r-3", "job-3", entry("humidity-sensor"), entry("gps-sensor", Map.of("bus-id", "1")),
                entry("gps-sensor", Map.of("bus-id", "1"), Map.of("bus-id", "2")), entry("")));

        assertEquals(0, sensorMap.countDocuments());
        assertTrue(messaging.published(Topics.SENSOR_BINDER_TO_SCHEDULER).isEmpty());
        JsonNode errors = onlyPublished(Topics.DEPLOYMENT_EVENTS).path("errors");
        assertEquals(errors.toString(), 3, errors.size());
        assertEquals("/sensor_info/0", errors.get(0).path("path").asText());
        assertTrue(errors.get(0).path("message").asText(),
                errors.get(0).path("message").asText().contains("\"humidity-sensor\" is not registered"));
        assertEquals("/sensor_info/2", errors.get(1).path("path").asText());
        assertTrue(errors.get(1).path("message").asText(),
                errors.get(1).path("message").asText().contains("\"bus-id\" is both \"1\" and \"2\""));
        assertEquals("/sensor_info/3", errors.get(2).path("path").asText());
        assertTrue(errors.get(2).path("message").asText().contains("names no sensor_type"));
    }

    @Test
    public void aRedeliveredStartReusesTheStoredBindingAndItsInstanceId() throws Exception {
        registry.instance("si-b", "gps-sensor", "10.0.0.2", 1, Map.of("bus-id", "1"));
        ObjectNode request = start("r-1", "job-1", entry("gps-sensor", Map.of("bus-id", "1")));

        handle(request);
        // meanwhile a sensor that sorts first appears: the redelivered start must not rebind
        registry.instance("si-a", "gps-sensor", "10.0.0.1", 1, Map.of("bus-id", "1"));
        handle(request);

        List<RecordingMessaging.Published> out = messaging.published(Topics.SENSOR_BINDER_TO_SCHEDULER);
        assertEquals(2, out.size());
        JsonNode first = mapper.readTree(out.get(0).value());
        JsonNode again = mapper.readTree(out.get(1).value());
        assertEquals(first.path("instance_id").asText(), again.path("instance_id").asText());
        assertEquals("si-b", again.path("sensors").get(0).path("sensor_instance_id").asText());
        assertEquals(1, sensorMap.countDocuments());
        assertEquals(new ObjectId(first.path("instance_id").asText()), sensorMap.find().first().get("_id"));
    }

    @Test
    public void theUniqueJobIndexKeepsOneBindingPerJob() {
        BindingStore store = new BindingStore(MONGO.client());
        BindingStore.Binding first = store.insertOrGet("job-x", "a", "b", List.of(), Instant.now());
        BindingStore.Binding second = store.insertOrGet("job-x", "a", "b", List.of(), Instant.now());
        assertTrue(first.created());
        assertFalse(second.created());
        assertEquals(first.instanceId(), second.instanceId());
        assertEquals(1, sensorMap.countDocuments());
    }

    @Test
    public void stopAndRunAreForwardedUnchangedUnderTheJobKey() throws Exception {
        String stop = "{\"request_id\":\"r-5\",\"op\":\"stop\",\"job_id\":\"job-5\"}";
        String run = "{\"request_id\":\"r-6\",\"op\":\"run\",\"job_id\":\"job-5\"}";
        handle("job-5", stop);
        handle("job-5", run);

        List<RecordingMessaging.Published> out = messaging.published(Topics.SENSOR_BINDER_TO_SCHEDULER);
        assertEquals(List.of(new RecordingMessaging.Published(Topics.SENSOR_BINDER_TO_SCHEDULER, "job-5", stop),
                new RecordingMessaging.Published(Topics.SENSOR_BINDER_TO_SCHEDULER, "job-5", run)), out);
        assertEquals(0, sensorMap.countDocuments());
    }

    @Test
    public void unreadableMessagesAreDroppedWithoutPublishing() throws Exception {
        handle("job-1", "not json");
        handle("job-1", "{\"op\":\"explode\",\"job_id\":\"job-1\"}");
        assertTrue(messaging.published().isEmpty());
    }
}
