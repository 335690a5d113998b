package org.iasplatform.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.iasplatform.api.alert.Alert;
import org.iasplatform.api.alert.AlertKind;
import org.iasplatform.api.alert.AlertState;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** GET /alerts, /alerts/{id}, /alerts/stream and POST /alerts/{id}/ack through the dispatcher. */
public class AlertRoutesTest {
    private static final Map<String, Set<String>> USERS = Map.of("admin", Set.of("admin"), "conf", Set.of("configurator"),
            "user", Set.of("user"), "dev", Set.of("developer"), "dev1", Set.of("developer"));

    private final FakeServices services = new FakeServices();
    private final Authenticator authenticator = (u, p) -> u.equals(p) ? Optional.ofNullable(USERS.get(u)) : Optional.empty();
    private final Dispatcher dispatcher = new Dispatcher(new Router(RestApi.routes(services, Json.newMapper(), Runnable::run,
            new EventStreams(Duration.ofMillis(50), 4), 4096)), authenticator, Json.newMapper(), 1024);

    private FakeHttp.Resp call(String method, String path, String query, String user) throws Exception {
        FakeHttp.Resp resp = new FakeHttp.Resp();
        dispatcher.dispatch(new FakeHttp.Req(method, path).query(query).basic(user, user).build(), resp.build());
        return resp;
    }

    @Before
    public void alerts() {
        Instant at = Instant.parse("2025-06-01T08:00:00Z");
        services.alertList.add(new Alert("a-1", AlertKind.SENSOR_DISCONNECTED, "s1", "sensor s1 is DISCONNECTED",
                List.of("configurator"), List.of(), AlertState.ACTIVE, at, null, null, null));
        services.alertList.add(new Alert("a-2", AlertKind.INSTANCE_FAILED, "i1", "instance i1 is FAILED",
                List.of("configurator"), List.of("dev1"), AlertState.ACTIVE, at, null, null, null));
    }

    @Test
    public void listedForTheCallersRolesAndUserWithFilters() throws Exception {
        FakeHttp.Resp r = call("GET", "/alerts", null, "conf");
        assertEquals(r.text(), 200, r.status);
        JsonNode list = r.json().path("alerts");
        assertEquals(2, list.size());
        JsonNode a = list.get(0);
        assertEquals("a-1", a.path("id").asText());
        assertEquals("SENSOR_DISCONNECTED", a.path("kind").asText());
        assertEquals("2025-06-01T08:00:00Z", a.path("raised_at").asText());
        assertTrue(a.toString(), a.has("acknowledged_by") && a.path("acknowledged_by").isNull());

        assertEquals("the uploader sees the failed instance's", 1, call("GET", "/alerts", null, "dev1").json()
                .path("alerts").size());
        assertEquals("another developer sees none", 0, call("GET", "/alerts", null, "dev").json().path("alerts").size());
        assertEquals("an end user none", 0, call("GET", "/alerts", null, "user").json().path("alerts").size());

        r = call("GET", "/alerts", "kind=instance_failed&state=ACTIVE&limit=5", "conf");
        assertEquals(1, r.json().path("alerts").size());
        assertTrue(services.calls.toString(), services.calls.contains(
                "alerts conf [configurator] AlertFilter[kind=INSTANCE_FAILED, state=ACTIVE, subject=null, acknowledged=null, limit=5]"));
    }

    @Test
    public void badFiltersAre400NamingTheParameter() throws Exception {
        for (String[] bad : new String[][] {{"kind=LOUD", "kind", "expected one of [SENSOR_SILENT"},
                {"state=open", "state", "expected one of [ACTIVE, RESOLVED]"}, {"acknowledged=yes", "acknowledged",
                "expected true or false"}, {"limit=0", "limit", "expected an integer from 1 to 1000"}}) {
            FakeHttp.Resp r = call("GET", "/alerts", bad[0], "conf");
            assertEquals(bad[0], 400, r.status);
            JsonNode e = r.json().path("errors").get(0);
            assertEquals(bad[1], e.path("path").asText());
            assertTrue(e.toString(), e.path("message").asText().contains(bad[2]));
        }
    }

    @Test
    public void acknowledgedByACallerWithOneOfItsRolesRecordingWhoAndWhen() throws Exception {
        assertEquals("not an end user's", 404, call("POST", "/alerts/a-1/ack", null, "user").status);
        FakeHttp.Resp r = call("POST", "/alerts/a-1/ack", null, "conf");
        assertEquals(r.text(), 200, r.status);
        assertEquals("conf", r.json().path("acknowledged_by").asText());
        assertEquals("2025-06-01T09:00:00Z", r.json().path("acknowledged_at").asText());
        assertEquals("conf", call("GET", "/alerts/a-1", null, "conf").json().path("acknowledged_by").asText());
        assertEquals(404, call("GET", "/alerts/a-1", null, "user").status);
        assertEquals(404, call("GET", "/alerts/nope", null, "admin").status);
        assertEquals(401, call("GET", "/alerts", null, "nobody").status);
    }

    @Test
    public void aMissingAlertsServiceIs503() throws Exception {
        services.absent.add("alerts");
        FakeHttp.Resp r = call("GET", "/alerts", null, "conf");
        assertEquals(503, r.status);
        assertTrue(r.text(), r.text().contains("alerts"));
    }

    @Test
    public void theStreamCarriesOnlyTheCallersAlerts() throws Exception {
        FakeHttp.Resp resp = new FakeHttp.Resp();
        Thread t = new Thread(() -> {
            try {
                dispatcher.dispatch(new FakeHttp.Req("GET", "/alerts/stream").basic("dev1", "dev1").build(), resp.build());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        t.start();
        AlgorithmApiTest.awaitText(resp, ": ok\n\n");
        services.deliver("alerts", "{\"id\":\"a-3\",\"roles\":[\"configurator\"],\"users\":[],\"message\":\"not for dev1\"}");
        services.deliver("alerts", "{\"id\":\"a-4\",\"roles\":[\"configurator\"],\"users\":[\"dev1\"],\"message\":\"yours\"}");
        services.deliver("alerts", "{\"id\":\"a-5\",\"roles\":[\"developer\"],\"users\":[],\"message\":\"developers'\"}");
        AlgorithmApiTest.awaitText(resp, "\"id\":\"a-5\"");
        assertTrue(resp.text(), resp.text().contains("data: {\"id\":\"a-4\",\"roles\":[\"configurator\"],\"users\":[\"dev1\"],"
                + "\"message\":\"yours\"}\n\n"));
        assertFalse(resp.text(), resp.text().contains("not for dev1"));
        assertEquals(EventStreams.CONTENT_TYPE, resp.contentType);
        resp.clientGone = true;
        t.join(5000);
        assertFalse(t.isAlive());
        assertEquals(List.of("alerts"), services.closedFollows());
    }
}
