package org.iasplatform.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import javax.security.auth.Subject;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Login rate limiting over real HTTP: the real RestServlet in Jetty, logging in through a JAAS realm (name == password,
 * role = name) that counts how often it is asked.
 */
public class LoginRateLimitHttpTest {
    private static final String REALM = "ias-throttle-test";
    /** How many logins the realm was asked for (the module is instantiated by JAAS, so the count lives here). */
    static final AtomicInteger ASKED = new AtomicInteger();

    /** EmbeddedHttpTest's module, counted. */
    public static final class CountingLoginModule implements LoginModule {
        private final EmbeddedHttpTest.TestLoginModule delegate = new EmbeddedHttpTest.TestLoginModule();

        @Override
        public void initialize(Subject subject, CallbackHandler handler, Map<String, ?> sharedState, Map<String, ?> options) {
            delegate.initialize(subject, handler, sharedState, options);
        }

        @Override
        public boolean login() throws LoginException {
            ASKED.incrementAndGet();
            return delegate.login();
        }

        @Override
        public boolean commit() {
            return delegate.commit();
        }

        @Override
        public boolean abort() {
            return delegate.abort();
        }

        @Override
        public boolean logout() {
            return delegate.logout();
        }
    }

    private final HttpClient client = HttpClient.newHttpClient();
    private final ObjectMapper mapper = new ObjectMapper();
    private ServedApi api;
    private String base;

    @Before
    public void start() throws Exception {
        ASKED.set(0);
        // 3 failures of a name at an address, 5 from an address; no login cache, so every success asks the realm
        api = new ServedApi(REALM, CountingLoginModule.class, Map.of("jaas__realm", REALM, "auth__cache__seconds", 0,
                "login__max__failures", 3, "login__max__failures__per__address", 5, "login__lockout__seconds", 120),
                servlet -> { });
        base = api.base;
    }

    @After
    public void stop() throws Exception {
        api.close();
    }

    /** GET /routes (admin only, needs no platform service) as user:password. */
    private HttpResponse<String> login(String user, String password) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + "/routes")).header("Authorization", "Basic "
                + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    public void repeatedFailuresAreRefusedWith429AndRetryAfterWithoutAskingTheRealmEvenWithTheRightPassword() throws Exception {
        assertEquals(200, login("admin", "admin").statusCode());
        for (int i = 0; i < 3; i++) {
            assertEquals(401, login("admin", "guess" + i).statusCode());
        }
        int asked = ASKED.get();
        HttpResponse<String> refused = login("admin", "admin");
        assertEquals(refused.body(), 429, refused.statusCode());
        long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
        assertTrue("Retry-After " + retryAfter, retryAfter > 100 && retryAfter <= 120);
        JsonNode error = mapper.readTree(refused.body()).get("errors").get(0);
        assertEquals("", error.get("path").asText());
        assertTrue(error.get("message").asText(), error.get("message").asText().contains("too many failed logins")
                && error.get("message").asText().contains("try again in "));
        assertEquals(429, login("admin", "guess-again").statusCode());
        assertEquals("a refused attempt never reaches the realm", asked, ASKED.get());
        // another user name from this address may still log in
        HttpResponse<String> other = login("developer", "developer");
        assertEquals(other.body(), 403, other.statusCode()); // logged in; /routes is the admin's
        assertEquals(asked + 1, ASKED.get());
    }

    @Test
    public void aSuccessfulLoginResetsTheCountOfItsUserName() throws Exception {
        for (int round = 0; round < 2; round++) {
            assertEquals(401, login("admin", "guess").statusCode());
            assertEquals(401, login("admin", "guess").statusCode());
            assertEquals(200, login("admin", "admin").statusCode());
        }
        // four failures from the address so far; a fifth locks the address out, for every user name
        assertEquals(401, login("nobody", "guess").statusCode());
        assertEquals(429, login("user", "user").statusCode());
    }
}
