package org.iasplatform.infra.internal;

import java.io.File;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What the child JVM is asked to run: which embedded servers, on which ports, with which data directory and JVM
 * options. Everything the child writes lives under {@link #dataDir()}.
 */
record LaunchSpec(Path javaExecutable, Path dataDir, List<String> jvmOptions, boolean kafka, int kafkaPort,
        int kafkaControllerPort, boolean mongo, int mongoPort, Duration startTimeout) {

    static final String MAIN_CLASS = "org.iasplatform.infra.server.InfraServerMain";

    LaunchSpec {
        Objects.requireNonNull(javaExecutable, "javaExecutable");
        Objects.requireNonNull(dataDir, "dataDir");
        jvmOptions = List.copyOf(jvmOptions);
        Objects.requireNonNull(startTimeout, "startTimeout");
        if (!kafka && !mongo) {
            throw new IllegalArgumentException("nothing to start");
        }
    }

    /** The java launcher of the running JVM. */
    static Path currentJava() {
        boolean windows = System.getProperty("os.name", "").toLowerCase().startsWith("windows");
        return Paths.get(System.getProperty("java.home"), "bin", windows ? "java.exe" : "java");
    }

    /** The child's stdout and stderr (its READY line, its one-line errors, JVM messages). */
    Path logFile() {
        return dataDir.resolve("infra-server.log");
    }

    /** The servers' own logs (Kafka, Mongo), written by the child. */
    Path detailLogFile() {
        return dataDir.resolve("infra-server-detail.log");
    }

    Path pidFile() {
        return dataDir.resolve("infra-server.pid");
    }

    Path kafkaDir() {
        return dataDir.resolve("kafka");
    }

    Path mongoDir() {
        return dataDir.resolve("mongo");
    }

    List<String> command(List<Path> classpath) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable.toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        command.add(MAIN_CLASS);
        if (kafka) {
            command.addAll(List.of("--kafka-dir", kafkaDir().toString(), "--kafka-port", Integer.toString(kafkaPort),
                    "--kafka-controller-port", Integer.toString(kafkaControllerPort)));
        }
        if (mongo) {
            command.addAll(List.of("--mongo-dir", mongoDir().toString(), "--mongo-port", Integer.toString(mongoPort)));
        }
        command.addAll(List.of("--log-file", detailLogFile().toString()));
        return command;
    }

    /** Splits JVM options on white space; double quotes group (and are removed), e.g. {@code "-Dx=a b"}. */
    static List<String> splitOptions(String options) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        boolean inToken = false;
        for (int i = 0; i < options.length(); i++) {
            char c = options.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                inToken = true;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (inToken) {
                    out.add(current.toString());
                    current.setLength(0);
                    inToken = false;
                }
            } else {
                current.append(c);
                inToken = true;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unbalanced double quote in '" + options + "'");
        }
        if (inToken) {
            out.add(current.toString());
        }
        return out;
    }
}
