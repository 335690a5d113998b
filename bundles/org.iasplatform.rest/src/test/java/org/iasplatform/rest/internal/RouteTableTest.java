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
    static final Map<String, String> EXPECTED = new LinkedHashMap<>();
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
        EXPECTED.put("POST /apps", "admin, developer");
        EXPECTED.put("GET /apps", "admin, configurator, developer, user");
        EXPECTED.put("GET /apps/{id}", "admin, configurator, developer, user");
        EXPECTED.put("GET /apps/{id}/package", "admin, configurator, developer, user");
        EXPECTED.put("GET /apps/{id}/feed", "admin, configurator, developer, user");
        EXPECTED.put("DELETE /apps/{id}", "admin, developer");
        EXPECTED.put("POST /deployments", "admin, configurator");
        EXPECTED.put("GET /deployments", "admin, configurator, developer, user");
        EXPECTED.put("GET /deployments/{job_id}", "admin, configurator, developer, user");
        EXPECTED.put("DELETE /deployments/{job_id}", "admin, configurator");
        EXPECTED.put("POST /deployments/{job_id}/run", "admin, configurator");
        EXPECTED.put("GET /instances", "admin, configurator, developer, user");
        EXPECTED.put("GET /instances/{id}", "admin, configurator, developer, user");
        EXPECTED.put("GET /instances/{id}/logs", "admin, developer");
        EXPECTED.put("GET /nodes", "admin, configurator, developer, user");
        // adding and removing nodes: the platform admin's
        EXPECTED.put("POST /nodes/provision", "admin");
        EXPECTED.put("GET /nodes/provision", "admin");
        EXPECTED.put("GET /nodes/provision/{provision_id}", "admin");
        EXPECTED.put("POST /nodes/{id}/decommission", "admin");
        EXPECTED.put("GET /services", "admin");
        EXPECTED.put("GET /services/events", "admin");
        // a notification goes to a user or a role (any role): everyone reads their own
        EXPECTED.put("GET /notifications", "admin, configurator, developer, user");
        EXPECTED.put("GET /notifications/stream", "admin, configurator, developer, user");
        EXPECTED.put("POST /notifications/{id}/read", "admin, configurator, developer, user");
        // an alert names the roles it is for: everyone sees and acknowledges theirs (the service filters)
        EXPECTED.put("GET /alerts", "admin, configurator, developer, user");
        EXPECTED.put("GET /alerts/stream", "admin, configurator, developer, user");
        EXPECTED.put("GET /alerts/{id}", "admin, configurator, developer, user");
        EXPECTED.put("POST /alerts/{id}/ack", "admin, configurator, developer, user");
        // the algorithm API: an instance's bearer token, no user login
        EXPECTED.put("GET /algorithm-instances/{id}/sensors/{index}", "instance token");
        EXPECTED.put("GET /algorithm-instances/{id}/sensors/{index}/readings/stream", "instance token");
        EXPECTED.put("POST /algorithm-instances/{id}/sensors/{index}/control", "instance token");
        EXPECTED.put("POST /algorithm-instances/{id}/notifications", "instance token");
        EXPECTED.put("POST /algorithm-instances/{id}/feed", "instance token");
        EXPECTED.put("POST /algorithm-instances/{id}/log", "instance token");
        EXPECTED.put("POST /getSensorTopic", "instance token");
        EXPECTED.put("POST /setSensorTopic", "instance token");
        // the route table with the role rules, for the endpoint × role matrix check
        EXPECTED.put("GET /routes", "admin");
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
    public void onlyHealthIsPublicOnlyTheAlgorithmApiTakesTokensAndAdminMayCallEveryUserRoute() {
        for (Route r : routes) {
            String path = r.path().template();
            boolean algorithmApi = path.startsWith("/algorithm-instances/") || path.equals("/getSensorTopic")
                    || path.equals("/setSensorTopic");
            assertEquals(r.toString(), path.equals("/health"), !r.access().authenticated());
            assertEquals(r.toString(), algorithmApi, r.access().instanceToken());
            if (algorithmApi) {
                assertFalse(r + ": a user login, even admin's, is no instance token", r.access().allows(Set.of("admin")));
            } else {
                assertTrue(r + " must allow admin", r.access().allows(Set.of("admin")));
            }
        }
    }

    @Test
    public void theRoleMatrix() {
        for (Route r : routes) {
            if (!r.access().authenticated() || r.access().instanceToken()) {
                continue;
            }
            String path = r.path().template();
            assertFalse(r.toString(), r.access().allows(Set.of()));
            assertFalse(r.toString(), r.access().allows(Set.of("karaf-only-role")));
            if (path.startsWith("/services") || path.startsWith("/nodes/") || path.equals("/routes")) { // components, adding/removing nodes: admin's
                for (String role : List.of("configurator", "developer", "user")) {
                    assertFalse(r + " is not " + role + "'s", r.access().allows(Set.of(role)));
                }
            } else if (r.method().equals("GET") && !path.endsWith("/logs")) {
                for (String role : Access.PLATFORM_ROLES) {
                    assertTrue(r + " is readable by " + role, r.access().allows(Set.of(role)));
                }
            } else if (path.startsWith("/sensor-") && !path.endsWith("/control") || path.startsWith("/deployments")) {
                assertTrue(r.toString(), r.access().allows(Set.of("configurator")));
                assertFalse(r.toString(), r.access().allows(Set.of("developer")));
                assertFalse(r.toString(), r.access().allows(Set.of("user")));
            } else if (path.startsWith("/apps") || path.endsWith("/logs")) {
                assertTrue(r.toString(), r.access().allows(Set.of("developer")));
                assertFalse(r.toString(), r.access().allows(Set.of("configurator")));
                assertFalse(r.toString(), r.access().allows(Set.of("user")));
            }
        }
        Route control = find("POST", "/sensor-instances/{id}/control");
        assertTrue(control.access().allows(Set.of("user")));
        assertFalse(find("POST", "/sensor-types").access().allows(Set.of("user")));
        assertTrue(find("POST", "/notifications/{id}/read").access().allows(Set.of("user")));
    }

    @Test
    public void onlyTheAppUploadHasABodyLimitOfItsOwn() {
        for (Route r : routes) {
            boolean upload = r.method().equals("POST") && r.path().template().equals("/apps");
            assertEquals(r.toString(), upload ? RestApi.DEFAULT_MAX_UPLOAD_BYTES : 0, r.maxBodyBytes());
        }
    }

    @Test
    public void theDefaultsOfTheConfigurationAreTheTablesDefaults() throws Exception {
        assertEquals(RestApi.DEFAULT_MAX_UPLOAD_BYTES, RestConfig.class.getMethod("max__upload__bytes").getDefaultValue());
        assertEquals((int) RestApi.DEFAULT_KEEPALIVE.toSeconds(), RestConfig.class.getMethod("stream__keepalive__seconds").getDefaultValue());
        assertEquals(RestApi.DEFAULT_MAX_STREAMS, RestConfig.class.getMethod("max__streams").getDefaultValue());
    }

    @Test
    public void accessRules() {
        assertEquals("instance token", Access.INSTANCE_TOKEN.describe());
        assertFalse(Access.INSTANCE_TOKEN.allows(Set.of("admin", "user")));
        assertTrue(Access.INSTANCE_TOKEN.authenticated());
        try {
            new Access(true, Set.of("user"), true);
            fail();
        } catch (IllegalArgumentException expected) {
            // ok
        }
        try {
            new Access(true, Set.of());
            fail();
        } catch (IllegalArgumentException expected) {
            // ok
        }
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
