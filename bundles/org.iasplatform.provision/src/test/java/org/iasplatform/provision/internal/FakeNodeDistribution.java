package org.iasplatform.provision.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.iasplatform.api.node.NodeState;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.api.node.Nodes;

/**
 * A node distribution archive for tests, made with the real {@code tar}: the node distribution's layout and etc/ files,
 * and a {@code bin/start} that starts a stand-in for Karaf in the background (a shell that writes {@code karaf.pid} and
 * announces itself, then sleeps) instead of a real Karaf, so that the provisioning's steps run against real files and
 * processes in seconds. The stand-in "heartbeats" by writing {@code data/heartbeat} with the node id and the Kafka and
 * MongoDB addresses of its etc/; {@link Heard} is the platform's node table as those heartbeats make it.
 */
final class FakeNodeDistribution {
    /** A bin/start whose stand-in runs (and heartbeats) until killed. */
    static final String RUNS = "nohup sh -c 'echo $$ > karaf.pid; mkdir -p data/log; "
            + "echo \"INFO node agent starting\" > data/log/karaf.log; "
            + "{ sed -n \"s/^node_id *= *//p\" etc/org.iasplatform.node.cfg; "
            + "sed -n \"s/^kafka_bootstrap_servers *= *//p\" etc/org.iasplatform.infra.cfg; "
            + "sed -n \"s/^mongo_uri *= *//p\" etc/org.iasplatform.infra.cfg; } > data/heartbeat; "
            + "exec sleep 300' >/dev/null 2>&1 &\n";
    /** A bin/start whose stand-in logs an error and exits without a heartbeat. */
    static final String EXITS = "nohup sh -c 'echo $$ > karaf.pid; mkdir -p data/log; "
            + "echo \"ERROR org.iasplatform.infra: cannot reach Kafka at the configured bootstrap servers\" "
            + "> data/log/karaf.log; exit 1' >/dev/null 2>&1 &\n";
    /** A bin/start whose stand-in runs but never heartbeats. */
    static final String SILENT = "nohup sh -c 'echo $$ > karaf.pid; mkdir -p data/log; "
            + "echo \"WARN messaging: no broker answers\" > data/log/karaf.log; exec sleep 300' >/dev/null 2>&1 &\n";

    private FakeNodeDistribution() {
    }

    /** Builds {@code ias-node-distribution-9.9.9.tar.gz} in {@code dir} with {@code starts} as bin/start's body. */
    static Path build(Path dir, String starts) throws IOException, InterruptedException {
        Path top = dir.resolve("build").resolve("ias-node-distribution-9.9.9");
        Files.createDirectories(top.resolve("bin"));
        Files.createDirectories(top.resolve("etc"));
        Files.createDirectories(top.resolve("data/tmp"));
        Files.writeString(top.resolve("data/tmp/README"), "temporary files\n");
        script(top.resolve("bin/start"), "#!/bin/sh\ncd \"$(dirname \"$0\")/..\" || exit 1\n" + starts);
        script(top.resolve("bin/karaf"), "#!/bin/sh\necho karaf\n");
        Files.writeString(top.resolve("etc/org.iasplatform.node.cfg"), "# This node.\n# node_id = node-1\n"
                + "heartbeat_period_ms = 1000\napi_url = http://127.0.0.1:8181/ias/api/v1\n");
        Files.writeString(top.resolve("etc/org.iasplatform.infra.cfg"), "# the platform's addresses\n"
                + "kafka_bootstrap_servers = 127.0.0.1:29092\nmongo_uri = mongodb://127.0.0.1:27027\n");
        Files.writeString(top.resolve("etc/org.apache.karaf.shell.cfg"), "sshPort = 8102\nsshHost = 127.0.0.1\n");
        Files.writeString(top.resolve("etc/system.properties"), "karaf.name = root\nkaraf.default.repository = system\n");
        Path archive = dir.resolve("ias-node-distribution-9.9.9.tar.gz");
        Process tar = new ProcessBuilder("tar", "-czf", archive.toString(), "-C", dir.resolve("build").toString(),
                "ias-node-distribution-9.9.9").redirectErrorStream(true).start();
        String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (tar.waitFor() != 0) {
            throw new IOException("tar failed: " + out);
        }
        return archive;
    }

    private static void script(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The stand-in's process in {@code dir}, if it runs. */
    static Optional<ProcessHandle> process(Path dir) {
        try {
            Path pid = dir.resolve("karaf.pid");
            if (!Files.exists(pid)) {
                return Optional.empty();
            }
            return ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * The platform's node table as the stand-ins' heartbeats make it: a node is UP while a watched folder's stand-in runs
     * and has announced that node id (its epoch: when it announced itself); nodes can also be declared UP directly.
     */
    static final class Heard implements Nodes {
        private final Map<String, Path> watched = new ConcurrentHashMap<>();
        private final Map<String, NodeStatus> declared = new ConcurrentHashMap<>();
        private final Clock clock = Clock.systemUTC();

        /** Nodes started in {@code dir} are heard. */
        void watch(Path dir) {
            watched.put(dir.toString(), dir);
        }

        void declareUp(String nodeId) {
            declared.put(nodeId, new NodeStatus(nodeId, "elsewhere", NodeState.UP, 0, 0, 0, List.of("process"), 1,
                    clock.millis()));
        }

        @Override
        public List<NodeStatus> nodes() {
            List<NodeStatus> all = new ArrayList<>(declared.values());
            for (Path dir : watched.values()) {
                heard(dir).ifPresent(all::add);
            }
            return all;
        }

        @Override
        public Optional<NodeStatus> node(String nodeId) {
            return nodes().stream().filter(n -> n.nodeId().equals(nodeId)).findFirst();
        }

        private Optional<NodeStatus> heard(Path dir) {
            Path beat = dir.resolve("data/heartbeat");
            if (process(dir).isEmpty() || !Files.exists(beat)) {
                return Optional.empty();
            }
            try {
                List<String> lines = Files.readAllLines(beat);
                long epoch = Files.getLastModifiedTime(beat).toMillis();
                return lines.isEmpty() ? Optional.empty() : Optional.of(new NodeStatus(lines.get(0), "127.0.0.1",
                        NodeState.UP, 0.1, 0.2, 0, List.of("process"), epoch, clock.millis()));
            } catch (IOException e) {
                return Optional.empty();
            }
        }

        @Override
        public String strategy() {
            return "least-load";
        }

        @Override
        public List<String> strategies() {
            return List.of("least-load");
        }
    }
}
