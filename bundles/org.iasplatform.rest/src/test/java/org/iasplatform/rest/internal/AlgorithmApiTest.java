package org.iasplatform.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.iasplatform.api.deploy.BoundSensor;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.SensorType;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The algorithm API: bearer tokens, bound sensors, what an instance publishes, the seed's calls, the readings stream. */
public class AlgorithmApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LIGHT = "si-light";
    private static final String GPS = "si-gps";

    private final FakeServices services = new FakeServices();
    private final EventStreams streams = new EventStreams(Duration.ofMillis(50), 2);
    private final Dispatcher dispatcher = new Dispatcher(new Router(RestApi.routes(services, Json.newMapper(), Runnable::run,
            streams, 4096)), (u, p) -> u.equals(p) ? Optional.of(Set.of("admin")) : Optional.empty(), Json.newMapper(), 1024);
    private final ExecutorService clients = Executors.newCachedThreadPool();

    @Before
    public void instances() throws Exception {
        services.types.put("light-sensor", JSON.readValue("{\"sensor_type_name\":\"light-sensor\",\"sensor_data_structure\":"
                + "{\"lux\":\"int\"},\"control_functions\":{\"number_of_functions\":1,\"function_details\":[{\"name\":"
                + "\"switchOnLight\",\"number_of_parameters\":1,\"params\":[{\"level\":\"int\"}]}]}}", SensorType.class));
        services.types.put("gps-sensor", new SensorType("gps-sensor", "acme", Map.of(), null));
        put("inst-1", "tok-1", InstanceState.RUNNING);
        put("inst-2", "tok-2", InstanceState.RUNNING);
    }

    @After
    public void stopClients() {
        clients.shutdownNow();
    }

    private void put(String id, String token, InstanceState state) {
        services.algorithmInstances.put(id, new InstanceInfo(id, "Bus_management", "bus", 1, "lightControl", "job-" + id,
                "process", "local", state, 0, 1, Instant.EPOCH, null, null, null, List.of(
                        new BoundSensor(0, LIGHT, "light-sensor", Topics.dataTopic(LIGHT), Topics.controlTopic(LIGHT)),
                        new BoundSensor(1, GPS, "gps-sensor", Topics.dataTopic(GPS), Topics.controlTopic(GPS)))));
        services.tokens.put(token, id);
    }

    private FakeHttp.Resp call(FakeHttp.Req req) throws Exception {
        FakeHttp.Resp resp = new FakeHttp.Resp();
        dispatcher.dispatch(req.build(), resp.build());
        return resp;
    }

    private static FakeHttp.Req req(String method, String path, String token) {
        FakeHttp.Req r = new FakeHttp.Req(method, path);
        return token == null ? r : r.bearer(token);
    }

    private static String firstPath(FakeHttp.Resp r) throws Exception {
        return r.json().get("errors").get(0).get("path").asText();
    }

    // ---- tokens ----

    @Test
    public void aTokenReachesOnlyItsOwnInstanceAndItsBoundSensors() throws Exception {
        FakeHttp.Resp r = call(req("GET", "/algorithm-instances/inst-1/sensors/0", "tok-1"));
        assertEquals(r.text(), 200, r.status);
        JsonNode s = r.json();
        assertEquals(LIGHT, s.get("sensor_instance_id").asText());
        assertEquals("light-sensor", s.get("sensor_type").asText());
        assertEquals("sensor_data_si-light", s.get("data_topic").asText());
        assertEquals("sensor_control_si-light", s.get("control_topic").asText());
        assertEquals("127.0.0.1:9092", s.get("bootstrap_servers").asText());
        assertEquals(GPS, call(req("GET", "/algorithm-instances/inst-1/sensors/1", "tok-1")).json().get("sensor_instance_id").asText());

        // the probe of DeploymentsIT: own=200 index=403 other=403 none=401
        r = call(req("GET", "/algorithm-instances/inst-1/sensors/7", "tok-1"));
        assertEquals(403, r.status);
        assertTrue(r.text(), r.text().contains("[0, 1]"));
        assertEquals(403, call(req("GET", "/algorithm-instances/ffffffffffffffffffffffff/sensors/0", "tok-1")).status);
        assertEquals(403, call(req("GET", "/algorithm-instances/inst-2/sensors/0", "tok-1")).status);
        r = call(req("GET", "/algorithm-instances/inst-1/sensors/0", null));
        assertEquals(401, r.status);
        assertEquals(BearerToken.WWW_AUTHENTICATE, r.headers.get("WWW-Authenticate"));
        assertEquals(401, call(req("GET", "/algorithm-instances/inst-1/sensors/0", "wrong")).status);
        assertEquals("a user login is no token", 401, call(new FakeHttp.Req("GET", "/algorithm-instances/inst-1/sensors/0")
                .basic("admin", "admin")).status);
        assertEquals(400, call(req("GET", "/algorithm-instances/inst-1/sensors/x", "tok-1")).status);
        assertEquals(400, call(req("GET", "/algorithm-instances/inst-1/sensors/-1", "tok-1")).status);
        // a wrong token learns nothing about indexes
        assertEquals(401, call(req("GET", "/algorithm-instances/inst-1/sensors/7", "wrong")).status);
    }

    @Test
    public void bearerHeaders() {
        assertEquals(Optional.of("abc"), BearerToken.parse("Bearer abc"));
        assertEquals(Optional.of("abc"), BearerToken.parse("bearer  abc "));
        assertEquals(Optional.empty(), BearerToken.parse("Basic YWRtaW46YWRtaW4="));
        assertEquals(Optional.empty(), BearerToken.parse("Bearer "));
        assertEquals(Optional.empty(), BearerToken.parse("Bearer a b"));
        assertEquals(Optional.empty(), BearerToken.parse(null));
    }

    // ---- control, notifications, feed, log ----

    @Test
    public void controlIsCheckedAgainstTheTypeAndSentToTheControlTopic() throws Exception {
        FakeHttp.Resp r = call(req("POST", "/algorithm-instances/inst-1/sensors/0/control", "tok-1")
                .json("{\"function\": \"switchOnLight\", \"params\": {\"level\": 3}}"));
        assertEquals(r.text(), 202, r.status);
        assertEquals(List.of("{\"function\":\"switchOnLight\",\"params\":{\"level\":3}}"),
                services.publishedTo(Topics.controlTopic(LIGHT)));
        assertEquals(LIGHT, services.messaging.published().get(0).key());

        r = call(req("POST", "/algorithm-instances/inst-1/sensors/0/control", "tok-1")
                .json("{\"function\": \"switchOnLight\", \"params\": {\"level\": \"high\"}}"));
        assertEquals(400, r.status);
        assertEquals("/params/level", firstPath(r));
        r = call(req("POST", "/algorithm-instances/inst-1/sensors/0/control", "tok-1").json("{\"function\": \"explode\"}"));
        assertEquals(400, r.status);
        assertTrue(r.text(), r.text().contains("switchOnLight"));
        assertEquals(403, call(req("POST", "/algorithm-instances/inst-1/sensors/5/control", "tok-1")
                .json("{\"function\": \"switchOnLight\"}")).status);
        assertEquals(403, call(req("POST", "/algorithm-instances/inst-2/sensors/0/control", "tok-1")
                .json("{\"function\": \"switchOnLight\", \"params\": {\"level\": 3}}")).status);
        services.types.remove("light-sensor");
        assertEquals(422, call(req("POST", "/algorithm-instances/inst-1/sensors/0/control", "tok-1")
                .json("{\"function\": \"switchOnLight\", \"params\": {\"level\": 3}}")).status);
        assertEquals(1, services.messaging.published().size());
    }

    @Test
    public void notificationsFeedAndLogArePublishedWithTheInstancesIdentity() throws Exception {
        assertEquals(202, call(req("POST", "/algorithm-instances/inst-1/notifications", "tok-1")
                .json("{\"to\": \"user\", \"message\": \"lights on\"}")).status);
        JsonNode n = JSON.readTree(services.publishedTo(Topics.NOTIFICATIONS).get(0));
        assertEquals("inst-1", n.get("instance_id").asText());
        assertEquals("Bus_management", n.get("application_name").asText());
        assertEquals("lightControl", n.get("algorithm_name").asText());
        assertEquals("user", n.get("to").asText());
        assertEquals("lights on", n.get("message").asText());
        assertTrue(n.get("timestamp").asLong() > 0);
        assertEquals("inst-1", services.messaging.published().get(0).key());

        assertEquals(202, call(req("POST", "/algorithm-instances/inst-1/feed", "tok-1").json("{\"bus\": 1, \"lux\": 30}")).status);
        assertEquals(202, call(req("POST", "/algorithm-instances/inst-1/feed", "tok-1").json("{\"bus\": 1, \"lux\": 31}")).status);
        List<String> feed = services.publishedTo(Topics.appFeed("Bus_management"));
        JsonNode f = JSON.readTree(feed.get(0));
        assertEquals("{\"bus\":1,\"lux\":30}", f.get("data").toString());
        assertEquals("inst-1", f.get("instance_id").asText());
        assertEquals("the feed topic is created once", List.of("app_feed_Bus_management"), services.messaging.ensured());

        assertEquals(202, call(req("POST", "/algorithm-instances/inst-1/log", "tok-1").json("{\"line\": \"seen 30\"}")).status);
        JsonNode l = JSON.readTree(services.publishedTo(Topics.instanceLog("inst-1")).get(0));
        assertEquals("log", l.get("stream").asText());
        assertEquals("seen 30", l.get("line").asText());

        FakeHttp.Resp r = call(req("POST", "/algorithm-instances/inst-1/notifications", "tok-1").json("{\"message\": \"x\"}"));
        assertEquals(400, r.status);
        assertEquals("/to", firstPath(r));
        assertEquals(400, call(req("POST", "/algorithm-instances/inst-1/notifications", "tok-1").json("{\"to\": \"user\"}")).status);
        assertEquals(400, call(req("POST", "/algorithm-instances/inst-1/feed", "tok-1").json("[1, 2]")).status);
        assertEquals("/line", firstPath(call(req("POST", "/algorithm-instances/inst-1/log", "tok-1").json("{\"line\": 3}"))));
        assertEquals(403, call(req("POST", "/algorithm-instances/inst-2/log", "tok-1").json("{\"line\": \"x\"}")).status);

        services.messaging.failPublishing(new MessagingException("broker down", null));
        r = call(req("POST", "/algorithm-instances/inst-1/log", "tok-1").json("{\"line\": \"x\"}"));
        assertEquals(503, r.status);
        assertTrue(r.text(), r.text().contains("broker down"));
    }

    // ---- the seed's calls ----

    @Test
    public void theSeedsTopicCalls() throws Exception {
        FakeHttp.Resp r = call(req("POST", "/getSensorTopic", "tok-1").json("{\"id\": \"inst-1\", \"index\": 0}"));
        assertEquals(r.text(), 200, r.status);
        assertEquals("{\"data\":\"sensor_data_si-light\"}", r.text());
        assertEquals("{\"data\":\"sensor_data_si-gps\"}", call(req("POST", "/getSensorTopic", "tok-1")
                .json("{\"id\": \"inst-1\", \"index\": \"1\"}")).text());
        assertEquals("the token's own instance when id is left out", "{\"data\":\"sensor_data_si-light\"}",
                call(req("POST", "/getSensorTopic", "tok-1").json("{\"index\": 0}")).text());
        assertEquals("{\"data\":\"sensor_control_si-light\"}", call(req("POST", "/setSensorTopic", "tok-1")
                .json("{\"id\": \"inst-1\", \"index\": 0, \"val\": null}")).text());
        assertTrue(services.messaging.published().isEmpty());

        r = call(req("POST", "/setSensorTopic", "tok-1").json("{\"id\": \"inst-1\", \"index\": 0, \"val\": "
                + "{\"function\": \"switchOnLight\", \"params\": {\"level\": 1}}}"));
        assertEquals(r.text(), 200, r.status);
        assertEquals("{\"data\":\"sensor_control_si-light\"}", r.text());
        assertEquals(1, services.publishedTo(Topics.controlTopic(LIGHT)).size());

        r = call(req("POST", "/setSensorTopic", "tok-1").json("{\"id\": \"inst-1\", \"index\": 0, \"val\": \"1\"}"));
        assertEquals(400, r.status);
        assertEquals("/val", firstPath(r));
        assertTrue(r.text(), r.text().contains("\\\"function\\\""));
        r = call(req("POST", "/setSensorTopic", "tok-1").json("{\"id\": \"inst-1\", \"index\": 0, \"val\": {\"function\": "
                + "\"switchOnLight\", \"params\": {}}}"));
        assertEquals(400, r.status);
        assertEquals("/val/params/level", firstPath(r));
        assertEquals(400, call(req("POST", "/getSensorTopic", "tok-1").json("{\"id\": \"inst-1\", \"index\": 0, \"val\": 1}")).status);
        assertEquals(400, call(req("POST", "/getSensorTopic", "tok-1").json("{\"id\": \"inst-1\"}")).status);
        assertEquals(403, call(req("POST", "/getSensorTopic", "tok-1").json("{\"id\": \"inst-1\", \"index\": 9}")).status);
        assertEquals(403, call(req("POST", "/getSensorTopic", "tok-1").json("{\"id\": \"inst-2\", \"index\": 0}")).status);
        assertEquals(401, call(req("POST", "/getSensorTopic", "wrong").json("{\"id\": \"inst-1\", \"index\": 0}")).status);
        assertEquals(401, call(req("POST", "/setSensorTopic", null).json("{\"id\": \"inst-1\", \"index\": 0}")).status);
        assertEquals(1, services.messaging.published().size());
    }

    @Test
    public void missingServicesAre503() throws Exception {
        services.absent.add("infra");
        FakeHttp.Resp r = call(req("GET", "/algorithm-instances/inst-1/sensors/0", "tok-1"));
        assertEquals(503, r.status);
        assertTrue(r.text(), r.text().contains("kafka"));
        services.absent.add("instances");
        r = call(req("GET", "/algorithm-instances/inst-1/sensors/0", "tok-1"));
        assertEquals(503, r.status);
        assertTrue(r.text(), r.text().contains("server_lifecycle"));
        assertEquals(503, call(req("POST", "/getSensorTopic", "tok-1").json("{\"index\": 0}")).status);
        services.absent.clear();
        services.absent.add("messaging");
        assertEquals(503, call(req("POST", "/algorithm-instances/inst-1/log", "tok-1").json("{\"line\": \"x\"}")).status);
        assertEquals(503, call(req("GET", "/algorithm-instances/inst-1/sensors/0/readings/stream", "tok-1")).status);
    }

    // ---- the readings stream ----

    @Test
    public void theReadingsStreamFramesEachReadingAsAnEventUntilTheClientGoesAway() throws Exception {
        FakeHttp.Resp resp = new FakeHttp.Resp();
        Future<?> stream = open("/algorithm-instances/inst-1/sensors/0/readings/stream", "tok-1", resp);
        awaitText(resp, ": ok\n\n");
        assertEquals(200, resp.status);
        assertEquals("text/event-stream;charset=UTF-8", resp.contentType);
        assertTrue("positioned before the first comment", services.messaging.openSubscriptions(Topics.dataTopic(LIGHT)) > 0);
        assertEquals(1, streams.openCount());

        services.deliver(Topics.dataTopic(LIGHT), "{\"sensor_instance_id\": \"si-light\",\n \"timestamp\": 1, \"data\": {\"lux\": 30}}");
        services.deliver(Topics.dataTopic(LIGHT), "not json");
        services.deliver(Topics.dataTopic(LIGHT), "{\"sensor_instance_id\":\"si-light\",\"timestamp\":2,\"data\":{\"lux\":\"a\\nb\"}}");
        awaitText(resp, "data: {\"sensor_instance_id\":\"si-light\",\"timestamp\":2,\"data\":{\"lux\":\"a\\nb\"}}\n\n");
        String text = resp.text();
        assertTrue(text, text.startsWith(": ok\n\ndata: {\"sensor_instance_id\":\"si-light\",\"timestamp\":1,\"data\":{\"lux\":30}}\n\n"));
        assertFalse(text, text.contains("not json"));
        awaitText(resp, ": keep-alive\n\n");
        for (String event : text.split("\n\n")) {
            assertTrue("one line per event: " + event, !event.contains("\n"));
        }

        resp.clientGone = true;
        stream.get(5, TimeUnit.SECONDS);
        assertEquals(List.of(Topics.dataTopic(LIGHT)), services.closedFollows());
        assertEquals(0, streams.openCount());
    }

    @Test
    public void theStreamEndsWhenTheInstanceStopsOrItsTokenIsReplaced() throws Exception {
        FakeHttp.Resp resp = new FakeHttp.Resp();
        Future<?> stream = open("/algorithm-instances/inst-1/sensors/1/readings/stream", "tok-1", resp);
        awaitText(resp, ": ok\n\n");
        put("inst-1", "tok-1", InstanceState.STOPPED);
        stream.get(5, TimeUnit.SECONDS);
        assertTrue(resp.text(), resp.text().endsWith(": end\n\n"));
        assertEquals(List.of(Topics.dataTopic(GPS)), services.closedFollows());

        resp = new FakeHttp.Resp();
        put("inst-2", "tok-2", InstanceState.SCHEDULED); // started, its start not recorded yet: the stream stays
        stream = open("/algorithm-instances/inst-2/sensors/0/readings/stream", "tok-2", resp);
        awaitText(resp, ": keep-alive\n\n");
        assertFalse(stream.isDone());
        services.tokens.remove("tok-2"); // started again with a new token
        stream.get(5, TimeUnit.SECONDS);
        assertEquals(0, streams.openCount());
    }

    @Test
    public void streamsAreBoundedAndAStreamThatCannotFollowIsAnOrdinaryError() throws Exception {
        FakeHttp.Resp a = new FakeHttp.Resp();
        FakeHttp.Resp b = new FakeHttp.Resp();
        Future<?> first = open("/algorithm-instances/inst-1/sensors/0/readings/stream", "tok-1", a);
        Future<?> second = open("/algorithm-instances/inst-2/sensors/1/readings/stream", "tok-2", b);
        awaitText(a, ": ok");
        awaitText(b, ": ok");
        FakeHttp.Resp third = call(req("GET", "/algorithm-instances/inst-1/sensors/1/readings/stream", "tok-1"));
        assertEquals(503, third.status);
        assertTrue(third.text(), third.text().contains("too many event streams"));
        assertEquals("application/json;charset=UTF-8", third.contentType);

        streams.closeAll();
        first.get(5, TimeUnit.SECONDS);
        second.get(5, TimeUnit.SECONDS);
        assertEquals(0, streams.openCount());

        services.messaging.failSubscribing(new IllegalStateException("Kafka at 127.0.0.1:9092 did not answer"));
        FakeHttp.Resp r = call(req("GET", "/algorithm-instances/inst-1/sensors/0/readings/stream", "tok-1"));
        assertEquals(503, r.status);
        assertTrue(r.text(), r.text().contains("did not answer"));
        assertEquals("application/json;charset=UTF-8", r.contentType);
        assertEquals(0, streams.openCount());
        assertEquals(403, call(req("GET", "/algorithm-instances/inst-1/sensors/3/readings/stream", "tok-1")).status);
        assertEquals(401, call(req("GET", "/algorithm-instances/inst-1/sensors/0/readings/stream", null)).status);
    }

    @Test
    public void aSlowClientLosesTheOldestReadingsAndIsToldHowMany() throws Exception {
        FakeHttp.Resp resp = new FakeHttp.Resp();
        Future<?> stream = open("/algorithm-instances/inst-1/sensors/0/readings/stream", "tok-1", resp);
        awaitText(resp, ": ok\n\n");
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        resp.writeGate = gate;
        services.deliver(Topics.dataTopic(LIGHT), "{\"n\": 0}");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!resp.writerBlocked) {
            assertTrue("the writer took the first reading", System.nanoTime() < deadline);
            Thread.sleep(2);
        }
        int more = EventStreams.QUEUE_CAPACITY + 5;
        for (int n = 1; n <= more; n++) {
            services.deliver(Topics.dataTopic(LIGHT), "{\"n\": " + n + "}"); // never blocks the follower
        }
        resp.writeGate = null;
        gate.countDown();
        awaitText(resp, "data: {\"n\":" + more + "}\n\n");
        String text = resp.text();
        assertTrue(text.substring(0, 200), text.contains("data: {\"n\":0}\n\n: skipped 5 messages: the client reads slower than "
                + "they come\n\ndata: {\"n\":6}\n\n"));
        resp.clientGone = true;
        stream.get(5, TimeUnit.SECONDS);
    }

    private Future<?> open(String path, String token, FakeHttp.Resp resp) {
        return clients.submit(() -> {
            dispatcher.dispatch(req("GET", path, token).build(), resp.build());
            return null;
        });
    }

    /** Waits until the response's body contains {@code text}. */
    static void awaitText(FakeHttp.Resp resp, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!resp.text().contains(text)) {
            if (System.nanoTime() > deadline) {
                fail("no " + text.replace("\n", "\\n") + " in " + resp.text().replace("\n", "\\n"));
            }
            Thread.sleep(5);
        }
    }
}
