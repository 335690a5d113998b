package org.iasplatform.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.node.ProvisionRequest;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * POST /nodes/provision, GET /nodes/provision[/{id}] and POST /nodes/{id}/decommission through the dispatcher: who may
 * call them, what reaches the services, the answers, bad bodies; the password never comes back.
 */
public class NodeAdminRoutesTest {
    private static final Map<String, Set<String>> USERS = Map.of("admin", Set.of("admin"), "conf", Set.of("configurator"),
            "user", Set.of("user"));
    private static final String SECRET = "Pw-Rest-4kZ8";

    private final FakeServices services = new FakeServices();
    private final Authenticator authenticator = (u, p) -> u.equals(p) ? Optional.ofNullable(USERS.get(u)) : Optional.empty();
    private final Dispatcher dispatcher = new Dispatcher(new Router(RestApi.routes(services, Json.newMapper(), Runnable::run,
            new EventStreams(Duration.ofMillis(50), 4), 4096)), authenticator, Json.newMapper(), 1024);

    private FakeHttp.Resp call(FakeHttp.Req req) throws Exception {
        FakeHttp.Resp resp = new FakeHttp.Resp();
        dispatcher.dispatch(req.build(), resp.build());
        return resp;
    }

    private static FakeHttp.Req req(String method, String path, String user) {
        return new FakeHttp.Req(method, path).basic(user, user);
    }

    @Test
    public void provisioningStartsAndIsFollowedByItsId() throws Exception {
        FakeHttp.Resp r = call(req("POST", "/nodes/provision", "admin").json("{\"host\": \"10.0.0.7\", \"user\": \"ias\","
                + " \"port\": 2222, \"node_id\": \"n7\", \"dir\": \"/opt/ias\", \"key_file\": \"/etc/ias/id_ed25519\", "
                + "\"password\": \"" + SECRET + "\"}"));
        assertEquals(r.text(), 202, r.status);
        JsonNode body = r.json();
        assertEquals("prov-1", body.path("provision_id").asText());
        assertEquals("RUNNING", body.path("state").asText());
        assertEquals("n7", body.path("node_id").asText());
        assertEquals("/ias/api/v1/nodes/provision/prov-1", body.path("see").asText());
        assertFalse("the password never comes back", r.text().contains(SECRET));
        assertEquals(List.of(new ProvisionRequest("10.0.0.7", "ias", 2222, "n7", "/opt/ias", "/etc/ias/id_ed25519",
                SECRET)), services.provisionRequests);

        FakeHttp.Resp one = call(req("GET", "/nodes/provision/prov-1", "admin"));
        assertEquals(200, one.status);
        assertEquals("connect: node n7", one.json().path("progress").get(0).asText());
        assertEquals(1, call(req("GET", "/nodes/provision", "admin")).json().size());
        FakeHttp.Resp unknown = call(req("GET", "/nodes/provision/prov-9", "admin"));
        assertEquals(404, unknown.status);
        assertEquals("provision_id", unknown.json().path("errors").get(0).path("path").asText());
    }

    @Test
    public void aBadBodyIsRefusedWithEveryProblemAndNeverEchoesThePassword() throws Exception {
        FakeHttp.Resp r = call(req("POST", "/nodes/provision", "admin").json("{\"hots\": \"a\", \"user\": 7, "
                + "\"port\": \"22\", \"password\": [\"" + SECRET + "\"]}"));
        assertEquals(r.text(), 400, r.status);
        List<String> paths = r.json().path("errors").findValuesAsText("path");
        assertEquals(List.of("/hots", "/user", "/port", "/password"), paths);
        assertEquals("expected a string, got a array", r.json().path("errors").get(3).path("message").asText());
        assertFalse(r.text().contains(SECRET));
        assertTrue("nothing started", services.provisionRequests.isEmpty());

        assertEquals(400, call(req("POST", "/nodes/provision", "admin").json("[1, 2]")).status);
        services.nodeAdminFailure = new IasException(ErrorKind.INVALID, "host", "missing: the host to provision");
        FakeHttp.Resp refused = call(req("POST", "/nodes/provision", "admin").json("{}"));
        assertEquals(400, refused.status);
        assertEquals("host", refused.json().path("errors").get(0).path("path").asText());
    }

    @Test
    public void onlyAdminsAddOrRemoveNodesAndAMissingServiceIs503() throws Exception {
        assertEquals(403, call(req("POST", "/nodes/provision", "conf").json("{\"host\": \"h\", \"user\": \"u\"}")).status);
        assertEquals(403, call(req("GET", "/nodes/provision", "user")).status);
        assertEquals(403, call(req("POST", "/nodes/n1/decommission", "conf")).status);
        assertEquals(401, call(new FakeHttp.Req("POST", "/nodes/n1/decommission")).status);
        services.absent.add("provisioning");
        services.absent.add("decommissioning");
        FakeHttp.Resp r = call(req("POST", "/nodes/provision", "admin").json("{\"host\": \"h\", \"user\": \"u\"}"));
        assertEquals(503, r.status);
        assertTrue(r.text(), r.text().contains("node provisioning is not available right now"));
        assertEquals(503, call(req("POST", "/nodes/n1/decommission", "admin")).status);
        assertTrue(services.decommissioned.isEmpty());
    }

    @Test
    public void decommissioningAnswersWhatMovesAndMayBeForced() throws Exception {
        FakeHttp.Resp r = call(req("POST", "/nodes/n1/decommission", "admin"));
        assertEquals(r.text(), 202, r.status);
        JsonNode body = r.json();
        assertEquals("n1", body.path("node_id").asText());
        assertEquals("DRAINING", body.path("state").asText());
        assertEquals("i-1", body.path("moving").get(0).asText());
        assertEquals("2025-06-01T08:00:00Z", body.path("requested_at").asText());
        assertFalse(body.path("force").asBoolean());

        assertEquals(202, call(req("POST", "/nodes/n2/decommission", "admin").query("force=true")).status);
        assertEquals(202, call(req("POST", "/nodes/n3/decommission", "admin").json("{\"force\": true}")).status);
        assertEquals(List.of("n1", "n2 (forced)", "n3 (forced)"), services.decommissioned);
        assertEquals(400, call(req("POST", "/nodes/n4/decommission", "admin").query("force=maybe")).status);
        assertEquals(400, call(req("POST", "/nodes/n4/decommission", "admin").json("{\"force\": \"yes\"}")).status);

        services.nodeAdminFailure = new IasException(ErrorKind.CONFLICT, "node_id", "node n5 runs instances no other "
                + "node can take");
        FakeHttp.Resp conflict = call(req("POST", "/nodes/n5/decommission", "admin"));
        assertEquals(409, conflict.status);
        assertEquals("node n5 runs instances no other node can take",
                conflict.json().path("errors").get(0).path("message").asText());
    }
}
