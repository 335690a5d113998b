package org.iasplatform.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;
import javax.servlet.MultipartConfigElement;

import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
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
    private Configuration previousJaas;
    private Server server;
    private RestServlet servlet;
    private String base;

    @Before
    public void start() throws Exception {
        previousJaas = Configuration.getConfiguration();
        Configuration.setConfiguration(new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return REALM.equals(name) ? new AppConfigurationEntry[] {new AppConfigurationEntry(TestLoginModule.class.getName(),
                        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, Map.of())} : null;
            }
        });
        Map<String, Object> config = new HashMap<>(Map.of("max__body__bytes", MAX, "jaas__realm", REALM, "auth__cache__seconds", 30));
        RestConfig restConfig = (RestConfig) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {RestConfig.class},
                (p, m, a) -> m.getName().equals("annotationType") ? RestConfig.class : config.get(m.getName()));
        servlet = new RestServlet(restConfig);
        inject("platformManager", services.platformManager);
        inject("sensorRegistry", services.registry);
        inject("sensorConnections", services.connections);
        inject("messaging", services.messaging);

        server = new Server(0);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder holder = new ServletHolder("ias-rest-api", servlet);
        holder.getRegistration().setMultipartConfig(
                new MultipartConfigElement(Files.createTempDirectory("ias-rest-test").toString()));
        context.addServlet(holder, "/ias/api/v1/*");
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/ias/api/v1";
    }

    @After
    public void stop() throws Exception {
        server.stop();
        servlet.deactivate();
        Configuration.setConfiguration(previousJaas);
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
        assertEquals(11, servlet.routes().size());
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
