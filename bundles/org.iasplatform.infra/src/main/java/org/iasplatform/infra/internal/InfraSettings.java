package org.iasplatform.infra.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checked configuration: the configured endpoints (null when unset) and, when something is unset, what the child
 * JVM must start.
 */
record InfraSettings(String kafkaBootstrapServers, String mongoUri, LaunchSpec embedded) {

    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):(\\d{1,5})");

    boolean startsEmbedded() {
        return embedded != null;
    }

    /** The endpoints to register: the configured ones and, for the others, what the child reported. */
    Endpoints endpoints(InfraProcess.Ready ready) {
        String kafka = kafkaBootstrapServers != null ? kafkaBootstrapServers : ready.kafkaBootstrapServers();
        String mongo = mongoUri != null ? mongoUri : ready.mongoUri();
        if (kafka == null || mongo == null) {
            throw new IllegalStateException("the embedded server did not report " + (kafka == null ? "Kafka" : "Mongo"));
        }
        return new Endpoints(kafka, mongo, kafkaBootstrapServers == null, mongoUri == null);
    }

    /** The endpoints when both are configured. */
    Endpoints configuredEndpoints() {
        return new Endpoints(kafkaBootstrapServers, mongoUri, false, false);
    }

    /**
     * @param karafData      the value of {@code karaf.data} (may be null)
     * @param fallbackData   where to keep data when neither embedded_data_dir nor karaf.data is set
     * @throws IllegalArgumentException naming the property that is wrong
     */
    static InfraSettings from(InfraConfig c, String karafData, Supplier<Path> fallbackData) {
        List<String> errors = new ArrayList<>();
        String kafka = blankToNull(c.kafka__bootstrap__servers());
        if (kafka != null) {
            List<String> servers = new ArrayList<>();
            for (String s : kafka.split(",")) {
                String server = s.trim();
                Matcher m = HOST_PORT.matcher(server);
                if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
                    errors.add("kafka_bootstrap_servers: '" + server + "' is not host:port");
                }
                servers.add(server);
            }
            kafka = String.join(",", servers);
        }
        String mongo = blankToNull(c.mongo__uri());
        if (mongo != null && !(mongo.matches("mongodb://\\S+") || mongo.matches("mongodb\\+srv://\\S+"))) {
            errors.add("mongo_uri: '" + redact(mongo) + "' is not a mongodb:// or mongodb+srv:// connection string");
        }
        LaunchSpec spec = null;
        if (kafka == null || mongo == null) {
            boolean startKafka = kafka == null;
            boolean startMongo = mongo == null;
            int kafkaPort = port(errors, "embedded_kafka_port", c.embedded__kafka__port());
            int controllerPort = port(errors, "embedded_kafka_controller_port", c.embedded__kafka__controller__port());
            int mongoPort = port(errors, "embedded_mongo_port", c.embedded__mongo__port());
            if (startKafka && kafkaPort != 0 && kafkaPort == controllerPort) {
                errors.add("embedded_kafka_port and embedded_kafka_controller_port must differ, both are " + kafkaPort);
            }
            if (startKafka && startMongo && mongoPort != 0 && (mongoPort == kafkaPort || mongoPort == controllerPort)) {
                errors.add("embedded_mongo_port " + mongoPort + " is also an embedded Kafka port");
            }
            int timeout = c.embedded__start__timeout__seconds();
            if (timeout < 1) {
                errors.add("embedded_start_timeout_seconds must be at least 1, got " + timeout);
            }
            List<String> jvmOptions = List.of();
            try {
                jvmOptions = LaunchSpec.splitOptions(c.embedded__jvm__options() == null ? "" : c.embedded__jvm__options());
            } catch (IllegalArgumentException e) {
                errors.add("embedded_jvm_options: " + e.getMessage());
            }
            Path dataDir = null;
            String configured = blankToNull(c.embedded__data__dir());
            try {
                if (configured != null) {
                    dataDir = Paths.get(configured).toAbsolutePath();
                } else if (blankToNull(karafData) != null) {
                    dataDir = Paths.get(karafData.trim(), "ias", "embedded").toAbsolutePath();
                } else {
                    dataDir = fallbackData.get().toAbsolutePath();
                }
            } catch (InvalidPathException e) {
                errors.add("embedded_data_dir: '" + configured + "' is not a valid path");
            }
            if (errors.isEmpty()) {
                spec = new LaunchSpec(LaunchSpec.currentJava(), dataDir, jvmOptions, startKafka, kafkaPort,
                        controllerPort, startMongo, mongoPort, Duration.ofSeconds(timeout));
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration " + InfraConfig.PID + ": " + String.join("; ", errors));
        }
        return new InfraSettings(kafka, mongo, spec);
    }

    /** The URI with any password replaced by {@code ***}, for logs and service properties. */
    static String redact(String uri) {
        return uri == null ? null : uri.replaceFirst("(://[^/@:]*):[^/@]*@", "$1:***@");
    }

    private static int port(List<String> errors, String name, int port) {
        if (port < 0 || port > 65535) {
            errors.add(name + " must be between 0 and 65535 (0: any free port), got " + port);
        }
        return port;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
