package org.iasplatform.infra.server;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class EmbeddedKafkaTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test(timeout = 180_000)
    public void producedRecordIsConsumedAndSurvivesARestartOnTheSameDirectory() throws Exception {
        Path dir = tmp.newFolder("kafka").toPath();
        String clusterId;
        try (EmbeddedKafka kafka = new EmbeddedKafka(dir, 0, 0)) {
            kafka.start();
            assertEquals("127.0.0.1:" + kafka.port(), kafka.bootstrapServers());
            assertNotEquals(kafka.port(), kafka.controllerPort());
            produce(kafka.bootstrapServers(), "infra-test", "k1", "hello");
            assertEquals(List.of("k1=hello"), consume(kafka.bootstrapServers(), "infra-test", "g1", 1));
            clusterId = Files.readString(dir.resolve("cluster.id")).trim();
        }
        assertTrue("KRaft storage formatted", Files.exists(dir.resolve("kafka-logs/meta.properties")));

        try (EmbeddedKafka kafka = new EmbeddedKafka(dir, 0, 0)) {
            kafka.start();
            assertEquals("cluster id is kept", clusterId, Files.readString(dir.resolve("cluster.id")).trim());
            produce(kafka.bootstrapServers(), "infra-test", "k2", "again");
            // a new group reads the topic from the start: the record of the first run is still there
            assertEquals(List.of("k1=hello", "k2=again"), consume(kafka.bootstrapServers(), "infra-test", "g2", 2));
            // the first group's committed offset survived too: it only sees the new record
            assertEquals(List.of("k2=again"), consume(kafka.bootstrapServers(), "infra-test", "g1", 1));
        }
    }

    @Test
    public void portInUseIsAClearError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            EmbeddedKafka kafka = new EmbeddedKafka(tmp.newFolder("k").toPath(), taken.getLocalPort(), 0);
            IOException e = assertThrows(IOException.class, kafka::start);
            assertTrue(e.getMessage(), e.getMessage().contains("Kafka port " + taken.getLocalPort())
                    && e.getMessage().contains("not available"));
            kafka.close();
        }
    }

    @Test
    public void badArgumentsAreRejected() {
        Path dir = tmp.getRoot().toPath();
        assertThrows(IllegalArgumentException.class, () -> new EmbeddedKafka(dir, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new EmbeddedKafka(dir, 70000, 0));
        assertThrows(IllegalArgumentException.class, () -> new EmbeddedKafka(dir, 29092, 29092));
        assertThrows(NullPointerException.class, () -> new EmbeddedKafka(null, 0, 0));
        EmbeddedKafka notStarted = new EmbeddedKafka(dir, 0, 0);
        assertThrows(IllegalStateException.class, notStarted::bootstrapServers);
    }

    static void produce(String bootstrap, String topic, String key, String value) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(60, TimeUnit.SECONDS);
        }
    }

    /** Polls until {@code expected} records arrived (committing them) or 60 s passed. */
    static List<String> consume(String bootstrap, String topic, String group, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<String> got = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (got.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    got.add(r.key() + "=" + r.value());
                }
            }
            consumer.commitSync(Duration.ofSeconds(30));
            // nothing more than expected arrives
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(300))) {
                got.add(r.key() + "=" + r.value());
            }
        }
        return got;
    }

}
