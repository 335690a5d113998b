package org.iasplatform.infra.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.bson.Document;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;

/** The launcher with the real jars the bundle carries: a real child JVM with real servers. */
public class InfraProcessTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private InfraProcess child;

    @After
    public void stopChild() {
        if (child != null) {
            child.stop(Duration.ofSeconds(30));
        }
    }

    @Test(timeout = 240_000)
    public void launchesKafkaAndMongoFromTheBundledJarsThenStopKillsTheChild() throws Exception {
        Path data = tmp.newFolder("embedded").toPath();
        List<Path> classpath = LibraryExtractor.extract(TestSupport.builtJars(), data.resolve("lib-test"));
        LaunchSpec spec = TestSupport.spec(data, true, true, 0);

        child = InfraProcess.start(spec, classpath);
        InfraProcess.Ready ready = child.awaitReady(spec.startTimeout());
        assertTrue(ready.kafkaBootstrapServers(), ready.kafkaBootstrapServers().matches("127\\.0\\.0\\.1:\\d+"));
        assertTrue(ready.mongoUri(), ready.mongoUri().matches("mongodb://127\\.0\\.0\\.1:\\d+"));
        assertEquals(Long.toString(child.pid()), Files.readString(spec.pidFile()).trim());

        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, ready.kafkaBootstrapServers());
        try (Admin admin = Admin.create(p)) {
            assertEquals(1, admin.describeCluster().nodes().get(60, TimeUnit.SECONDS).size());
            admin.createTopics(List.of(new NewTopic("infra-bundle-test", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
            assertTrue(admin.listTopics().names().get(60, TimeUnit.SECONDS).contains("infra-bundle-test"));
        }
        try (MongoClient client = mongo(ready.mongoUri())) {
            client.getDatabase("sensor_registry").getCollection("sensor_type").insertOne(new Document("_id", "t"));
            assertNotNull(client.getDatabase("sensor_registry").getCollection("sensor_type")
                    .find(Filters.eq("_id", "t")).first());
        }
        assertTrue("the child's stdout goes to the log",
                Files.readString(spec.logFile()).contains("IAS-INFRA READY kafka=" + ready.kafkaBootstrapServers()));
        assertTrue("the servers log to their own file", Files.size(spec.detailLogFile()) > 0);

        long pid = child.pid();
        child.stop(Duration.ofSeconds(30));
        assertFalse(child.isAlive());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertFalse("pid file removed", Files.exists(spec.pidFile()));
        assertTrue("stopped cleanly (SIGTERM → servers closed)",
                Files.readString(spec.detailLogFile()).contains("Kafka stopped"));
    }

    @Test(timeout = 120_000)
    public void aChildThatFailsToStartReportsItsErrorLine() throws Exception {
        Path data = tmp.newFolder("embedded").toPath();
        List<Path> classpath = LibraryExtractor.extract(TestSupport.builtJars(), data.resolve("lib-test"));
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            LaunchSpec spec = TestSupport.spec(data, false, true, taken.getLocalPort());
            child = InfraProcess.start(spec, classpath);
            IOException e = assertThrows(IOException.class, () -> child.awaitReady(spec.startTimeout()));
            assertTrue(e.getMessage(), e.getMessage().contains("exited with code 1")
                    && e.getMessage().contains("Mongo port " + taken.getLocalPort()));
            child.stop(Duration.ofSeconds(30));
            assertFalse(Files.exists(spec.pidFile()));
        }
    }

    @Test
    public void readyLineWithoutKafkaIsParsed() throws Exception {
        Path data = tmp.newFolder("embedded").toPath();
        List<Path> classpath = LibraryExtractor.extract(TestSupport.builtJars(), data.resolve("lib-test"));
        child = InfraProcess.start(TestSupport.spec(data, false, true, 0), classpath);
        InfraProcess.Ready ready = child.awaitReady(Duration.ofSeconds(60));
        assertNull(ready.kafkaBootstrapServers());
        assertNotNull(ready.mongoUri());
    }

    static MongoClient mongo(String uri) {
        return MongoClients.create(MongoClientSettings.builder().applyConnectionString(new ConnectionString(uri))
                .applyToClusterSettings(b -> b.serverSelectionTimeout(20, TimeUnit.SECONDS)).build());
    }
}
