package org.iasplatform.runtime.docker.internal;

import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The private Docker engine of these tests, started and stopped with the repository's scripts/docker-test-engine (Debian's
 * dockerd on its own socket and folders, the busybox base image {@value #BASE_IMAGE} made locally). A missing
 * prerequisite (root, docker.io, busybox-static) fails the test with the script's explanation.
 */
final class TestEngine {
    static final String BASE_IMAGE = "ias/busybox-base:test";

    private TestEngine() {
    }

    private static Path script() {
        String configured = System.getProperty("ias.docker.engine.script");
        Path script = configured != null ? Path.of(configured) : Path.of("../../scripts/docker-test-engine");
        if (!Files.isRegularFile(script)) {
            fail("the test engine script " + script.toAbsolutePath() + " is missing");
        }
        return script;
    }

    /** A short folder of its own (a unix socket path is short), one per module checkout. */
    private static String dir() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(Path.of("").toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
            return "/tmp/ias-docker-ut-" + HexFormat.of().formatHex(digest).substring(0, 8);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts the engine (or finds it running) and returns its docker_host. */
    static String start() {
        String out = run("start");
        for (String line : out.split("\n")) {
            if (line.startsWith("DOCKER_HOST=")) {
                return line.substring("DOCKER_HOST=".length()).trim();
            }
        }
        fail("scripts/docker-test-engine start printed no DOCKER_HOST: " + out);
        return null;
    }

    static void stop() {
        run("stop");
    }

    private static String run(String action) {
        try {
            Process p = new ProcessBuilder(List.of("bash", script().toString(), action, dir())).redirectErrorStream(true)
                    .start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("scripts/docker-test-engine " + action + " did not finish within 120 s: " + out);
            }
            if (p.exitValue() != 0) {
                fail("scripts/docker-test-engine " + action + " failed (exit " + p.exitValue() + "): " + out);
            }
            return out;
        } catch (IOException e) {
            fail("scripts/docker-test-engine " + action + " could not be run: " + e);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
