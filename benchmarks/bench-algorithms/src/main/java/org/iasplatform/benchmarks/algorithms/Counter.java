package org.iasplatform.benchmarks.algorithms;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.iasplatform.api.algorithm.Algorithm;
import org.iasplatform.api.algorithm.AlgorithmContext;
import org.osgi.service.component.annotations.Component;

/**
 * The benchmarks' algorithm: counts the readings of its sensor 0; publishes {@code {"first": true}} to the feed on the
 * first reading (deploy latency) and {@code {"count": N}} every {@value #REPORT_MS} ms (throughput).
 */
@Component(property = Algorithm.PROPERTY_NAME + "=counter")
public class Counter implements Algorithm {
    static final long REPORT_MS = 500;

    @Override
    public void run(AlgorithmContext context) throws Exception {
        AtomicLong count = new AtomicLong();
        try (AutoCloseable subscription = context.sensor(0).subscribe(reading -> {
            if (count.incrementAndGet() == 1) {
                try {
                    context.publishFeed(Map.of("first", true, "reading_timestamp", reading.timestamp()));
                } catch (Exception e) {
                    context.log("counter: the feed refused the first-reading message: " + e);
                }
            }
        })) {
            while (!context.isStopped()) {
                context.publishFeed(Map.of("count", count.get(), "at", System.currentTimeMillis()));
                TimeUnit.MILLISECONDS.sleep(REPORT_MS); // the report period of a running algorithm, not synchronisation
            }
        }
    }
}
