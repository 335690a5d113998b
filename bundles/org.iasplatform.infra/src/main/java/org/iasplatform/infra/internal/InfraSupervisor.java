package org.iasplatform.infra.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the child JVM running on a thread of its own: launches it, waits for READY, tells the listener, and when the
 * child dies unexpectedly (or fails to start) tells the listener it is down and launches it again after a back-off
 * that doubles up to a limit (and starts over once a child ran for a while).
 */
final class InfraSupervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InfraSupervisor.class);
    static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration STABLE = Duration.ofSeconds(60);

    interface Listener {
        /** The child is ready; called on the supervisor thread. */
        void ready(InfraProcess.Ready ready);

        /** A child that was ready is gone; called on the supervisor thread, never after {@link #close()}. */
        void down();
    }

    private final LaunchSpec spec;
    private final Callable<List<Path>> classpath;
    private final Listener listener;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Thread thread;

    private final Object lock = new Object();
    private boolean closed;
    private InfraProcess current;

    InfraSupervisor(LaunchSpec spec, Callable<List<Path>> classpath, Listener listener, Duration initialBackoff,
            Duration maxBackoff) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.classpath = Objects.requireNonNull(classpath, "classpath");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.thread = new Thread(this::run, "ias-infra-supervisor");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** The running child's pid, or -1. */
    long pid() {
        synchronized (lock) {
            return current != null && current.isAlive() ? current.pid() : -1;
        }
    }

    /** Stops the child (SIGTERM, up to 30 s, then kill), removes its pid file and ends the thread. */
    @Override
    public void close() {
        InfraProcess child;
        synchronized (lock) {
            closed = true;
            child = current;
            lock.notifyAll();
        }
        if (child != null) {
            LOG.info("Stopping the embedded infrastructure server (pid {})", child.pid());
            child.stop(STOP_GRACE);
        }
        try {
            thread.join(STOP_GRACE.toMillis() + 30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("The embedded infrastructure supervisor thread did not end");
        }
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    private void run() {
        Duration backoff = initialBackoff;
        while (!isClosed()) {
            InfraProcess child = null;
            boolean announced = false;
            long readyAt = 0;
            try {
                List<Path> cp = classpath.call();
                child = InfraProcess.start(spec, cp);
                synchronized (lock) {
                    if (closed) {
                        break; // finally stops it
                    }
                    current = child;
                }
                LOG.info("Started the embedded infrastructure server (pid {}), waiting up to {} s for it; output in {}",
                        child.pid(), spec.startTimeout().toSeconds(), spec.logFile());
                InfraProcess.Ready ready = child.awaitReady(spec.startTimeout());
                if (isClosed()) {
                    break;
                }
                readyAt = System.nanoTime();
                listener.ready(ready);
                announced = true;
                int code = child.waitFor();
                if (isClosed()) {
                    break;
                }
                LOG.error("The embedded infrastructure server (pid {}) died unexpectedly with exit code {}{}; "
                        + "restarting it in {} s (see {} and {})", child.pid(), code,
                        child.lastError().map(e -> ": " + e).orElse(""), seconds(backoff), spec.logFile(),
                        spec.detailLogFile());
            } catch (InterruptedException e) {
                if (isClosed()) {
                    break;
                }
                LOG.warn("The embedded infrastructure supervisor was interrupted; carrying on");
            } catch (Exception e) {
                if (isClosed()) {
                    break;
                }
                if (e instanceof java.io.IOException || e instanceof java.util.concurrent.TimeoutException) {
                    LOG.error("The embedded infrastructure server could not be started: {}; retrying in {} s",
                            e.getMessage(), seconds(backoff));
                } else {
                    LOG.error("The embedded infrastructure server could not be started; retrying in {} s",
                            seconds(backoff), e);
                }
            } finally {
                if (child != null) {
                    child.stop(STOP_GRACE); // also when it died by itself: removes its pid file
                }
                synchronized (lock) {
                    if (current == child) {
                        current = null;
                    }
                }
                if (announced && !isClosed()) {
                    listener.down();
                }
            }
            if (readyAt != 0 && System.nanoTime() - readyAt > STABLE.toNanos()) {
                backoff = initialBackoff;
            }
            if (!pause(backoff)) {
                break;
            }
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        }
    }

    private static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }

    /** Waits the back-off, or less when closed; returns false when closed. */
    private boolean pause(Duration backoff) {
        long deadline = System.nanoTime() + backoff.toNanos();
        synchronized (lock) {
            while (!closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    return !closed;
                }
            }
            return false;
        }
    }
}
