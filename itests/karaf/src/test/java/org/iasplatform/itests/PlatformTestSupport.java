package org.iasplatform.itests;

import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

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
        options.add(mavenBundle("org.iasplatform", "ias-device-simulator", VERSION));
        return options.toArray(new Option[0]);
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
