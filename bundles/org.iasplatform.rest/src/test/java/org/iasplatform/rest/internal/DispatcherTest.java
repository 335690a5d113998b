package org.iasplatform.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.ConnectionState;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorStatus;
import org.iasplatform.api.sensor.SensorType;
import org.iasplatform.api.validation.ValidationError;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

public class DispatcherTest {
    private static final long MAX = 1024;
    private static final Map<String, Set<String>> USERS = Map.of("admin", Set.of("admin"), "conf", Set.of("configurator"),
            "user", Set.of("user"), "dev", Set.of("developer"), "nobody", Set.of());

    private final FakeServices services = new FakeServices();
    private final Authenticator authenticator = (u, p) -> u.equals(p) ? Optional.ofNullable(USERS.get(u)) : Optional.empty();
    private final Dispatcher dispatcher = new Dispatcher(new Router(RestApi.routes(services, Json.newMapper(), Runnable::run)),
            authenticator, Json.newMapper(), MAX);

    private FakeHttp.Resp call(FakeHttp.Req req) throws Exception {
        FakeHttp.Resp resp = new FakeHttp.Resp();
        dispatcher.dispatch(req.build(), resp.build());
        return resp;
    }

    private static FakeHttp.Req req(String method, String path, String user) {
        FakeHttp.Req r = new FakeHttp.Req(method, path);
        return user == null ? r : r.basic(user, user);
    }

    private static void assertErrorShape(FakeHttp.Resp resp) throws Exception {
        JsonNode body = resp.json();
        assertEquals(resp.text(), 1, body.size());
        assertTrue(resp.text(), body.get("errors").isArray());
        assertTrue(resp.text(), body.get("errors").size() > 0);
        for (JsonNode e : body.get("errors")) {
            assertTrue(resp.text(), e.get("path").isTextual());
            assertTrue(resp.text(), e.get("message").isTextual());
            assertEquals(resp.text(), 2, e.size());
        }
        assertEquals("application/json;charset=UTF-8", resp.contentType);
    }

    private SensorInstance addInstance(String id, String type, Map<String, String> tags) {
        SensorInstance i = new SensorInstance(id, type, "10.0.0.1", 5000, 2, tags, Topics.dataTopic(id), Topics.controlTopic(id));
        services.instances.put(id, i);
        return i;
    }

    @Test
    public void unknownRouteIs404AndWrongMethod405() throws Exception {
        FakeHttp.Resp r = call(req("GET", "/nope", "admin"));
        assertEquals(404, r.status);
        assertErrorShape(r);
        r = call(req("GET", null, "admin"));
        assertEquals(404, r.status);
        r = call(req("PATCH", "/sensor-types", "admin"));
        assertEquals(405, r.status);
        assertEquals("GET, POST", r.headers.get("Allow"));
        assertErrorShape(r);
    }

    @Test
    public void missingOrWrongCredentialsAre401WithChallenge() throws Exception {
        for (FakeHttp.Req req : List.of(req("GET", "/sensor-types", null), new FakeHttp.Req("GET", "/sensor-types").basic("admin", "x"),
                req("GET", "/sensor-types", null).basic("ghost", "ghost"))) {
            FakeHttp.Resp r = call(req);
            assertEquals(401, r.status);
            assertEquals("Basic realm=\"IAS\"", r.headers.get("WWW-Authenticate"));
            assertErrorShape(r);
        }
    }

    @Test
    public void roleNotAllowedIs403AdminMayEverything() throws Exception {
        FakeHttp.Resp r = call(req("DELETE", "/sensor-types/gps", "user"));
        assertEquals(403, r.status);
        assertErrorShape(r);
        assertTrue(r.text(), r.text().contains("configurator"));
        assertEquals(403, call(req("GET", "/sensor-types", "nobody")).status);
        assertEquals(403, call(req("POST", "/sensor-instances/x/control", "dev").json("{}")).status);
        assertEquals(204, call(req("DELETE", "/sensor-types/gps", "conf")).status);
        assertEquals(204, call(req("DELETE", "/sensor-types/gps", "admin")).status);
        assertEquals(List.of("deleteType gps", "deleteType gps"), services.calls);
        assertEquals(200, call(req("GET", "/sensor-types", "dev")).status);
    }

    @Test
    public void healthNeedsNoLoginAndIs503WhenDown() throws Exception {
        FakeHttp.Resp r = call(req("GET", "/health", null));
        assertEquals(200, r.status);
        JsonNode body = r.json();
        assertEquals("UP", body.get("status").asText());
        for (String c : List.of("kafka", "store", "sensor_registry", "sensor_manager", "platform_manager")) {
            assertEquals(c, "UP", body.get("components").get(c).get("status").asText());
            assertTrue(c, body.get("components").get(c).get("detail").isTextual());
        }
        services.messaging.setReachable(false);
        r = call(req("GET", "/health", null));
        assertEquals(503, r.status);
        assertEquals("DOWN", r.json().get("status").asText());
        assertEquals("DOWN", r.json().get("components").get("kafka").get("status").asText());
        services.messaging.setReachable(true);
        services.registryPresent = false;
        r = call(req("GET", "/health", null));
        assertEquals(503, r.status);
        assertEquals("DOWN", r.json().get("components").get("store").get("status").asText());
    }

    @Test
    public void iasExceptionKindsMapToTheirStatusWithTheirErrors() throws Exception {
        for (ErrorKind kind : ErrorKind.values()) {
            services.failure = new IasException(kind, List.of(new ValidationError("/sensor_type_list/0/company", "expected a string"),
                    new ValidationError("", "second")));
            FakeHttp.Resp r = call(req("POST", "/sensor-types", "conf").json("{\"sensor_type_name\": \"gps\"}"));
            assertEquals(kind.name(), kind.httpStatus(), r.status);
            assertErrorShape(r);
            JsonNode errors = r.json().get("errors");
            assertEquals(2, errors.size());
            assertEquals("/sensor_type_list/0/company", errors.get(0).get("path").asText());
            assertEquals("expected a string", errors.get(0).get("message").asText());
        }
        assertEquals(400, ErrorKind.INVALID.httpStatus());
        assertEquals(404, ErrorKind.NOT_FOUND.httpStatus());
        assertEquals(409, ErrorKind.CONFLICT.httpStatus());
        assertEquals(413, ErrorKind.TOO_LARGE.httpStatus());
        assertEquals(422, ErrorKind.UNPROCESSABLE.httpStatus());
        assertEquals(503, ErrorKind.UNAVAILABLE.httpStatus());
    }

    @Test
    public void unexpectedExceptionIs500WithoutDetails() throws Exception {
        services.failure = new IllegalStateException("secret internals at com.example.Foo");
        FakeHttp.Resp r = call(req("DELETE", "/sensor-instances/si-1", "conf"));
        assertEquals(500, r.status);
        assertErrorShape(r);
        assertFalse(r.text(), r.text().contains("secret"));
        assertFalse(r.text(), r.text().contains("Exception"));
        assertTrue(r.text(), r.text().contains("reference"));
    }

    @Test
    public void malformedJsonIs400WithLineAndColumn() throws Exception {
        FakeHttp.Resp r = call(req("POST", "/sensor-types", "conf").json("{\n  \"sensor_type_name\": \"gps\",\n  }"));
        assertEquals(400, r.status);
        assertErrorShape(r);
        String message = r.json().get("errors").get(0).get("message").asText();
        assertTrue(message, message.contains("line 3, column 3"));
        assertTrue(message, message.contains("expect"));
        assertFalse(message, message.contains("Source"));
        r = call(req("POST", "/sensor-types", "conf").json("{\"a\": 1} trailing"));
        assertEquals(400, r.status);
        r = call(req("POST", "/sensor-types", "conf").json(""));
        assertEquals(400, r.status);
        assertTrue(r.text(), r.text().contains("empty"));
        assertTrue(services.calls.isEmpty());
    }

    @Test
    public void bodyOverTheLimitIs413ByContentLengthWithoutReading() throws Exception {
        FakeHttp.Req req = req("POST", "/sensor-types", "conf").body("application/json", new ByteArrayInputStream(new byte[4096]), 4096);
        FakeHttp.Resp r = call(req);
        assertEquals(413, r.status);
        assertErrorShape(r);
        assertEquals(0, req.bytesRead);
        assertTrue(services.calls.isEmpty());
    }

    @Test
    public void bodyOverTheLimitIs413WhenStreamedWithoutLength() throws Exception {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return ' ';
            }
        };
        FakeHttp.Req req = req("POST", "/sensor-types", "conf").body("application/json", endless, -1);
        FakeHttp.Resp r = call(req);
        assertEquals(413, r.status);
        assertErrorShape(r);
        assertTrue("read " + req.bytesRead, req.bytesRead <= MAX + 1);
        // exactly at the limit is fine
        String json = "{\"sensor_type_name\": \"gps\"}";
        String padded = json + " ".repeat((int) MAX - json.length());
        assertEquals(201, call(req("POST", "/sensor-types", "conf").body("application/json",
                new ByteArrayInputStream(padded.getBytes()), -1)).status);
    }

    @Test
    public void unsupportedMediaTypeIs415() throws Exception {
        FakeHttp.Resp r = call(req("POST", "/sensor-types", "conf").body("text/plain", new ByteArrayInputStream("x".getBytes()), 1));
        assertEquals(415, r.status);
        assertErrorShape(r);
        r = call(req("POST", "/sensor-instances/si-1/control", "user").part("file", "{}"));
        assertEquals(415, r.status);
    }

    @Test
    public void registerSensorTypesFromBodyOrMultipart() throws Exception {
        FakeHttp.Resp r = call(req("POST", "/sensor-types", "conf").json("[{\"sensor_type_name\": \"gps\"}]"));
        assertEquals(201, r.status);
        assertEquals("{\"registered\":[\"gps\"]}", r.text());
        r = call(req("POST", "/sensor-types", "conf").part("file", "{\"sensor_type_name\": \"gps\"}"));
        assertEquals(201, r.status);
        assertEquals("gps", ((JsonNode) services.calls.get(1)).get("sensor_type_name").asText());
        r = call(req("POST", "/sensor-types", "conf").part("other", "{}"));
        assertEquals(400, r.status);
        assertEquals("file", r.json().get("errors").get(0).get("path").asText());
        services.completed = false;
        r = call(req("POST", "/sensor-types", "conf").json("{}"));
        assertEquals(202, r.status);
        assertEquals("r-1", r.json().get("request_id").asText());
        assertEquals("pending", r.json().get("status").asText());
        assertEquals("/ias/api/v1/sensor-types", r.json().get("see").asText());
    }

    @Test
    public void registerSensorInstances() throws Exception {
        addInstance("si-1", "gps", Map.of("bus-id", "7"));
        FakeHttp.Resp r = call(req("POST", "/sensor-instances", "conf").json("{}"));
        assertEquals(201, r.status);
        JsonNode reg = r.json().get("registered").get(0);
        assertEquals("si-1", reg.get("id").asText());
        assertEquals("gps", reg.get("sensor_type").asText());
        assertEquals("sensor_data_si-1", reg.get("data_topic").asText());
        assertEquals("sensor_control_si-1", reg.get("control_topic").asText());
        assertEquals(4, reg.size());
    }

    @Test
    public void sensorTypesListAndOne() throws Exception {
        services.types.put("gps", new SensorType("gps", "acme", Map.of(), null));
        FakeHttp.Resp r = call(req("GET", "/sensor-types", "user"));
        assertEquals(200, r.status);
        assertEquals("gps", r.json().get(0).get("sensor_type_name").asText());
        r = call(req("GET", "/sensor-types/gps", "user"));
        assertEquals("acme", r.json().get("company").asText());
        r = call(req("GET", "/sensor-types/none", "user"));
        assertEquals(404, r.status);
        assertErrorShape(r);
    }

    @Test
    public void sensorInstancesFilteredByTypeAndTagsWithStatus() throws Exception {
        addInstance("si-1", "gps", Map.of("bus-id", "7", "placeholder", "front"));
        addInstance("si-2", "gps", Map.of("bus-id", "8"));
        addInstance("si-3", "temp", Map.of("bus-id", "7"));
        services.statuses.put("si-1", new SensorStatus("si-1", ConnectionState.CONNECTED, "org.iasplatform.driver.jsonlines 0.1.0",
                12, 1, 1700000000000L, ""));
        FakeHttp.Resp r = call(req("GET", "/sensor-instances", "user").query("sensor_type=gps&bus-id=7"));
        assertEquals(200, r.status);
        JsonNode list = r.json();
        assertEquals(1, list.size());
        JsonNode i = list.get(0);
        assertEquals("si-1", i.get("id").asText());
        assertEquals("front", i.get("placeholder").asText());
        assertEquals("CONNECTED", i.get("status").get("state").asText());
        assertEquals(12, i.get("status").get("readings").asInt());
        assertEquals(1, i.get("status").get("invalid").asInt());
        assertEquals(1700000000000L, i.get("status").get("last_reading_at").asLong());
        assertEquals(3, call(req("GET", "/sensor-instances", "user")).json().size());
        assertEquals(2, call(req("GET", "/sensor-instances", "user").query("bus-id=7")).json().size());
        r = call(req("GET", "/sensor-instances/si-2", "user"));
        assertEquals("si-2", r.json().get("id").asText());
        assertNull(r.json().get("status"));
        assertEquals(404, call(req("GET", "/sensor-instances/si-9", "user")).status);
    }

    @Test
    public void readingsWithLimit() throws Exception {
        addInstance("si-1", "gps", Map.of());
        String topic = Topics.dataTopic("si-1");
        services.messaging.retain(topic, List.of(
                new Message(topic, "si-1", "{\"sensor_instance_id\":\"si-1\",\"timestamp\":1,\"data\":{\"lat\":1.5}}", 1, 0, 0),
                new Message(topic, "si-1", "not json", 2, 0, 1),
                new Message(topic, "si-1", "{\"sensor_instance_id\":\"si-1\",\"timestamp\":3,\"data\":{\"lat\":2}}", 3, 0, 2)));
        FakeHttp.Resp r = call(req("GET", "/sensor-instances/si-1/readings", "user"));
        assertEquals(200, r.status);
        assertEquals(10, services.messaging.lastLatestCount());
        assertEquals(2, r.json().size());
        assertEquals(1.5, r.json().get(0).get("data").get("lat").asDouble(), 0);
        assertEquals(3, r.json().get(1).get("timestamp").asLong());
        r = call(req("GET", "/sensor-instances/si-1/readings", "user").query("limit=1"));
        assertEquals(1, services.messaging.lastLatestCount());
        for (String bad : List.of("0", "1001", "x", "-1", "")) {
            r = call(req("GET", "/sensor-instances/si-1/readings", "user").query("limit=" + bad));
            assertEquals(bad, 400, r.status);
            assertEquals("limit", r.json().get("errors").get(0).get("path").asText());
        }
        assertEquals(200, call(req("GET", "/sensor-instances/si-1/readings", "user").query("limit=1000")).status);
        assertEquals(404, call(req("GET", "/sensor-instances/si-9/readings", "user")).status);
    }

    @Test
    public void controlIsSentAnd202() throws Exception {
        FakeHttp.Resp r = call(req("POST", "/sensor-instances/si-1/control", "user")
                .json("{\"function\": \"setLevel\", \"params\": {\"level\": 3}}"));
        assertEquals(202, r.status);
        assertEquals("{\"status\":\"sent\"}", r.text());
        assertEquals("si-1 ControlCommand[function=setLevel, params={level=3}]", services.calls.get(0));
        assertEquals(202, call(req("POST", "/sensor-instances/si-1/control", "conf").json("{\"function\": \"off\"}")).status);
        r = call(req("POST", "/sensor-instances/si-1/control", "user").json("{\"params\": {}}"));
        assertEquals(400, r.status);
        assertEquals("/function", r.json().get("errors").get(0).get("path").asText());
        r = call(req("POST", "/sensor-instances/si-1/control", "user").json("{\"function\": \"f\", \"params\": [1]}"));
        assertEquals("/params", r.json().get("errors").get(0).get("path").asText());
        services.failure = new IasException(ErrorKind.NOT_FOUND, "id", "no such instance");
        assertEquals(404, call(req("POST", "/sensor-instances/si-9/control", "user").json("{\"function\": \"f\"}")).status);
    }

    @Test
    public void missingServiceIs503() throws Exception {
        services.platformManagerPresent = false;
        FakeHttp.Resp r = call(req("DELETE", "/sensor-types/gps", "conf"));
        assertEquals(503, r.status);
        assertErrorShape(r);
        assertTrue(r.text(), r.text().contains("platform_manager"));
    }
}
