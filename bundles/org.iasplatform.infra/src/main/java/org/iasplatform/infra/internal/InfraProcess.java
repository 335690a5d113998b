package org.iasplatform.infra.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the child JVM (ias-infra-server's InfraServerMain). Its stdout and stderr are appended to
 * {@link LaunchSpec#logFile()} while stdout is scanned for the READY line; its stdin stays an open pipe, so the child
 * stops by itself when this JVM dies; its pid is in {@link LaunchSpec#pidFile()} while it runs.
 */
final class InfraProcess {
    private static final Logger LOG = LoggerFactory.getLogger(InfraProcess.class);

    /** The protocol of InfraServerMain (its class is not visible here: it runs in the child only). */
    static final String READY_PREFIX = "IAS-INFRA READY ";
    static final String ERROR_PREFIX = "IAS-INFRA ERROR ";
    private static final Pattern READY = Pattern.compile("IAS-INFRA READY kafka=(\\S+) mongo=(\\S+)\\s*");

    /** What the child reported when ready; an endpoint is null when that server was not asked for. */
    record Ready(String kafkaBootstrapServers, String mongoUri) {
    }

    private final LaunchSpec spec;
    private final Process process;
    private final CompletableFuture<Ready> ready = new CompletableFuture<>();
    private volatile String lastError;
    private final Object stopLock = new Object();
    private boolean stopped;

    private InfraProcess(LaunchSpec spec, Process process) {
        this.spec = spec;
        this.process = process;
    }

    /** Starts the child; returns at once (see {@link #awaitReady}). */
    static InfraProcess start(LaunchSpec spec, List<Path> classpath) throws IOException {
        Files.createDirectories(spec.dataDir());
        stopStale(spec.pidFile());
        List<String> command = spec.command(classpath);
        Writer log = Files.newBufferedWriter(spec.logFile(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        Process process;
        try {
            log.write(OffsetDateTime.now() + " starting: " + String.join(" ", command) + System.lineSeparator());
            log.flush();
            process = new ProcessBuilder(command).directory(spec.dataDir().toFile()).redirectErrorStream(true).start();
        } catch (IOException | RuntimeException e) {
            log.close();
            throw new IOException("cannot start " + spec.javaExecutable() + ": " + e.getMessage(), e);
        }
        InfraProcess child = new InfraProcess(spec, process);
        try {
            Files.writeString(spec.pidFile(), process.pid() + System.lineSeparator(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warn("Cannot write the pid file {}: {}", spec.pidFile(), e.toString());
        }
        Thread pump = new Thread(() -> child.pump(log), "ias-infra-server-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
        return child;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Blocks until the child has exited; returns its exit code. */
    int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** The last {@value #ERROR_PREFIX} line the child printed, if any. */
    Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    /**
     * Waits for the READY line.
     *
     * @throws IOException      when the child exited before it was ready (the message carries its error line)
     * @throws TimeoutException when it was not ready in time (the child is left running: stop it)
     */
    Ready awaitReady(Duration timeout) throws IOException, TimeoutException, InterruptedException {
        try {
            return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new TimeoutException("the embedded infrastructure server (pid " + pid() + ") was not ready within "
                    + timeout.toSeconds() + " s (see " + spec.logFile() + " and " + spec.detailLogFile() + ")");
        }
    }

    /**
     * Stops the child: closes its stdin and sends SIGTERM (both make it close its servers cleanly), waits up to
     * {@code grace}, then kills it; removes the pid file. Idempotent.
     */
    void stop(Duration grace) {
        synchronized (stopLock) {
            if (stopped) {
                return;
            }
            stopped = true;
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // already gone
            }
            process.destroy();
            boolean exited = waitQuietly(process, grace);
            if (!exited) {
                LOG.warn("The embedded infrastructure server (pid {}) did not stop within {} s: killing it", pid(),
                        grace.toSeconds());
                process.destroyForcibly();
                waitQuietly(process, Duration.ofSeconds(30));
            }
            deletePidFile(spec.pidFile(), pid());
        }
    }

    private void pump(Writer log) {
        try (log; BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                log.write(line + System.lineSeparator());
                log.flush();
                Matcher m = READY.matcher(line);
                if (m.matches()) {
                    ready.complete(new Ready(endpoint(m.group(1)), endpoint(m.group(2))));
                } else if (line.startsWith(ERROR_PREFIX)) {
                    lastError = line.substring(ERROR_PREFIX.length()).trim();
                }
            }
            int code = process.waitFor();
            log.write(OffsetDateTime.now() + " exited with code " + code + System.lineSeparator());
            ready.completeExceptionally(new IOException("the embedded infrastructure server exited with code " + code
                    + " before it was ready: " + (lastError != null ? lastError : "no error line")
                    + " (see " + spec.logFile() + ")"));
        } catch (IOException e) {
            ready.completeExceptionally(new IOException("lost the output of the embedded infrastructure server: "
                    + e.getMessage(), e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ready.completeExceptionally(e);
        }
    }

    private static String endpoint(String value) {
        return "-".equals(value) ? null : value;
    }

    private static boolean waitQuietly(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    private static void deletePidFile(Path pidFile, long pid) {
        try {
            if (Files.exists(pidFile) && readPid(pidFile).map(p -> p == pid).orElse(true)) {
                Files.deleteIfExists(pidFile);
            }
        } catch (IOException e) {
            LOG.warn("Cannot delete the pid file {}: {}", pidFile, e.toString());
        }
    }

    private static Optional<Long> readPid(Path pidFile) {
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * A pid file left behind means this platform died while its child ran. The child stops by itself on stdin EOF;
     * if it still runs (shutting down, or stuck) it is stopped here so that it frees its ports and data directory.
     */
    private static void stopStale(Path pidFile) throws IOException {
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<ProcessHandle> stale = readPid(pidFile).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
                .filter(InfraProcess::isInfraServer);
        if (stale.isPresent()) {
            ProcessHandle handle = stale.get();
            LOG.warn("An embedded infrastructure server of an earlier run (pid {}) is still running: stopping it",
                    handle.pid());
            handle.destroy();
            try {
                handle.onExit().get(30, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                handle.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while stopping the earlier server (pid " + handle.pid() + ")");
            }
        }
        Files.deleteIfExists(pidFile);
    }

    private static boolean isInfraServer(ProcessHandle handle) {
        ProcessHandle.Info info = handle.info();
        return info.commandLine().map(c -> c.contains(LaunchSpec.MAIN_CLASS)).orElse(false)
                || info.arguments().map(a -> Arrays.asList(a).contains(LaunchSpec.MAIN_CLASS)).orElse(false);
    }
}
