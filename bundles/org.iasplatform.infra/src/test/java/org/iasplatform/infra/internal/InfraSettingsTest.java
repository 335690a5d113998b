package org.iasplatform.infra.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class InfraSettingsTest {
    private static final Path FALLBACK = Paths.get("/fallback");

    private static InfraSettings settings(Map<String, Object> values, String karafData) {
        return InfraSettings.from(TestSupport.config(values), karafData, () -> FALLBACK);
    }

    @Test
    public void withNoConfigurationBothServersStartEmbeddedUnderKarafData() {
        InfraSettings s = settings(Map.of(), "/opt/karaf/data");
        LaunchSpec spec = s.embedded();
        assertTrue(s.startsEmbedded());
        assertTrue(spec.kafka() && spec.mongo());
        assertEquals(29092, spec.kafkaPort());
        assertEquals(29093, spec.kafkaControllerPort());
        assertEquals(27027, spec.mongoPort());
        assertEquals(Paths.get("/opt/karaf/data/ias/embedded"), spec.dataDir());
        assertEquals(List.of("-Xmx768m"), spec.jvmOptions());
        assertEquals(Duration.ofSeconds(120), spec.startTimeout());
        assertEquals(Paths.get(System.getProperty("java.home"), "bin", "java"), spec.javaExecutable());

        List<String> command = spec.command(List.of(Paths.get("/l/ias-infra-server.jar"), Paths.get("/l/k.jar")));
        assertEquals(List.of(spec.javaExecutable().toString(), "-Xmx768m", "-cp",
                "/l/ias-infra-server.jar" + java.io.File.pathSeparator + "/l/k.jar", LaunchSpec.MAIN_CLASS,
                "--kafka-dir", "/opt/karaf/data/ias/embedded/kafka", "--kafka-port", "29092",
                "--kafka-controller-port", "29093", "--mongo-dir", "/opt/karaf/data/ias/embedded/mongo",
                "--mongo-port", "27027", "--log-file", "/opt/karaf/data/ias/embedded/infra-server-detail.log"), command);

        Endpoints e = s.endpoints(new InfraProcess.Ready("127.0.0.1:29092", "mongodb://127.0.0.1:27027"));
        assertEquals(new Endpoints("127.0.0.1:29092", "mongodb://127.0.0.1:27027", true, true), e);
    }

    @Test
    public void bothConfiguredStartsNothing() {
        InfraSettings s = settings(Map.of("kafka__bootstrap__servers", " k1:9092, k2:9092 ",
                "mongo__uri", "mongodb://m1:27017,m2:27017/?replicaSet=rs0"), null);
        assertFalse(s.startsEmbedded());
        assertEquals(new Endpoints("k1:9092,k2:9092", "mongodb://m1:27017,m2:27017/?replicaSet=rs0", false, false),
                s.configuredEndpoints());
    }

    @Test
    public void onlyWhatIsUnsetStartsEmbedded() {
        InfraSettings kafkaSet = settings(Map.of("kafka__bootstrap__servers", "kafka:9092"), null);
        assertFalse(kafkaSet.embedded().kafka());
        assertTrue(kafkaSet.embedded().mongo());
        assertEquals(FALLBACK.resolve("").toAbsolutePath(), kafkaSet.embedded().dataDir());
        assertFalse(kafkaSet.embedded().command(List.of()).contains("--kafka-dir"));
        assertEquals(new Endpoints("kafka:9092", "mongodb://127.0.0.1:27027", false, true),
                kafkaSet.endpoints(new InfraProcess.Ready(null, "mongodb://127.0.0.1:27027")));

        InfraSettings mongoSet = settings(Map.of("mongo__uri", "mongodb+srv://cluster.example.com",
                "embedded__data__dir", "/var/ias", "embedded__jvm__options", "-Xmx1g \"-Dx=a b\""), "/ignored");
        assertTrue(mongoSet.embedded().kafka());
        assertFalse(mongoSet.embedded().mongo());
        assertEquals(Paths.get("/var/ias"), mongoSet.embedded().dataDir());
        assertEquals(List.of("-Xmx1g", "-Dx=a b"), mongoSet.embedded().jvmOptions());
        assertEquals(new Endpoints("127.0.0.1:29092", "mongodb+srv://cluster.example.com", true, false),
                mongoSet.endpoints(new InfraProcess.Ready("127.0.0.1:29092", null)));
    }

    @Test
    public void badValuesAreClearErrorsNamingTheProperty() {
        assertError("kafka_bootstrap_servers: 'localhost' is not host:port",
                Map.of("kafka__bootstrap__servers", "localhost", "mongo__uri", "mongodb://m"));
        assertError("kafka_bootstrap_servers: 'k:99999' is not host:port",
                Map.of("kafka__bootstrap__servers", "k:99999"));
        assertError("mongo_uri: 'http://user:***@m' is not a mongodb://",
                Map.of("mongo__uri", "http://user:secret@m"));
        assertError("embedded_kafka_port must be between 0 and 65535", Map.of("embedded__kafka__port", 70000));
        assertError("embedded_kafka_port and embedded_kafka_controller_port must differ",
                Map.of("embedded__kafka__port", 5000, "embedded__kafka__controller__port", 5000));
        assertError("embedded_mongo_port 29092 is also an embedded Kafka port", Map.of("embedded__mongo__port", 29092));
        assertError("embedded_start_timeout_seconds must be at least 1",
                Map.of("embedded__start__timeout__seconds", 0));
        assertError("embedded_jvm_options: unbalanced double quote", Map.of("embedded__jvm__options", "-Dx=\"a"));
    }

    @Test
    public void portsOfAServerThatIsNotEmbeddedAreNotChecked() {
        InfraSettings s = settings(Map.of("kafka__bootstrap__servers", "k:9092", "embedded__mongo__port", 29092), null);
        assertEquals(29092, s.embedded().mongoPort());
    }

    @Test
    public void passwordsAreRedacted() {
        assertEquals("mongodb://u:***@h:1/db", InfraSettings.redact("mongodb://u:pss@h:1/db"));
        assertEquals("mongodb://h:1", InfraSettings.redact("mongodb://h:1"));
        assertNull(InfraSettings.redact(null));
    }

    private static void assertError(String expected, Map<String, Object> values) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings(values, "/d"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("invalid configuration org.iasplatform.infra: "));
        assertTrue(e.getMessage(), e.getMessage().contains(expected));
    }
}
