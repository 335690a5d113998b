package org.iasplatform.strategy.ssh.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.After;
import org.junit.Test;

/** The cache and the bounded, parallel probing, with a probe of its own and a clock of its own (no SSH, no sleeps). */
public class ProbeCacheTest {
    private static final HostTarget A = new HostTarget("a", "ias", "10.0.0.1", 22);
    private static final HostTarget B = new HostTarget("b", "ias", "10.0.0.2", 22);
    private static final Duration LONG = Duration.ofSeconds(30);

    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final Map<HostTarget, AtomicInteger> probes = new ConcurrentHashMap<>();
    private final Map<HostTarget, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final Map<HostTarget, Measurement> figures = new ConcurrentHashMap<>();

    @After
    public void stop() {
        gates.values().forEach(g -> g.countDown());
        executor.shutdownNow();
    }

    private ProbeCache cache(Duration cacheFor) {
        return new ProbeCache(target -> {
            probes.computeIfAbsent(target, t -> new AtomicInteger()).incrementAndGet();
            CountDownLatch gate = gates.get(target);
            if (gate != null) {
                try {
                    assertTrue(gate.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new ProbeException(target.address() + ": interrupted");
                }
            }
            Measurement m = figures.get(target);
            if (m == null) {
                throw new ProbeException(target.address() + ": authentication failed");
            }
            return m;
        }, executor, clock::get, cacheFor);
    }

    private int probes(HostTarget target) {
        AtomicInteger n = probes.get(target);
        return n == null ? 0 : n.get();
    }

    @Test
    public void figuresAreKeptForTheCachePeriodThenProbedAgain() {
        figures.put(A, new Measurement(0.5, 0.1));
        ProbeCache cache = cache(Duration.ofSeconds(15));
        assertEquals(new Measurement(0.5, 0.1), cache.measure(List.of(A), LONG).get(A).measurement());
        clock.addAndGet(Duration.ofSeconds(14).toNanos());
        figures.put(A, new Measurement(0.9, 0.9));
        assertEquals(new Measurement(0.5, 0.1), cache.measure(List.of(A), LONG).get(A).measurement());
        assertEquals(1, probes(A));
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(new Measurement(0.9, 0.9), cache.measure(List.of(A), LONG).get(A).measurement());
        assertEquals(2, probes(A));
    }

    @Test
    public void aFailureIsKeptAsLongSoThatAnUnreachableHostCostsOneProbePerPeriod() {
        ProbeCache cache = cache(Duration.ofSeconds(15));
        ProbeCache.Outcome outcome = cache.measure(List.of(A), LONG).get(A);
        assertFalse(outcome.ok());
        assertEquals("ias@10.0.0.1:22: authentication failed", outcome.failure());
        assertEquals(outcome, cache.measure(List.of(A), LONG).get(A));
        assertEquals(1, probes(A));
    }

    @Test
    public void withoutCachePeriodEveryCallProbes() {
        figures.put(A, new Measurement(0.5, 0.1));
        ProbeCache cache = cache(Duration.ZERO);
        cache.measure(List.of(A), LONG);
        cache.measure(List.of(A), LONG);
        assertEquals(2, probes(A));
    }

    @Test
    public void aSlowProbeIsWaitedForOnlyTheWaitThenGoesOnInTheBackgroundAndServesLaterCalls() throws Exception {
        figures.put(A, new Measurement(0.2, 0.2));
        figures.put(B, new Measurement(0.4, 0.4));
        CountDownLatch gateA = new CountDownLatch(1);
        gates.put(A, gateA);
        ProbeCache cache = cache(Duration.ofSeconds(15));

        Map<HostTarget, ProbeCache.Outcome> first = cache.measure(List.of(A, B), Duration.ofMillis(200));
        assertFalse(first.get(A).ok());
        assertTrue(first.get(A).failure(), first.get(A).failure().contains("no figures within 200 ms"));
        assertEquals(new Measurement(0.4, 0.4), first.get(B).measurement()); // B's probe ran beside A's

        // A still under way: not probed twice (counted below)
        assertFalse(cache.measure(List.of(A), Duration.ZERO).get(A).ok());

        gateA.countDown();
        assertEquals(new Measurement(0.2, 0.2), cache.measure(List.of(A), LONG).get(A).measurement());
        assertEquals(1, probes(A));
        assertEquals(1, probes(B));
    }

    @Test
    public void aStoppedExecutorGivesFailuresNotHangs() {
        executor.shutdownNow();
        ProbeCache.Outcome outcome = cache(Duration.ofSeconds(15)).measure(List.of(A), LONG).get(A);
        assertNull(outcome.measurement());
        assertTrue(outcome.failure(), outcome.failure().contains("stopping"));
    }
}
