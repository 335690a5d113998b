package org.iasplatform.itests;

import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.inject.Inject;

import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.options.MavenArtifactUrlReference;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Shared set-up of the pax-exam tests: a distribution booted on free ports, and in-container helpers (HTTP calls with
 * Basic auth, polling with a deadline, services, shell commands).
 */
public abstract class IasTestSupport {
    protected static final String VERSION = System.getProperty("ias.version");
    protected static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    protected BundleContext bundleContext;

    // ---- configuration (runs in the test driver JVM) ----

    protected static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Karaf distribution on free ports, with the test's system properties propagated into the container. */
    protected static List<Option> karaf(MavenArtifactUrlReference distribution, String name) {
        List<Option> options = new ArrayList<>();
        options.add(karafDistributionConfiguration().frameworkUrl(distribution).name(name)
                .unpackDirectory(new File(System.getProperty("ias.exam.dir", "target/exam"))).useDeployFolder(false));
        options.add(configureConsole().ignoreLocalConsole());
        options.add(logLevel(LogLevel.INFO));
        options.add(editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", String.valueOf(freePort())));
        options.add(editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort", String.valueOf(freePort())));
        options.add(editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", String.valueOf(freePort())));
        for (String property : List.of("ias.version", "karaf.version", "ias.sample.driver.jar", "ias.fixtures.dir",
                "ias.sample.apps.dir")) {
            if (System.getProperty(property) != null) {
                options.add(systemProperty(property).value(System.getProperty(property)));
            }
        }
        return options;
    }

    protected static MavenArtifactUrlReference iasDistribution(String artifactId) {
        return maven().groupId("org.iasplatform").artifactId(artifactId).version(VERSION).type("tar.gz");
    }

    /** Infrastructure ports of the embedded servers, free ones, so that tests never meet a running platform. */
    protected static List<Option> freeInfraPorts() {
        String cfg = "etc/org.iasplatform.infra.cfg";
        return List.of(editConfigurationFilePut(cfg, "embedded_kafka_port", String.valueOf(freePort())),
                editConfigurationFilePut(cfg, "embedded_kafka_controller_port", String.valueOf(freePort())),
                editConfigurationFilePut(cfg, "embedded_mongo_port", String.valueOf(freePort())));
    }

    protected static Option httpPort(int port) {
        return editConfigurationFilePut("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port", String.valueOf(port));
    }

    // ---- in-container helpers ----

    protected static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
            }
            try {
                Thread.sleep(100); // polling interval, not synchronisation: the condition decides
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for: " + what);
            }
        }
    }

    /** Waits until GET /health answers UP overall with no component DOWN: every platform service is in place. */
    protected void awaitHealthy(int port) {
        await("GET /health answers UP with every component UP", Duration.ofSeconds(180), () -> {
            String body = call(port, "GET", "/health", null, null, null).body();
            return body.startsWith("{\"status\":\"UP\"") && !body.contains("DOWN");
        });
    }

    protected <T> T service(Class<T> type, String filter, Duration timeout) {
        try {
            ServiceTracker<T, T> tracker = filter == null ? new ServiceTracker<>(bundleContext, type, null)
                    : new ServiceTracker<>(bundleContext, bundleContext.createFilter("(&(objectClass=" + type.getName() + ")"
                            + filter + ")"), null);
            tracker.open();
            T service = tracker.waitForService(timeout.toMillis());
            if (service == null) {
                fail("no " + type.getName() + (filter == null ? "" : " " + filter) + " service within " + timeout.toSeconds() + " s");
            }
            return service;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    protected Bundle bundle(String symbolicName) {
        for (Bundle b : bundleContext.getBundles()) {
            if (b.getSymbolicName().equals(symbolicName)) {
                return b;
            }
        }
        return null;
    }

    /** Runs a Karaf shell command and returns what it printed. */
    protected String shell(String command) {
        SessionFactory factory = service(SessionFactory.class, null, Duration.ofSeconds(30));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        Session session = factory.create(System.in, print, print);
        try {
            Object result = session.execute(command);
            if (result != null) {
                print.println(result);
            }
        } catch (Exception e) {
            print.println("ERROR: " + e);
        } finally {
            session.close();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A zip of text entries (an app.zip). */
    protected static byte[] zip(Map<String, String> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /** The answer of one HTTP call. */
    protected record Answer(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    protected Answer call(int port, String method, String path, String user, String contentType, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ias/api/v1" + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8)));
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Answer(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}
