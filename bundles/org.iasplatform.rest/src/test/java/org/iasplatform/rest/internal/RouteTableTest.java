package org.iasplatform.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Test;

public class RouteTableTest {
    private final List<Route> routes = RestApi.routes(new FakeServices(), Json.newMapper(), Runnable::run);

    /** The contract: method + path → who may call it (admin may always). */
    private static final Map<String, String> EXPECTED = new LinkedHashMap<>();
    static {
        EXPECTED.put("GET /health", "none");
        EXPECTED.put("POST /sensor-types", "admin, configurator");
        EXPECTED.put("GET /sensor-types", "admin, configurator, developer, user");
        EXPECTED.put("GET /sensor-types/{name}", "admin, configurator, developer, user");
        EXPECTED.put("DELETE /sensor-types/{name}", "admin, configurator");
        EXPECTED.put("POST /sensor-instances", "admin, configurator");
        EXPECTED.put("GET /sensor-instances", "admin, configurator, developer, user");
        EXPECTED.put("GET /sensor-instances/{id}", "admin, configurator, developer, user");
        EXPECTED.put("DELETE /sensor-instances/{id}", "admin, configurator");
        EXPECTED.put("GET /sensor-instances/{id}/readings", "admin, configurator, developer, user");
        EXPECTED.put("POST /sensor-instances/{id}/control", "admin, configurator, user");
    }

    @Test
    public void everyRouteHasARoleRuleAndTheTableIsTheContract() {
        Map<String, String> actual = new LinkedHashMap<>();
        for (Route r : routes) {
            assertNotNull(r + " has no role rule", r.access());
            assertNotNull(r + " has no handler", r.handler());
            actual.put(r.method() + " " + r.path().template(), r.access().describe());
        }
        assertEquals(EXPECTED, actual);
    }

    @Test
    public void onlyHealthIsPublicAndAdminMayCallEverything() {
        for (Route r : routes) {
            assertEquals(r.toString(), r.path().template().equals("/health"), !r.access().authenticated());
            assertTrue(r + " must allow admin", r.access().allows(Set.of("admin")));
        }
    }

    @Test
    public void writesNeedConfiguratorAndReadsAnyRole() {
        for (Route r : routes) {
            if (!r.access().authenticated()) {
                continue;
            }
            if (r.method().equals("GET")) {
                assertTrue(r.toString(), r.access().allows(Set.of("user")));
                assertTrue(r.toString(), r.access().allows(Set.of("developer")));
                assertFalse(r.toString(), r.access().allows(Set.of()));
            } else {
                assertTrue(r.toString(), r.access().allows(Set.of("configurator")));
                assertFalse(r.toString(), r.access().allows(Set.of("developer")));
            }
        }
        Route control = find("POST", "/sensor-instances/{id}/control");
        assertTrue(control.access().allows(Set.of("user")));
        assertFalse(find("POST", "/sensor-types").access().allows(Set.of("user")));
    }

    @Test
    public void everyTemplateMatchesItsOwnShapeAndResolvesToItself() throws Exception {
        Router router = new Router(routes);
        for (Route r : routes) {
            String concrete = r.path().template().replaceAll("\\{[^}]+}", "x-1");
            Router.Match m = router.resolve(r.method(), concrete);
            assertEquals(r, m.route());
            assertEquals(r.path().variables().size(), m.variables().size());
        }
    }

    @Test
    public void pathTemplates() {
        PathTemplate t = new PathTemplate("/sensor-instances/{id}/readings");
        assertEquals(List.of("id"), t.variables());
        assertEquals(Map.of("id", "si-abc"), t.match("/sensor-instances/si-abc/readings").orElseThrow());
        assertEquals(Map.of("id", "si-abc"), t.match("/sensor-instances/si-abc/readings/").orElseThrow());
        assertTrue(t.match("/sensor-instances//readings").isEmpty());
        assertTrue(t.match("/sensor-instances/si-abc").isEmpty());
        assertTrue(t.match("/sensor-instances/si-abc/readings/more").isEmpty());
        assertTrue(t.match("/sensor-types/si-abc/readings").isEmpty());
        assertTrue(t.match("sensor-instances/si-abc/readings").isEmpty());
        assertTrue(new PathTemplate("/health").match("/health").isPresent());
        assertTrue(new PathTemplate("/health").match("/healthz").isEmpty());
        for (String bad : new String[] {"health", "/a//b", "/a/{b", "/a/x{b}"}) {
            try {
                new PathTemplate(bad);
                fail(bad);
            } catch (IllegalArgumentException expected) {
                // ok
            }
        }
    }

    @Test
    public void unknownPathIs404AndWrongMethodIs405WithAllow() {
        Router router = new Router(routes);
        try {
            router.resolve("GET", "/nothing-here");
            fail();
        } catch (HttpProblem e) {
            assertEquals(404, e.status());
        }
        try {
            router.resolve("PUT", "/sensor-types/gps");
            fail();
        } catch (HttpProblem e) {
            assertEquals(405, e.status());
            assertEquals("DELETE, GET", e.headers().get("Allow"));
        }
    }

    @Test(expected = IllegalArgumentException.class)
    public void aRouteCannotBeGivenTwice() {
        Route r = routes.get(1);
        new Router(List.of(r, Route.of(r.method(), r.path().template(), Access.ANY_ROLE, req -> null)));
    }

    private Route find(String method, String path) {
        return routes.stream().filter(r -> r.method().equals(method) && r.path().template().equals(path)).findFirst()
                .orElseThrow();
    }
}
