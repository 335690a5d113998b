package org.iasplatform.runtime.docker.internal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks the Docker engine every period and says when the docker runtime can be offered and when it must be withdrawn:
 * offered once the engine answers (after the leftovers of an earlier run of this node were removed), withdrawn after
 * {@value #LOST_AFTER} checks in a row without an answer (one slow answer does not withdraw it). While the engine does
 * not answer it is tried again every period; the outage is reported once, when it begins.
 */
final class EngineWatch implements AutoCloseable {
    /** Checks in a row without an answer after which an offered runtime is withdrawn. */
    static final int LOST_AFTER = 3;

    /** What the watch decides (called on its thread, one call at a time). */
    interface Listener {
        /** The engine answers: offer the runtime. */
        void offer(String engine, int leftoversRemoved);

        /** The engine no longer answers: withdraw the runtime. */
        void withdraw(String reason);

        /** The engine does not answer (the first failed check of an outage while the runtime is not offered). */
        void unreachable(String reason);
    }

    private final DockerRuntime runtime;
    private final Listener listener;
    private final ScheduledExecutorService timer;
    private final AtomicLong checks = new AtomicLong();
    private boolean offered; // timer thread only
    private boolean reported; // timer thread only
    private int failures; // timer thread only

    EngineWatch(DockerRuntime runtime, Duration period, Listener listener) {
        this.runtime = runtime;
        this.listener = listener;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ias-docker-engine-watch");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::check, 0, Math.max(50, period.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** How many checks were completed. */
    long checks() {
        return checks.get();
    }

    private void check() {
        try {
            checkOnce();
        } finally {
            checks.incrementAndGet();
        }
    }

    private void checkOnce() {
        String engine;
        try {
            engine = runtime.ping();
        } catch (RuntimeException e) {
            failed(DockerRuntime.unreachable(e));
            return;
        }
        failures = 0;
        reported = false;
        if (offered) {
            return;
        }
        int removed;
        try {
            removed = runtime.removeLeftovers();
        } catch (RuntimeException e) {
            failed("listing its containers failed: " + DockerRuntime.message(e));
            return;
        }
        offered = true;
        listener.offer(engine, removed);
    }

    private void failed(String reason) {
        failures++;
        if (offered && failures >= LOST_AFTER) {
            offered = false;
            reported = true;
            listener.withdraw(reason);
        } else if (!offered && !reported) {
            reported = true;
            listener.unreachable(reason);
        }
    }

    /** Stops checking (waits for a check under way). */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
