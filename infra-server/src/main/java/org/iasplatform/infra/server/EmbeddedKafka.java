package org.iasplatform.infra.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A real single-node Apache Kafka: one process that is both broker and KRaft controller, listening on 127.0.0.1 only.
 * <p>
 * Its storage lives under {@code dataDir}: {@code kafka-logs/} holds the topic partitions and the metadata log;
 * {@code cluster.id} holds the cluster id chosen when the storage was formatted (on first start). Starting again on
 * the same directory keeps all topics, records and committed offsets. Settings are those of a single node:
 * replication factor 1 everywhere, {@code min.insync.replicas=1}, no initial rebalance delay, topics created on first
 * use with one partition.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Pattern CLUSTER_ID = Pattern.compile("[A-Za-z0-9_-]{22}");

    private final Path dataDir;
    private final int requestedPort;
    private final int requestedControllerPort;

    private final Object lock = new Object();
    private KafkaRaftServer server;
    private int port;
    private int controllerPort;
    private boolean closed;

    /**
     * @param dataDir        where the broker keeps its data; created if missing
     * @param port           the PLAINTEXT (client) listener port on 127.0.0.1; 0: a free port
     * @param controllerPort the KRaft controller listener port on 127.0.0.1; 0: a free port
     */
    public EmbeddedKafka(Path dataDir, int port, int controllerPort) {
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath();
        this.requestedPort = Ports.checkPort("Kafka port", port);
        this.requestedControllerPort = Ports.checkPort("Kafka controller port", controllerPort);
        if (port != 0 && port == controllerPort) {
            throw new IllegalArgumentException("Kafka port and controller port must differ, both are " + port);
        }
    }

    /**
     * Formats the storage if this is its first use, then starts the broker and returns once it accepts clients.
     *
     * @throws IOException when the ports are taken, the directory cannot be used (e.g. another broker holds it) or
     *                     the broker fails to start
     * @throws IllegalStateException when already started or closed
     */
    public void start() throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("EmbeddedKafka on " + dataDir + " is closed");
            }
            if (server != null) {
                throw new IllegalStateException("EmbeddedKafka on " + dataDir + " is already started");
            }
            ServerLogging.ensureConfigured();
            Path logDir = dataDir.resolve("kafka-logs");
            Files.createDirectories(logDir);

            int p = requestedPort == 0 ? Ports.freePort() : requestedPort;
            int cp = requestedControllerPort;
            while (cp == 0 || cp == p) {
                cp = Ports.freePort();
            }
            Ports.requireFree("Kafka", p);
            Ports.requireFree("Kafka controller", cp);

            KafkaConfig config;
            try {
                config = KafkaConfig.fromProps(brokerProperties(logDir, p, cp), false);
            } catch (RuntimeException e) {
                throw new IOException("invalid Kafka configuration: " + e.getMessage(), e);
            }
            String clusterId = clusterId();
            format(config, logDir, clusterId);

            KafkaRaftServer s = new KafkaRaftServer(config, Time.SYSTEM);
            try {
                s.startup();
            } catch (RuntimeException e) {
                shutdownQuietly(s);
                throw new IOException("Kafka failed to start on " + Ports.HOST + ":" + p + " with data in " + dataDir
                        + ": " + e.getMessage(), e);
            }
            server = s;
            port = p;
            controllerPort = cp;
            LOG.info("Kafka (KRaft, cluster {}) is listening on {} (controller port {}), data in {}", clusterId,
                    bootstrapServers(), cp, dataDir);
        }
    }

    /** {@code 127.0.0.1:port} of the running broker. */
    public String bootstrapServers() {
        synchronized (lock) {
            if (server == null) {
                throw new IllegalStateException("EmbeddedKafka on " + dataDir + " is not running");
            }
            return Ports.HOST + ":" + port;
        }
    }

    /** The port the broker's client listener is bound to (useful when it was created with port 0). */
    public int port() {
        synchronized (lock) {
            if (server == null) {
                throw new IllegalStateException("EmbeddedKafka on " + dataDir + " is not running");
            }
            return port;
        }
    }

    /** The port the KRaft controller listener is bound to. */
    public int controllerPort() {
        synchronized (lock) {
            if (server == null) {
                throw new IllegalStateException("EmbeddedKafka on " + dataDir + " is not running");
            }
            return controllerPort;
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Shuts the broker down cleanly (flushing its logs) and waits for it; idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (server == null) {
                return;
            }
            KafkaRaftServer s = server;
            server = null;
            LOG.info("Stopping Kafka on {}:{}", Ports.HOST, port);
            shutdownQuietly(s);
            LOG.info("Kafka stopped, data in {}", dataDir);
        }
    }

    private static void shutdownQuietly(KafkaRaftServer s) {
        try {
            s.shutdown();
            s.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Kafka did not shut down cleanly", e);
        }
    }

    private static Properties brokerProperties(Path logDir, int port, int controllerPort) {
        String h = Ports.HOST;
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + h + ":" + controllerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", "PLAINTEXT://" + h + ":" + port + "," + CONTROLLER_LISTENER + "://" + h + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + h + ":" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "10");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "10");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "true");
        p.put("delete.topic.enable", "true");
        return p;
    }

    /** The persisted cluster id, generated and written on first use. */
    private String clusterId() throws IOException {
        Path file = dataDir.resolve("cluster.id");
        if (Files.exists(file)) {
            String id = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!CLUSTER_ID.matcher(id).matches()) {
                throw new IOException("corrupt Kafka cluster id in " + file + ": '" + id + "'");
            }
            return id;
        }
        String id = Uuid.randomUuid().toString();
        Path tmp = dataDir.resolve("cluster.id.tmp");
        Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return id;
    }

    /** Writes meta.properties and the bootstrap checkpoint unless the directory is already formatted. */
    private static void format(KafkaConfig config, Path logDir, String clusterId) throws IOException {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(print)
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .addDirectory(logDir.toString())
                    .setIgnoreFormatted(true)
                    .run();
        } catch (Exception e) {
            throw new IOException("cannot format Kafka storage in " + logDir + ": " + e.getMessage(), e);
        }
        LOG.info("Formatted Kafka storage: {}", out.toString(StandardCharsets.UTF_8).trim());
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + dataDir + "]";
    }
}
