package org.iasplatform.itests;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Karaf distributions (the platform's, the node's) unpacked into a test's own folder and run as separate processes with
 * their {@code bin/start}, each on its own free ports; {@link #close()} kills every one of them and whatever ran from
 * their folders.
 */
final class LocalDistributions implements AutoCloseable {
    private final Path base;
    private final List<Path> karafs = new ArrayList<>();

    /** A fresh folder under the exam directory, named after the test. */
    LocalDistributions(String name) throws IOException {
        this.base = Files.createDirectories(Path.of(System.getProperty("ias.exam.dir", "target/exam"),
                name + "-" + System.nanoTime()));
    }

    static Path platformDistribution() {
        return Path.of(System.getProperty("ias.platform.dist"));
    }

    static Path nodeDistribution() {
        return Path.of(System.getProperty("ias.node.dist"));
    }

    /** Unpacks a distribution into its own folder {@code name}, with free SSH and RMI ports. */
    Path unpack(Path distribution, String name) throws Exception {
        assertTrue("the distribution " + distribution + " is built by karaf-assembly", Files.isRegularFile(distribution));
        Path dir = Files.createDirectories(base.resolve(name));
        run(List.of("tar", "-xzf", distribution.toString(), "-C", dir.toString(), "--strip-components=1"));
        karafs.add(dir);
        cfg(dir, "org.apache.karaf.shell.cfg", "sshPort", String.valueOf(IasTestSupport.freePort()));
        cfg(dir, "org.apache.karaf.management.cfg", "rmiRegistryPort", String.valueOf(IasTestSupport.freePort()));
        cfg(dir, "org.apache.karaf.management.cfg", "rmiServerPort", String.valueOf(IasTestSupport.freePort()));
        return dir;
    }

    /**
     * The platform distribution unpacked into {@code name}: its REST API on {@code httpPort}, its embedded Kafka and store
     * on free ports, its local node reporting every 0.5 s, instances spread (fewest-instances) and a node DOWN after
     * 2.5 s of silence.
     */
    Path platform(String name, int httpPort) throws Exception {
        Path platform = unpack(platformDistribution(), name);
        cfg(platform, "org.ops4j.pax.web.cfg", "org.osgi.service.http.port", String.valueOf(httpPort));
        cfg(platform, "org.iasplatform.infra.cfg", "embedded_kafka_port", String.valueOf(IasTestSupport.freePort()));
        cfg(platform, "org.iasplatform.infra.cfg", "embedded_kafka_controller_port",
                String.valueOf(IasTestSupport.freePort()));
        cfg(platform, "org.iasplatform.infra.cfg", "embedded_mongo_port", String.valueOf(IasTestSupport.freePort()));
        cfg(platform, "org.iasplatform.node.cfg", "api_url", "http://127.0.0.1:" + httpPort + "/ias/api/v1");
        cfg(platform, "org.iasplatform.node.cfg", "heartbeat_period_ms", "500");
        cfg(platform, "org.iasplatform.lifecycle.cfg", "strategy.target", "(ias.strategy=fewest-instances)");
        cfg(platform, "org.iasplatform.lifecycle.cfg", "suspect_after_ms", "1500");
        cfg(platform, "org.iasplatform.lifecycle.cfg", "down_after_ms", "2500");
        cfg(platform, "org.iasplatform.lifecycle.cfg", "sweep_period_ms", "250");
        return platform;
    }

    static void start(Path karaf) throws Exception {
        run(List.of(karaf.resolve("bin/start").toString()));
    }

    /** kill -9 of the Karaf process started from {@code karaf}. */
    static void kill(Path karaf) {
        karafProcess(karaf).forEach(ProcessHandle::destroyForcibly);
    }

    static List<ProcessHandle> karafProcess(Path karaf) {
        String marker = "karaf.base=" + karaf.toAbsolutePath().normalize();
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(marker)).toList();
    }

    /** The live processes whose command line names {@code text} (e.g. an algorithm instance's id). */
    static long processesNaming(String text) {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().orElse("").contains(text)).count();
    }

    /** Sets a key in an etc/ configuration file (replacing its line, or adding it). */
    static void cfg(Path karaf, String file, String key, String value) throws IOException {
        Path path = karaf.resolve("etc").resolve(file);
        List<String> lines = Files.exists(path) ? new ArrayList<>(Files.readAllLines(path)) : new ArrayList<>();
        boolean replaced = false;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("^\\s*" + Pattern.quote(key) + "\\s*=.*")) {
                lines.set(i, key + " = " + value);
                replaced = true;
            }
        }
        if (!replaced) {
            lines.add(key + " = " + value);
        }
        Files.write(path, lines);
    }


    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            fail(command + " failed: " + out);
        }
    }

    /** Kills every distribution started from here and anything else still running from their folders. */
    @Override
    public void close() {
        for (Path karaf : karafs) {
            kill(karaf);
        }
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(base.toString()))
                .forEach(ProcessHandle::destroyForcibly);
    }
}
