package org.iasplatform.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;

import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The real RestServlet in the Jetty that pax-web 8 embeds, registered as the whiteboard would (pattern
 * /ias/api/v1/*, multipart enabled), logging in through a JAAS realm whose module adds Karaf RolePrincipals.
 */
public class EmbeddedHttpTest {
    private static final String REALM = "ias-test";
    private static final long MAX = 2048;
    private static final long MAX_UPLOAD = 64 * 1024;

    /** name == password; the role is the name, except "cfg" (configurator). */
    public static final class TestLoginModule implements LoginModule {
        private Subject subject;
        private CallbackHandler handler;
        private String user;

        @Override
        public void initialize(Subject subject, CallbackHandler handler, Map<String, ?> sharedState, Map<String, ?> options) {
            this.subject = subject;
            this.handler = handler;
        }

        @Override
        public boolean login() throws LoginException {
            NameCallback name = new NameCallback("user");
            PasswordCallback password = new PasswordCallback("password", false);
            try {
                handler.handle(new Callback[] {name, password});
            } catch (Exception e) {
                throw new LoginException(e.toString());
            }
            if (!name.getName().equals(new String(password.getPassword()))) {
                throw new FailedLoginException("wrong password");
            }
            user = name.getName();
            return true;
        }

        @Override
        public boolean commit() {
            subject.getPrincipals().add(new UserPrincipal(user));
            subject.getPrincipals().add(new RolePrincipal(user.equals("cfg") ? "configurator" : user));
            return true;
        }

        @Override
        public boolean abort() {
            return true;
        }

        @Override
        public boolean logout() {
            return true;
        }
    }

    private final FakeServices services = new FakeServices();
    private final HttpClient client = HttpClient.newHttpClient();
    private ServedApi api;
    private RestServlet servlet;
    private String base;

    @Before
    public void start() throws Exception {
        Map<String, Object> config = Map.of("max__body__bytes", MAX, "jaas__realm", REALM, "auth__cache__seconds", 30,
                "max__upload__bytes", MAX_UPLOAD, "stream__keepalive__seconds", 1, "max__streams", 4);
        api = new ServedApi(REALM, TestLoginModule.class, config, servlet -> {
            this.servlet = servlet;
            inject("platformManager", services.platformManager);
            inject("sensorRegistry", services.registry);
            inject("sensorConnections", services.connections);
            inject("messaging", services.messaging);
            inject("appRepository", services.appRepository);
            inject("deployments", services.deploymentService);
            inject("instanceRegistry", services.instanceRegistry);
            inject("nodes", services.nodes);
            inject("notifications", services.notifications);
            inject("infrastructure", services.infrastructure);
        });
        base = api.base;
    }

    @After
    public void stop() throws Exception {
        api.close();
    }

    private void inject(String field, Object value) throws Exception {
        Field f = RestServlet.class.getDeclaredField(field);
        f.setAccessible(true);
        f.set(servlet, value);
    }

    private HttpRequest.Builder request(String path, String user) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8)));
        }
        return b;
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return new ObjectMapper().readTree(r.body());
    }

    @Test
    public void routeTableIsExposed() {
        assertEquals(RouteTableTest.EXPECTED.keySet(), servlet.routes().stream()
                .map(r -> r.method() + " " + r.path().template()).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    public void healthIsPublic() throws Exception {
        HttpResponse<String> r = send(request("/health", null));
        assertEquals(200, r.statusCode());
        assertEquals("UP", json(r).get("status").asText());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    @Test
    public void jaasLoginsAndRoles() throws Exception {
        HttpResponse<String> r = send(request("/sensor-types", null));
        assertEquals(401, r.statusCode());
        assertEquals("Basic realm=\"IAS\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
        assertEquals(401, send(request("/sensor-types", null).header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString("user:wrong".getBytes(StandardCharsets.UTF_8)))).statusCode());
        assertEquals(200, send(request("/sensor-types", "user")).statusCode());
        assertEquals(403, send(request("/sensor-types/gps", "user").DELETE()).statusCode());
        assertEquals(204, send(request("/sensor-types/gps", "cfg").DELETE()).statusCode());
        assertEquals(204, send(request("/sensor-types/gps", "admin").DELETE()).statusCode());
        assertEquals(403, send(request("/sensor-types", "guest")).statusCode());
    }

    @Test
    public void notFoundAndMethodNotAllowed() throws Exception {
        assertEquals(404, send(request("/nothing", "admin")).statusCode());
        HttpResponse<String> r = send(request("/sensor-types", "admin").PUT(HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(405, r.statusCode());
        assertEquals("GET, POST", r.headers().firstValue("Allow").orElse(""));
        assertTrue(json(r).get("errors").isArray());
    }

    @Test
    public void multipartUploadOfTheFilePart() throws Exception {
        String boundary = "----ias" + System.nanoTime();
        String body = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"sensorTypeRegistration.json\"\r\n"
                + "Content-Type: application/json\r\n\r\n"
                + "{\"sensor_type_list\": [{\"sensor_type_name\": \"gps\"}]}\r\n"
                + "--" + boundary + "--\r\n";
        HttpResponse<String> r = send(request("/sensor-types", "cfg").header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertEquals(r.body(), 201, r.statusCode());
        assertEquals("{\"registered\":[\"gps\"]}", r.body());
        assertEquals("gps", ((JsonNode) services.calls.get(0)).get("sensor_type_list").get(0).get("sensor_type_name").asText());

        String big = body.replace("\"gps\"}", "\"gps\", \"pad\": \"" + "x".repeat((int) MAX) + "\"}");
        r = send(request("/sensor-types", "cfg").header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(big)));
        assertEquals(413, r.statusCode());
    }

    @Test
    public void anAppZipLargerThanAJsonBodyIsUploadedAsMultipartAndDownloadedAgain() throws Exception {
        byte[] zip = new byte[(int) MAX * 8];
        new java.util.Random(7).nextBytes(zip);
        String boundary = "----ias" + System.nanoTime();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"application_id\"\r\n\r\nbus\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"app.zip\"\r\n"
                + "Content-Type: application/zip\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(zip);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = send(request("/apps", "developer").header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
        assertEquals(r.body(), 201, r.statusCode());
        assertEquals("bus", json(r).get("application_id").asText());
        assertEquals("bus", services.uploads.get(0)[1]);
        assertTrue(java.util.Arrays.equals(zip, (byte[]) services.uploads.get(0)[0]));

        HttpResponse<byte[]> download = client.send(request("/apps/bus/package", "user").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, download.statusCode());
        assertEquals("application/zip", download.headers().firstValue("Content-Type").orElse(""));
        assertTrue(java.util.Arrays.equals(zip, download.body()));

        r = send(request("/apps", "developer").header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[(int) MAX_UPLOAD + 1])));
        assertEquals(413, r.statusCode());
    }

    @Test
    public void theAlgorithmApiTakesBearerTokensAndStreamsReadingsAsTheyCome() throws Exception {
        services.algorithmInstances.put("inst-1", DeploymentRoutesTest.instance("inst-1", "Bus_management",
                org.iasplatform.api.deploy.InstanceState.RUNNING));
        services.tokens.put("tok-1", "inst-1");
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/algorithm-instances/inst-1/sensors/0")));
        assertEquals(401, r.statusCode());
        assertEquals("Bearer realm=\"IAS\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
        r = send(HttpRequest.newBuilder(URI.create(base + "/algorithm-instances/inst-1/sensors/0"))
                .header("Authorization", "Bearer tok-1"));
        assertEquals(r.body(), 200, r.statusCode());
        assertEquals("127.0.0.1:9092", json(r).get("bootstrap_servers").asText());

        HttpResponse<java.util.stream.Stream<String>> stream = client.send(HttpRequest.newBuilder(URI.create(base
                + "/algorithm-instances/inst-1/sensors/0/readings/stream")).header("Authorization", "Bearer tok-1").build(),
                HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, stream.statusCode());
        assertTrue(stream.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        java.util.Iterator<String> lines = stream.body().iterator();
        assertEquals(": ok", lines.next()); // flushed at once, before any reading
        assertEquals("", lines.next());
        services.deliver("sensor_data_si-1", "{\"sensor_instance_id\": \"si-1\", \"timestamp\": 5, \"data\": {\"lat\": 1.5}}");
        String line = lines.next();
        while (line.startsWith(":") || line.isEmpty()) {
            line = lines.next(); // keep-alive comments
        }
        assertEquals("data: {\"sensor_instance_id\":\"si-1\",\"timestamp\":5,\"data\":{\"lat\":1.5}}", line);
        stream.body().close();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!services.closedFollows().contains("sensor_data_si-1")) {
            assertTrue("the server noticed the client went away", System.nanoTime() < deadline);
            Thread.sleep(20);
        }
    }

    @Test
    public void jsonBodyLimits() throws Exception {
        HttpResponse<String> r = send(request("/sensor-types", "cfg").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[(int) MAX + 1])));
        assertEquals(413, r.statusCode());
        assertTrue(json(r).get("errors").get(0).get("message").asText().contains(String.valueOf(MAX)));
        // chunked, no Content-Length: cut off while reading
        r = send(request("/sensor-types", "cfg").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[(int) MAX * 4]))));
        assertEquals(413, r.statusCode());
        r = send(request("/sensor-types", "cfg").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"a\": }")));
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().contains("line 1, column 7"));
        r = send(request("/sensor-types", "cfg").header("Content-Type", "application/xml")
                .POST(HttpRequest.BodyPublishers.ofString("<a/>")));
        assertEquals(415, r.statusCode());
        assertEquals(List.of(), services.calls);
    }
}
