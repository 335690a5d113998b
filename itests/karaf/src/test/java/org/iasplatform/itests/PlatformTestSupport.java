package org.iasplatform.itests;

import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Messaging;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;

import com.mongodb.client.MongoClient;

/**
 * The platform distribution on free ports (HTTP, embedded Kafka and store) with the device simulator bundle, and the
 * in-container helpers of the tests that drive it over REST.
 */
public abstract class PlatformTestSupport extends IasTestSupport {

    @Configuration
    public Option[] config() {
        int http = freePort();
        List<Option> options = new ArrayList<>(karaf(iasDistribution("ias-platform-distribution"), "IAS platform"));
        options.addAll(freeInfraPorts());
        options.add(httpPort(http));
        options.add(systemProperty("ias.test.http.port").value(String.valueOf(http)));
        options.add(editConfigurationFilePut("etc/org.iasplatform.node.cfg", "api_url", "http://127.0.0.1:" + http + "/ias/api/v1"));
        options.add(mavenBundle("org.iasplatform", "ias-device-simulator", VERSION));
        options.add(editConfigurationFilePut("etc/org.iasplatform.runtime.docker.cfg", "docker_host", dockerHost()));
        return options.toArray(new Option[0]);
    }

    /**
     * The Docker engine of the platform's local node: by default none (a socket that does not exist), so that the local
     * node never offers the docker runtime in tests that do not expect it, even on a machine running Docker.
     */
    protected String dockerHost() {
        return "unix:///nonexistent/ias-itest-no-docker-engine.sock";
    }

    protected int port() {
        return Integer.getInteger("ias.test.http.port");
    }

    protected Answer get(String user, String path) {
        return call(port(), "GET", path, user, null, null);
    }

    protected Answer post(String user, String path, String json) {
        return call(port(), "POST", path, user, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** A multipart/form-data upload of one file as part "file", with optional extra text fields (name, value, ...). */
    protected Answer upload(String user, String path, String fileName, byte[] content, String... fields) {
        String boundary = "ias-itest-" + Long.toHexString(System.nanoTime());
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        for (int i = 0; i + 1 < fields.length; i += 2) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + fields[i] + "\"\r\n\r\n"
                    + fields[i + 1] + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return call(port(), "POST", path, user, "multipart/form-data; boundary=" + boundary, body.toByteArray());
    }

    protected Answer delete(String user, String path) {
        return call(port(), "DELETE", path, user, null, null);
    }

    protected void awaitHealthy() {
        awaitHealthy(port());
    }

    protected static String fixture(String name) {
        try {
            return Files.readString(Path.of(System.getProperty("ias.fixtures.dir"), name));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** How many messages a topic holds (over all partitions): to show what a request published, or that it published nothing. */
    protected long topicEnd(String topic) throws Exception {
        List<Message> all = service(Messaging.class, null, Duration.ofSeconds(60)).latest(topic, 100_000, Duration.ofSeconds(20));
        return all.size();
    }

    protected MongoClient mongo() {
        return service(MongoClient.class, "(ias.store=platform)", Duration.ofSeconds(60));
    }

    /** What the platform logged so far (data/log/karaf.log). */
    protected static String karafLog() {
        try {
            return Files.readString(Path.of(System.getProperty("karaf.data"), "log", "karaf.log"));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the platform's log", e);
        }
    }
}
