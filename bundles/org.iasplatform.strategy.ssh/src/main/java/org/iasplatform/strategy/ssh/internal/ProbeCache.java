package org.iasplatform.strategy.ssh.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last outcome of each host's probe, used for the cache period, and the probes under way. Asked for hosts, it
 * starts a probe (on the bounded executor) for each host without a fresh outcome and none under way, waits for the
 * probes of those hosts at most the given time, and answers what is fresh then; a probe that is not done by then goes on
 * in the background and its outcome serves later calls. A failed probe is an outcome too, kept as long, so that an
 * unreachable host costs one time-out per cache period, not one per placement. Never more than one probe of a host at
 * a time. Thread-safe.
 */
final class ProbeCache {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeCache.class);

    /** Measures one host. */
    @FunctionalInterface
    interface Probe {
        Measurement probe(HostTarget target) throws ProbeException;
    }

    /**
     * A probe's outcome: a measurement, or why there is none.
     *
     * @param measurement the figures, or null
     * @param failure     why there are none, or null
     * @param atNanos     when it was known ({@link LongSupplier clock} time)
     */
    record Outcome(Measurement measurement, String failure, long atNanos) {
        boolean ok() {
            return measurement != null;
        }
    }

    private final Probe probe;
    private final Executor executor;
    private final LongSupplier clock;
    private final long cacheNanos;
    private final Map<HostTarget, Entry> entries = new ConcurrentHashMap<>();

    /**
     * @param clock nanosecond time ({@link System#nanoTime()}; a test's own)
     */
    ProbeCache(Probe probe, Executor executor, LongSupplier clock, Duration cacheFor) {
        this.probe = probe;
        this.executor = executor;
        this.clock = clock;
        this.cacheNanos = cacheFor.toNanos();
    }

    private static final class Entry {
        Outcome last; // guarded by this
        CompletableFuture<Outcome> running; // guarded by this
    }

    /**
     * The outcome for each of {@code targets} (by target): fresh ones at once; the others after their probes, waiting
     * at most {@code wait} in all; a host whose probe is still under way then gets a failed outcome saying so.
     */
    Map<HostTarget, Outcome> measure(Collection<HostTarget> targets, Duration wait) {
        long start = clock.getAsLong();
        Map<HostTarget, CompletableFuture<Outcome>> pending = new LinkedHashMap<>();
        for (HostTarget target : targets) {
            Entry entry = entries.computeIfAbsent(target, t -> new Entry());
            synchronized (entry) {
                if (fresh(entry.last, start)) {
                    continue;
                }
                if (entry.running == null || entry.running.isDone()) { // done and still here: it was refused
                    entry.running = start(target, entry);
                }
                pending.put(target, entry.running);
            }
        }
        if (!pending.isEmpty()) {
            try {
                CompletableFuture.allOf(pending.values().toArray(CompletableFuture[]::new)).get(wait.toNanos(),
                        TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // answered below from what is known
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Map<HostTarget, Outcome> outcomes = new LinkedHashMap<>();
        for (HostTarget target : targets) {
            CompletableFuture<Outcome> probed = pending.get(target);
            if (probed == null) { // fresh at the start
                Entry entry = entries.get(target);
                synchronized (entry) {
                    outcomes.put(target, entry.last);
                }
            } else if (probed.isDone()) {
                outcomes.put(target, probed.join());
            } else {
                outcomes.put(target, new Outcome(null, "no figures within " + wait.toMillis() + " ms (the probe goes "
                        + "on in the background)", clock.getAsLong()));
            }
        }
        return outcomes;
    }

    /** Known less than the cache period before {@code now}. */
    private boolean fresh(Outcome outcome, long now) {
        return outcome != null && now - outcome.atNanos() < cacheNanos;
    }

    /** Starts a probe of {@code target}; called holding {@code entry}'s lock. */
    private CompletableFuture<Outcome> start(HostTarget target, Entry entry) {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                Outcome outcome;
                try {
                    outcome = new Outcome(Objects.requireNonNull(probe.probe(target)), null, clock.getAsLong());
                } catch (ProbeException e) {
                    outcome = new Outcome(null, e.getMessage(), clock.getAsLong());
                } catch (RuntimeException e) {
                    outcome = new Outcome(null, target.address() + ": " + e, clock.getAsLong());
                }
                Outcome previous;
                synchronized (entry) {
                    previous = entry.last;
                    entry.last = outcome;
                    entry.running = null;
                }
                report(target, previous, outcome);
                done.complete(outcome);
            });
        } catch (RejectedExecutionException e) {
            // stopping: nothing is kept (measure starts again in place of a refused probe)
            done.complete(new Outcome(null, target.address() + ": the strategy is stopping", clock.getAsLong()));
        }
        return done;
    }

    /**
     * A host's probe failing is logged as a warning when it starts failing or fails otherwise than before, at debug
     * while it goes on failing alike; its recovery at info; every measurement at debug.
     */
    private static void report(HostTarget target, Outcome previous, Outcome now) {
        if (now.ok()) {
            if (previous != null && !previous.ok()) {
                LOG.info("SSH probe of node {} ({}) succeeds again: {}", target.nodeId(), target.address(),
                        now.measurement());
            } else {
                LOG.debug("SSH probe of node {} ({}): {}", target.nodeId(), target.address(), now.measurement());
            }
        } else if (previous == null || previous.ok() || !previous.failure().equals(now.failure())) {
            LOG.warn("SSH probe of node {} failed: {}; its heartbeat figures stand in until a probe succeeds",
                    target.nodeId(), now.failure());
        } else {
            LOG.debug("SSH probe of node {} failed again: {}", target.nodeId(), now.failure());
        }
    }
}
