package org.iasplatform.rest.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.deploy.BoundSensor;
import org.iasplatform.api.deploy.DeploymentInfo;
import org.iasplatform.api.deploy.DeploymentOutcome;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceLogLine;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.node.NodeState;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.api.notification.Notification;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** Apps, deployments, instances, nodes and notifications through the dispatcher, with in-memory services. */
public class DeploymentRoutesTest {
    private static final long MAX = 1024;
    private static final long MAX_UPLOAD = 4096;
    private static final Map<String, Set<String>> USERS = Map.of("admin", Set.of("admin"), "conf", Set.of("configurator"),
            "user", Set.of("user"), "dev", Set.of("developer"), "multi", Set.of("user", "configurator"));

    private final FakeServices services = new FakeServices();
    private final Authenticator authenticator = (u, p) -> u.equals(p) ? Optional.ofNullable(USERS.get(u)) : Optional.empty();
    private final Dispatcher dispatcher = new Dispatcher(new Router(RestApi.routes(services, Json.newMapper(), Runnable::run,
            new EventStreams(Duration.ofMillis(50), 4), MAX_UPLOAD)), authenticator, Json.newMapper(), MAX);

    private FakeHttp.Resp call(FakeHttp.Req req) throws Exception {
        FakeHttp.Resp resp = new FakeHttp.Resp();
        dispatcher.dispatch(req.build(), resp.build());
        return resp;
    }

    private static FakeHttp.Req req(String method, String path, String user) {
        return new FakeHttp.Req(method, path).basic(user, user);
    }

    private static String firstPath(FakeHttp.Resp r) throws Exception {
        return r.json().get("errors").get(0).get("path").asText();
    }

    // ---- apps ----

    @Test
    public void uploadAMultipartZipWithAnApplicationId() throws Exception {
        byte[] zip = {'P', 'K', 3, 4, 0, 1, 2, (byte) 0xff};
        FakeHttp.Resp r = call(req("POST", "/apps", "dev").part("file", zip).part("application_id", " bus2 "));
        assertEquals(r.text(), 201, r.status);
        JsonNode body = r.json();
        assertEquals("bus2", body.get("application_id").asText());
        assertEquals("Bus_management", body.get("application_name").asText());
        assertEquals(1, body.get("version").asInt());
        assertEquals("fareCalculator", body.get("algorithms").get(0).get("algorithm_name").asText());
        assertEquals("fareCalculator.py", body.get("algorithms").get(0).get("script").asText());
        Object[] upload = services.uploads.get(0);
        assertArrayEquals(zip, (byte[]) upload[0]);
        assertEquals("bus2", upload[1]);
        assertEquals("dev", upload[2]);
    }

    @Test
    public void uploadARawZipBodyTheIdAsQueryParameterOrNone() throws Exception {
        byte[] zip = "PK-raw".getBytes();
        FakeHttp.Resp r = call(req("POST", "/apps", "dev").query("application_id=raw")
                .body("application/zip", new ByteArrayInputStream(zip), zip.length));
        assertEquals(r.text(), 201, r.status);
        assertEquals("raw", services.uploads.get(0)[1]);
        r = call(req("POST", "/apps", "admin").body("application/octet-stream", new ByteArrayInputStream(zip), -1));
        assertEquals(201, r.status);
        assertNull("no id: the repository takes appConfig's", services.uploads.get(1)[1]);
        assertEquals("admin", services.uploads.get(1)[2]);
    }

    @Test
    public void uploadRefusals() throws Exception {
        FakeHttp.Resp r = call(req("POST", "/apps", "dev").part("other", "x"));
        assertEquals(400, r.status);
        assertEquals("file", firstPath(r));
        assertEquals(415, call(req("POST", "/apps", "dev").json("{}")).status);
        assertEquals(403, call(req("POST", "/apps", "conf").part("file", "PK")).status);
        assertEquals(403, call(req("POST", "/apps", "user").part("file", "PK")).status);
        FakeHttp.Req noLength = req("POST", "/apps", "dev").part("file", "PK");
        noLength.contentLength = -1;
        assertEquals(411, call(noLength).status);

        services.uploadFailure = new IasException(ErrorKind.UNPROCESSABLE, "/algorithm_list/0/input_sensors/0/sensor_type",
                "sensor type \"no-such-sensor\" is not registered");
        r = call(req("POST", "/apps", "dev").part("file", "PK"));
        assertEquals(422, r.status);
        assertTrue(r.text(), r.text().contains("no-such-sensor"));
    }

    @Test
    public void uploadsHaveTheirOwnBodyLimit() throws Exception {
        byte[] aboveTheJsonLimit = new byte[(int) MAX * 2];
        assertEquals(201, call(req("POST", "/apps", "dev").body("application/zip", new ByteArrayInputStream(aboveTheJsonLimit),
                aboveTheJsonLimit.length)).status);
        // declared too large: refused before reading
        FakeHttp.Req declared = req("POST", "/apps", "dev").body("application/zip", new ByteArrayInputStream(new byte[10]),
                MAX_UPLOAD + 1);
        FakeHttp.Resp r = call(declared);
        assertEquals(413, r.status);
        assertEquals(0, declared.bytesRead);
        assertTrue(r.text(), r.text().contains(String.valueOf(MAX_UPLOAD)));
        // streamed without a length: cut off one byte past the limit
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 0;
            }
        };
        FakeHttp.Req streamed = req("POST", "/apps", "dev").body("application/zip", endless, -1);
        assertEquals(413, call(streamed).status);
        assertTrue("read " + streamed.bytesRead, streamed.bytesRead <= MAX_UPLOAD + 1);
        assertEquals(1, services.apps.get("bus").size());
        // a multipart body over the upload limit
        FakeHttp.Req multipart = req("POST", "/apps", "dev").part("file", new byte[10]);
        multipart.contentLength = MAX_UPLOAD + 1;
        assertEquals(413, call(multipart).status);
    }

    @Test
    public void appsTheirVersionsAndTimesAsIsoText() throws Exception {
        call(req("POST", "/apps", "dev").part("file", "v1"));
        call(req("POST", "/apps", "dev").part("file", "v2"));
        FakeHttp.Resp r = call(req("GET", "/apps", "user"));
        assertEquals(200, r.status);
        assertEquals(1, r.json().size());
        assertEquals(2, r.json().get(0).get("version").asInt());
        assertEquals("2025-06-01T08:00:00Z", r.json().get(0).get("uploaded_at").asText());

        r = call(req("GET", "/apps/bus", "conf"));
        assertEquals(200, r.status);
        assertEquals("latest version's fields", 2, r.json().get("version").asInt());
        assertEquals(2, r.json().get("versions").size());
        assertEquals(1, r.json().get("versions").get(0).get("version").asInt());
        assertEquals(200, call(req("GET", "/apps/Bus_management", "user")).status);
        r = call(req("GET", "/apps/nope", "user"));
        assertEquals(404, r.status);
        assertTrue(r.text(), r.text().contains("nope"));
    }

    @Test
    public void downloadAPackage() throws Exception {
        call(req("POST", "/apps", "dev").part("file", "zip-one"));
        call(req("POST", "/apps", "dev").part("file", "zip-two"));
        FakeHttp.Resp r = call(req("GET", "/apps/bus/package", "user"));
        assertEquals(200, r.status);
        assertEquals("application/zip", r.contentType);
        assertEquals("attachment; filename=\"bus-v2.zip\"", r.headers.get("Content-Disposition"));
        assertEquals("zip-two", r.text());
        assertEquals("zip-one", call(req("GET", "/apps/bus/package", "user").query("version=1")).text());
        assertEquals("zip-two", call(req("GET", "/apps/bus/package", "user").query("version=latest")).text());
        r = call(req("GET", "/apps/bus/package", "user").query("version=9"));
        assertEquals(404, r.status);
        assertEquals("version", firstPath(r));
        assertTrue(r.text(), r.text().contains("[1, 2]"));
        assertEquals(400, call(req("GET", "/apps/bus/package", "user").query("version=x")).status);
        assertEquals(400, call(req("GET", "/apps/bus/package", "user").query("version=0")).status);
        assertEquals(404, call(req("GET", "/apps/nope/package", "user")).status);

        // the store fails before sending anything: an ordinary error, without the download's headers
        services.packages.clear();
        r = call(req("GET", "/apps/bus/package", "user"));
        assertEquals(404, r.status);
        assertEquals("application/json;charset=UTF-8", r.contentType);
        assertNull(r.headers.get("Content-Disposition"));
        assertTrue(r.json().get("errors").isArray());
    }

    @Test
    public void deleteAnAppNotWhileItsInstancesRun() throws Exception {
        call(req("POST", "/apps", "dev").part("file", "zip"));
        assertEquals(403, call(req("DELETE", "/apps/bus", "conf")).status);
        services.algorithmInstances.put("inst-1", instance("inst-1", "bus", InstanceState.RUNNING));
        assertEquals(409, call(req("DELETE", "/apps/bus", "dev")).status);
        services.algorithmInstances.put("inst-1", instance("inst-1", "bus", InstanceState.STOPPED));
        assertEquals(204, call(req("DELETE", "/apps/bus", "dev")).status);
        assertTrue(services.calls.contains("deleteApp bus"));
        assertEquals(404, call(req("DELETE", "/apps/nope", "dev")).status);
    }

    // ---- deployments ----

    @Test
    public void deployFromBodyOrMultipartAnswers202WithTheOutcome() throws Exception {
        services.outcome = new DeploymentOutcome("r-7", true, List.of(new DeploymentOutcome.Deployed("Bus_management",
                "fareCalculator", "64b0c0ffee", "job-0123456789abcdef", "SCHEDULED", "2030-01-01T08:00:00Z")));
        FakeHttp.Resp r = call(req("POST", "/deployments", "conf").json("{\"noOfAlgo\": 1, \"1\": {}}"));
        assertEquals(r.text(), 202, r.status);
        JsonNode d = r.json().get("deployments").get(0);
        assertEquals("fareCalculator", d.get("algorithm_name").asText());
        assertEquals("64b0c0ffee", d.get("instance_id").asText());
        assertEquals("job-0123456789abcdef", d.get("job_id").asText());
        assertEquals("SCHEDULED", d.get("state").asText());
        assertEquals("r-7", r.json().get("request_id").asText());
        assertTrue(r.json().get("completed").asBoolean());
        assertNull(r.json().get("status"));
        assertEquals(1, ((JsonNode) services.calls.get(0)).get("noOfAlgo").asInt());

        assertEquals(202, call(req("POST", "/deployments", "conf").part("file", "{\"algorithms\": [{}]}")).status);
        assertTrue(((JsonNode) services.calls.get(1)).has("algorithms"));

        services.outcome = new DeploymentOutcome("r-8", false, List.of(new DeploymentOutcome.Deployed("Bus_management",
                "fareCalculator", null, "job-1", "PENDING", null)));
        r = call(req("POST", "/deployments", "admin").json("{}"));
        assertEquals(202, r.status);
        assertEquals("pending", r.json().get("status").asText());
        assertEquals("/ias/api/v1/deployments", r.json().get("see").asText());
        assertEquals("PENDING", r.json().get("deployments").get(0).get("state").asText());
    }

    @Test
    public void deployRefusals() throws Exception {
        assertEquals(403, call(req("POST", "/deployments", "dev").json("{}")).status);
        assertEquals(403, call(req("POST", "/deployments", "user").json("{}")).status);
        assertEquals(400, call(req("POST", "/deployments", "conf").json("{\"noOfAlgo\": ")).status);
        services.failure = new IasException(ErrorKind.UNPROCESSABLE, "/1/sensor_info/0", "no registered sensor instance");
        FakeHttp.Resp r = call(req("POST", "/deployments", "conf").json("{}"));
        assertEquals(422, r.status);
        assertEquals("/1/sensor_info/0", firstPath(r));
        services.platformManagerPresent = false;
        r = call(req("POST", "/deployments", "conf").json("{}"));
        assertEquals(503, r.status);
        assertTrue(r.text(), r.text().contains("platform_manager"));
    }

    @Test
    public void deploymentsListOneStopAndRun() throws Exception {
        services.deployments.put("job-1", new DeploymentInfo("job-1", "inst-1", "Bus_management", "fareCalculator",
                DeploymentInfo.ACTIVE, Json.newMapper().readTree("{\"request_type\": \"start\"}"), Instant.parse("2030-01-01T08:00:00Z"),
                null, Instant.parse("2025-06-01T08:00:00Z"), List.of(new DeploymentInfo.Run("job-1:1",
                        Instant.parse("2025-06-01T08:00:00Z"), "scheduled", "started"))));
        FakeHttp.Resp r = call(req("GET", "/deployments", "user"));
        assertEquals(200, r.status);
        assertEquals("job-1", r.json().get(0).get("job_id").asText());
        r = call(req("GET", "/deployments/job-1", "dev"));
        assertEquals("2030-01-01T08:00:00Z", r.json().get("next_run").asText());
        assertEquals("started", r.json().get("runs").get(0).get("outcome").asText());
        assertEquals("start", r.json().get("scheduling_info").get("request_type").asText());
        assertEquals(404, call(req("GET", "/deployments/job-9", "user")).status);

        assertEquals(403, call(req("DELETE", "/deployments/job-1", "user")).status);
        r = call(req("DELETE", "/deployments/job-1", "conf"));
        assertEquals(202, r.status);
        assertEquals("{\"job_id\":\"job-1\",\"state\":\"STOPPED\"}", r.text());
        r = call(req("POST", "/deployments/job-1/run", "conf").json("{}"));
        assertEquals(202, r.status);
        assertEquals("job-1", r.json().get("job_id").asText());
        assertEquals(List.of("stop job-1", "run job-1"), services.calls);
        assertEquals(403, call(req("POST", "/deployments/job-1/run", "dev")).status);

        services.failure = new IasException(ErrorKind.CONFLICT, "job_id", "job \"job-1\" is stopped");
        assertEquals(409, call(req("POST", "/deployments/job-1/run", "conf")).status);
        services.failure = new IasException(ErrorKind.NOT_FOUND, "job_id", "job \"job-0\" is not known");
        assertEquals(404, call(req("DELETE", "/deployments/job-0", "conf")).status);
    }

    // ---- instances and nodes ----

    @Test
    public void instancesAndTheirLogs() throws Exception {
        services.algorithmInstances.put("inst-1", instance("inst-1", "Bus_management", InstanceState.RUNNING));
        FakeHttp.Resp r = call(req("GET", "/instances", "user"));
        assertEquals(200, r.status);
        assertEquals("inst-1", r.json().get(0).get("instance_id").asText());
        r = call(req("GET", "/instances/inst-1", "user"));
        JsonNode i = r.json();
        assertEquals("RUNNING", i.get("state").asText());
        assertEquals("local", i.get("node").asText());
        assertEquals("si-1", i.get("sensors").get(0).get("sensor_instance_id").asText());
        assertEquals("2025-06-01T08:00:00Z", i.get("started_at").asText());
        assertTrue("every field, null or not", i.has("exit_code") && i.get("exit_code").isNull());
        assertEquals(404, call(req("GET", "/instances/nope", "user")).status);

        for (int n = 0; n < 150; n++) {
            services.logLines.add(new InstanceLogLine(n, "stdout", "line " + n));
        }
        r = call(req("GET", "/instances/inst-1/logs", "dev"));
        assertEquals(200, r.status);
        assertEquals(100, services.lastTail);
        assertEquals("inst-1", r.json().get("instance_id").asText());
        assertEquals(100, r.json().get("lines").size());
        assertEquals("line 149", r.json().get("lines").get(99).get("line").asText());
        assertEquals("stdout", r.json().get("lines").get(0).get("stream").asText());
        assertEquals(5, call(req("GET", "/instances/inst-1/logs", "admin").query("tail=5")).json().get("lines").size());
        assertEquals(200, call(req("GET", "/instances/inst-1/logs", "dev").query("tail=10000")).status);
        for (String bad : List.of("0", "10001", "x", "")) {
            r = call(req("GET", "/instances/inst-1/logs", "dev").query("tail=" + bad));
            assertEquals(bad, 400, r.status);
            assertEquals("tail", firstPath(r));
        }
        assertEquals(403, call(req("GET", "/instances/inst-1/logs", "user")).status);
        assertEquals(403, call(req("GET", "/instances/inst-1/logs", "conf")).status);
        assertEquals(404, call(req("GET", "/instances/nope/logs", "dev")).status);
    }

    @Test
    public void nodesWithTheStrategyInForceAndTheOnesAvailable() throws Exception {
        services.nodeList.add(new NodeStatus("local", "host-a", NodeState.UP, 0.2, 0.4, 3, List.of("bundle", "process"), 7,
                1700000000000L));
        FakeHttp.Resp r = call(req("GET", "/nodes", "user"));
        assertEquals(200, r.status);
        assertEquals("least-load", r.json().get("strategy").asText());
        assertEquals("[\"fewest-instances\",\"least-load\"]", r.json().get("strategies").toString());
        JsonNode node = r.json().get("nodes").get(0);
        assertEquals("local", node.get("node_id").asText());
        assertEquals("UP", node.get("state").asText());
        assertEquals(0.3, node.get("load").asDouble(), 1e-9);
        assertEquals(1700000000000L, node.get("last_heartbeat").asLong());
    }

    // ---- notifications ----

    @Test
    public void theCallersNotificationsByUserNameAndRoles() throws Exception {
        services.notificationList.add(new Notification("n-1", "user", "lights on", "Bus_management", "lightControl", "inst-1",
                Instant.parse("2025-06-01T08:00:00Z"), false));
        services.notificationList.add(new Notification("n-2", "multi", "for you", "Bus_management", "lightControl", "inst-1",
                Instant.parse("2025-06-01T08:00:01Z"), false));
        services.notificationList.add(new Notification("n-3", "configurator", "operators", "Bus_management", "lightControl",
                "inst-1", Instant.parse("2025-06-01T08:00:02Z"), false));
        FakeHttp.Resp r = call(req("GET", "/notifications", "multi"));
        assertEquals(200, r.status);
        assertEquals(3, r.json().size());
        assertEquals("2025-06-01T08:00:00Z", r.json().get(0).get("created_at").asText());
        assertEquals("notifications multi [configurator, user] 50", services.calls.get(0));
        r = call(req("GET", "/notifications", "user").query("limit=1"));
        assertEquals(1, r.json().size());
        assertEquals("n-1", r.json().get(0).get("id").asText());
        assertEquals(400, call(req("GET", "/notifications", "user").query("limit=501")).status);
        assertEquals(200, call(req("GET", "/notifications", "dev")).status);

        assertEquals(204, call(req("POST", "/notifications/n-1/read", "user")).status);
        assertEquals(Set.of("n-1"), services.readIds);
        r = call(req("POST", "/notifications/n-3/read", "user"));
        assertEquals(404, r.status);
        assertEquals(401, call(new FakeHttp.Req("GET", "/notifications")).status);
    }

    @Test
    public void theNotificationStreamCarriesOnlyTheCallersNotifications() throws Exception {
        FakeHttp.Resp resp = new FakeHttp.Resp();
        Thread t = new Thread(() -> {
            try {
                dispatcher.dispatch(req("GET", "/notifications/stream", "user").build(), resp.build());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        t.start();
        AlgorithmApiTest.awaitText(resp, ": ok\n\n");
        services.deliver("notifications", "{\"to\": \"configurator\", \"message\": \"not for a user\"}");
        services.deliver("notifications", "{\"to\": \"user\", \"message\": \"lights on\"}");
        AlgorithmApiTest.awaitText(resp, "data: {\"to\":\"user\",\"message\":\"lights on\"}\n\n");
        assertFalse(resp.text(), resp.text().contains("not for a user"));
        assertEquals(EventStreams.CONTENT_TYPE, resp.contentType);
        resp.clientGone = true;
        t.join(5000);
        assertFalse(t.isAlive());
        assertEquals(List.of("notifications"), services.closedFollows());
    }

    // ---- missing services ----

    @Test
    public void aMissingServiceIs503NamingIt() throws Exception {
        Map<String, FakeHttp.Req> calls = Map.of(
                "apps", req("GET", "/apps", "user"),
                "deployments", req("GET", "/deployments", "user"),
                "instances", req("GET", "/instances", "user"),
                "nodes", req("GET", "/nodes", "user"),
                "notifications", req("GET", "/notifications", "user"),
                "messaging", req("GET", "/notifications/stream", "user"));
        Map<String, String> named = Map.of("apps", "app_repository", "deployments", "scheduler", "instances", "server_lifecycle",
                "nodes", "server_lifecycle", "notifications", "notifications", "messaging", "messaging");
        for (Map.Entry<String, FakeHttp.Req> e : calls.entrySet()) {
            services.absent.add(e.getKey());
            FakeHttp.Resp r = call(e.getValue());
            assertEquals(e.getKey(), 503, r.status);
            assertTrue(r.text(), r.text().contains(named.get(e.getKey())));
            services.absent.clear();
        }
        services.absent.add("apps");
        assertEquals(503, call(req("POST", "/apps", "dev").part("file", "PK")).status);
    }

    @Test
    public void healthIsDownWhileADeploymentServiceIsMissing() throws Exception {
        assertEquals("UP with every service in place", 200, call(new FakeHttp.Req("GET", "/health")).status);
        services.absent.add("notifications");
        FakeHttp.Resp r = call(new FakeHttp.Req("GET", "/health"));
        assertEquals("DOWN (still starting, or a service missing): not every call can be served", 503, r.status);
        assertEquals("DOWN", r.json().path("status").asText());
        JsonNode c = r.json().get("components");
        for (String name : List.of("app_repository", "deployments", "instances", "nodes")) {
            assertEquals(name, "UP", c.get(name).get("status").asText());
        }
        assertEquals("DOWN", c.get("notifications").get("status").asText());
    }

    static InstanceInfo instance(String id, String app, InstanceState state) {
        return new InstanceInfo(id, app, "bus", 1, "fareCalculator", "job-1", "process", "local", state, 0, 1,
                Instant.parse("2025-06-01T08:00:00Z"), null, null, null,
                List.of(new BoundSensor(0, "si-1", "gps-sensor", "sensor_data_si-1", "sensor_control_si-1")));
    }
}
