package org.iasplatform.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.iasplatform.api.messaging.SubscriptionInfo;
import org.iasplatform.api.service.ServiceEvent;
import org.iasplatform.api.service.ServiceEventKind;
import org.iasplatform.api.service.ServiceHealth;
import org.iasplatform.api.service.ServiceStatus;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** GET /services and GET /services/events through the dispatcher: who may call them, their JSON, bad queries. */
public class ServiceRoutesTest {
    private static final Map<String, Set<String>> USERS = Map.of("admin", Set.of("admin"), "conf", Set.of("configurator"),
            "user", Set.of("user"), "dev", Set.of("developer"));

    private final FakeServices services = new FakeServices();
    private final Authenticator authenticator = (u, p) -> u.equals(p) ? Optional.ofNullable(USERS.get(u)) : Optional.empty();
    private final Dispatcher dispatcher = new Dispatcher(new Router(RestApi.routes(services, Json.newMapper(), Runnable::run,
            new EventStreams(Duration.ofMillis(50), 4), 4096)), authenticator, Json.newMapper(), 1024);

    private FakeHttp.Resp get(String path, String user) throws Exception {
        return get(path, null, user);
    }

    private FakeHttp.Resp get(String path, String query, String user) throws Exception {
        FakeHttp.Resp resp = new FakeHttp.Resp();
        dispatcher.dispatch(new FakeHttp.Req("GET", path).query(query).basic(user, user).build(), resp.build());
        return resp;
    }

    private static ServiceEvent event(String component, ServiceEventKind kind, long at) {
        return new ServiceEvent("root@test", component, "org.iasplatform.binder", kind, kind + " reason", 1, at);
    }

    @Test
    public void theComponentsWithTheirConsumersStateRestartsLastEventAndPlatform() throws Exception {
        SubscriptionInfo consumer = new SubscriptionInfo("ias-sensor-binder-3", "sensor-binder",
                List.of("pm_to_sensor_binder"), true, 4L, "org.iasplatform.binder",
                List.of("org.iasplatform.binder.internal.SensorBinderComponent"), 1000, 2000);
        services.serviceList.add(new ServiceHealth("org.iasplatform.binder.internal.SensorBinderComponent",
                "org.iasplatform.binder", 42, "ACTIVE", ServiceStatus.OK, null, 1, null,
                event("org.iasplatform.binder.internal.SensorBinderComponent", ServiceEventKind.RECOVERED, 3000),
                "root@test", List.of(consumer)));
        FakeHttp.Resp r = get("/services", "admin");
        assertEquals(r.text(), 200, r.status);
        JsonNode body = r.json();
        assertEquals("root@test", body.path("platform").asText());
        JsonNode s = body.path("services").get(0);
        assertEquals("org.iasplatform.binder.internal.SensorBinderComponent", s.path("name").asText());
        assertEquals("org.iasplatform.binder", s.path("bundle").asText());
        assertEquals(42, s.path("bundle_id").asLong());
        assertEquals("ACTIVE", s.path("state").asText());
        assertEquals("OK", s.path("status").asText());
        assertTrue(s.toString(), s.has("failure") && s.path("failure").isNull());
        assertEquals(1, s.path("restarts").asInt());
        assertTrue(s.path("next_restart").isNull());
        assertEquals("RECOVERED", s.path("last_event").path("kind").asText());
        assertEquals(3000, s.path("last_event").path("at").asLong());
        assertEquals("root@test", s.path("platform").asText());
        JsonNode c = s.path("consumers").get(0);
        assertEquals("sensor-binder", c.path("group").asText());
        assertEquals("pm_to_sensor_binder", c.path("topics").get(0).asText());
        assertTrue(c.path("alive").asBoolean());
        assertEquals(4, c.path("lag").asLong());
        assertEquals("ias-sensor-binder-3", c.path("client_id").asText());
        assertEquals(2000, c.path("last_poll").asLong());
        assertEquals("the stack classes stay inside", Set.of("client_id", "group", "topics", "alive", "lag", "owner",
                "since", "last_poll"), Set.copyOf(iterable(c.fieldNames())));
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> list = new java.util.ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }

    @Test
    public void onlyTheAdminMaySeeThem() throws Exception {
        for (String user : List.of("conf", "user", "dev")) {
            assertEquals(user, 403, get("/services", user).status);
            assertEquals(user, 403, get("/services/events", user).status);
        }
        assertEquals(401, get("/services", "nobody").status);
    }

    @Test
    public void theEventsWithTheirFiltersAndLimit() throws Exception {
        services.serviceEvents.add(event("a", ServiceEventKind.FAILED, 1));
        services.serviceEvents.add(event("b", ServiceEventKind.FAILED, 2));
        services.serviceEvents.add(event("a", ServiceEventKind.RESTARTED, 3));
        FakeHttp.Resp all = get("/services/events", "admin");
        assertEquals(all.text(), 200, all.status);
        assertEquals(3, all.json().path("events").size());
        assertEquals(Arrays.asList(null, null, 100), services.lastEventsQuery);
        JsonNode first = all.json().path("events").get(0);
        assertEquals("FAILED", first.path("kind").asText());
        assertEquals("a", first.path("component").asText());
        assertEquals("root@test", first.path("platform").asText());
        assertEquals("FAILED reason", first.path("reason").asText());

        FakeHttp.Resp filtered = get("/services/events", "component=a&platform=root%40test&limit=5", "admin");
        assertEquals(filtered.text(), 200, filtered.status);
        assertEquals(2, filtered.json().path("events").size());
        assertEquals(Arrays.asList("a", "root@test", 5), services.lastEventsQuery);
    }

    @Test
    public void aBadLimitIsRefusedSayingWhatIsExpectedAndNothingIsAsked() throws Exception {
        for (String limit : List.of("0", "1001", "ten", "-3", "")) {
            services.lastEventsQuery.clear();
            FakeHttp.Resp r = get("/services/events", "limit=" + limit, "admin");
            assertEquals(limit + ": " + r.text(), 400, r.status);
            JsonNode error = r.json().path("errors").get(0);
            assertEquals("limit", error.path("path").asText());
            assertEquals("expected an integer from 1 to 1000, got '" + limit + "'", error.path("message").asText());
            assertEquals(List.of(), services.lastEventsQuery);
        }
    }

    @Test
    public void withoutTheServiceLifecycleBothAnswer503NamingIt() throws Exception {
        services.absent.add("services");
        for (String path : List.of("/services", "/services/events")) {
            FakeHttp.Resp r = get(path, "admin");
            assertEquals(r.text(), 503, r.status);
            assertTrue(r.text(), r.text().contains("service_lifecycle (services) is not available right now"));
        }
    }
}
