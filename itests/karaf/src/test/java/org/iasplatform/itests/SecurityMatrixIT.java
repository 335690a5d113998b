package org.iasplatform.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The endpoint × role matrix on the running platform distribution: every route the REST API serves (its own table, GET
 * /routes) has a role rule, and each demo user (and a caller without credentials) is refused (401/403, never 2xx or 5xx)
 * where the rule refuses their role and never refused where it allows it. Path variables are dummies and bodies empty:
 * an allowed call may answer 4xx for that, nothing is created or deleted. Streams (SSE) are read up to their headers.
 * Also: repeated failed logins against the real JAAS realm are rate-limited (429 with Retry-After).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SecurityMatrixIT extends PlatformTestSupport {
    /** The demo users of etc/users.properties: name == password == role. */
    private static final List<String> USERS = List.of("admin", "developer", "configurator", "user");
    /** The only routes anyone may call without credentials. */
    private static final Set<String> PUBLIC = Set.of("GET /health");

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private record Status(int code, String contentType, String body) {
    }

    @Test
    public void everyRouteHasARoleRuleAndEveryRoleIsAnsweredAsItsRuleSays() throws Exception {
        awaitHealthy();
        Answer table = get("admin", "/routes");
        assertEquals(table.toString(), 200, table.status());
        JsonNode routes = table.json().path("routes");
        assertTrue("the table lists the API's routes: " + table, routes.size() > 40);
        List<String> problems = new ArrayList<>();
        int calls = 0;
        for (JsonNode route : routes) {
            String method = route.path("method").asText();
            String template = route.path("path").asText();
            String name = method + " " + template;
            String rule = route.path("rule").asText();
            boolean authenticated = route.path("authenticated").asBoolean();
            boolean token = route.path("instance_token").asBoolean();
            Set<String> roles = new TreeSet<>();
            route.path("roles").forEach(r -> roles.add(r.asText()));
            if (rule.isEmpty() || authenticated && !token && roles.isEmpty()) {
                problems.add(name + ": no role rule (" + route + ")");
                continue;
            }
            if (!authenticated && !PUBLIC.contains(name)) {
                problems.add(name + ": public, but only " + PUBLIC + " may be");
            }
            String path = template.replaceAll("\\{index}", "0").replaceAll("\\{[^}]+}", "matrix-no-such-id");
            List<String> callers = new ArrayList<>(USERS);
            callers.add(null);
            for (String user : callers) {
                boolean allowed = !authenticated || !token && user != null && (roles.contains(user) || user.equals("admin"));
                Status s = call(method, path, user);
                calls++;
                String who = user == null ? "no credentials" : user;
                if (allowed && (s.code() == 401 || s.code() == 403 || s.code() == 500 || s.code() < 0)) {
                    problems.add(name + " [" + rule + "] as " + who + ": allowed, answered " + s.code() + " " + s.body());
                } else if (!allowed && s.code() != 401 && s.code() != 403) {
                    problems.add(name + " [" + rule + "] as " + who + ": must be refused, answered " + s.code() + " " + s.body());
                } else if (!allowed && user == null && s.code() != 401) {
                    problems.add(name + " [" + rule + "] without credentials: expected 401, answered " + s.code());
                }
            }
            if (token) { // no user login opens the algorithm API, nor a token that is no instance's
                Status s = call(method, path, null, "Bearer matrix-not-a-token");
                calls++;
                if (s.code() != 401 && s.code() != 403) {
                    problems.add(name + " with an unknown bearer token: must be refused, answered " + s.code() + " " + s.body());
                }
            }
        }
        assertEquals("endpoint × role matrix (" + routes.size() + " routes, " + calls + " calls)", List.of(), problems);
    }

    @Test
    public void repeatedFailedLoginsAreRateLimitedWith429() throws Exception {
        awaitHealthy();
        // default login_max_failures: 5 of one user name from one address within the window
        for (int i = 0; i < 5; i++) {
            Status s = call("GET", "/nodes", null, basic("matrix-intruder", "guess-" + i));
            assertEquals(s.body(), 401, s.code());
        }
        HttpResponse<InputStream> refused = send("GET", "/nodes", basic("matrix-intruder", "guess-5"));
        String body = new String(refused.body().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(body, 429, refused.statusCode());
        long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElse("0"));
        assertTrue("Retry-After " + retryAfter, retryAfter >= 1 && retryAfter <= 30);
        assertTrue(body, JSON.readTree(body).path("errors").get(0).path("message").asText().contains("too many failed logins"));
        assertTrue("the password is never logged", !karafLog().contains("guess-5"));
        // the demo users at the same address are not affected
        assertEquals(200, get("user", "/nodes").status());
    }

    private Status call(String method, String path, String user) throws IOException, InterruptedException {
        return call(method, path, user, user == null ? null : basic(user, user));
    }

    private Status call(String method, String path, String user, String authorization) throws IOException, InterruptedException {
        HttpResponse<InputStream> r;
        try {
            r = send(method, path, authorization);
        } catch (IOException e) {
            return new Status(-1, "", e.toString());
        }
        String type = r.headers().firstValue("Content-Type").orElse("");
        try (InputStream in = r.body()) {
            if (type.startsWith("text/event-stream")) { // a stream: its status and headers are the answer
                return new Status(r.statusCode(), type, "(event stream)");
            }
            byte[] bytes = in.readNBytes(2000);
            return new Status(r.statusCode(), type, new String(bytes, StandardCharsets.UTF_8));
        }
    }

    private HttpResponse<InputStream> send(String method, String path, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/ias/api/v1" + path))
                .timeout(Duration.ofSeconds(20)).method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
