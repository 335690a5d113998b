package org.iasplatform.messaging.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.infra.server.EmbeddedKafka;
import org.iasplatform.testsupport.Await;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A real single-node KRaft broker restarted (clean shutdown, then started again on the same ports and the same data
 * directory) in the middle of traffic: the idempotent acks=all producer of {@link KafkaMessaging} and its consumers (a
 * consumer group subscription and a follower) recover by themselves, and every acknowledged message is consumed.
 */
public class BrokerRestartTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Messages in flight at most: the producer publishes continuously, bounded by the acknowledgements coming back. */
    private static final int IN_FLIGHT = 200;

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private EmbeddedKafka kafka;
    private KafkaMessaging messaging;

    @After
    public void close() {
        if (messaging != null) {
            messaging.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    public void everyAcknowledgedMessageIsConsumedAcrossABrokerRestart() throws Exception {
        Path dir = tmp.newFolder("kafka").toPath();
        kafka = new EmbeddedKafka(dir, 0, 0);
        kafka.start();
        int port = kafka.port();
        int controllerPort = kafka.controllerPort();
        messaging = new KafkaMessaging(kafka.bootstrapServers(), new Settings(3, (short) 1, Duration.ofSeconds(15),
                "ias-restart-test"));
        String topic = "restart_traffic";
        messaging.ensureTopics(List.of(topic));

        Map<String, AtomicInteger> grouped = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> followed = new ConcurrentHashMap<>();
        Subscription group = messaging.subscribe("restart-group", List.of(topic),
                m -> grouped.computeIfAbsent(m.value(), v -> new AtomicInteger()).incrementAndGet());
        Subscription follower = messaging.follow(List.of(topic),
                m -> followed.computeIfAbsent(m.value(), v -> new AtomicInteger()).incrementAndGet());

        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Map<String, String> failed = new ConcurrentHashMap<>();
        AtomicInteger sent = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        AtomicReference<Throwable> producerDied = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try {
                for (int i = 0; !stop.get(); i++) {
                    inFlight.acquire();
                    String value = "m-" + i;
                    sent.incrementAndGet();
                    messaging.publish(topic, "key-" + (i % 12), value).whenComplete((ok, error) -> {
                        if (error == null) {
                            acknowledged.add(value);
                        } else {
                            failed.put(value, String.valueOf(error.getMessage()));
                        }
                        inFlight.release();
                    });
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // pace: about a thousand messages a second
                }
            } catch (Throwable t) {
                producerDied.set(t);
            }
        }, "restart-test-producer");
        producer.start();

        await("traffic flows before the restart", () -> acknowledged.size() >= 500 && grouped.size() >= 100
                && followed.size() >= 100);
        int ackedBefore = acknowledged.size();
        long down = System.nanoTime();
        kafka.close();
        // down for real, from the clients' view: sends made now are buffered and retried by the producer
        await("the broker unreachable", () -> !messaging.isReachable(Duration.ofMillis(500)));
        await("the producer stalled with every permit in flight", () -> inFlight.availablePermits() == 0);
        int pendingDuringOutage = sent.get() - acknowledged.size() - failed.size();
        kafka = new EmbeddedKafka(dir, port, controllerPort);
        kafka.start();
        long restartMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - down);

        // the same producer and consumers carry on by themselves: messages published after the restart arrive
        String firstAfter = "m-" + sent.get();
        await("acknowledgements after the restart", () -> acknowledged.size() >= ackedBefore + 1000
                && acknowledged.contains(firstAfter));
        await("the group consumer receives what was published after the restart", () -> grouped.containsKey(firstAfter));
        await("the follower receives what was published after the restart", () -> followed.containsKey(firstAfter));
        stop.set(true);
        producer.join(TimeUnit.SECONDS.toMillis(30));
        assertTrue("every send completed", inFlight.tryAcquire(IN_FLIGHT, WAIT.toSeconds(), TimeUnit.SECONDS));
        if (producerDied.get() != null) {
            throw new AssertionError("the producer thread died", producerDied.get());
        }

        await("every acknowledged message consumed by the group", () -> grouped.keySet().containsAll(acknowledged));
        await("every acknowledged message seen by the follower", () -> followed.keySet().containsAll(acknowledged));
        assertTrue("the group subscription is alive", group.isAlive());
        assertTrue("the follower is alive", follower.isAlive());
        long groupDuplicates = grouped.values().stream().filter(n -> n.get() > 1).count();
        long followerDuplicates = followed.values().stream().filter(n -> n.get() > 1).count();
        System.out.printf("BrokerRestartTest: broker down and up again in %d ms (%d sends pending meanwhile); %d sent,"
                + " %d acknowledged (%d before the restart), %d failed; consumed by the group: %d distinct, %d delivered"
                + " more than once; by the follower: %d distinct, %d more than once%n", restartMs, pendingDuringOutage,
                sent.get(), acknowledged.size(), ackedBefore, failed.size(), grouped.size(), groupDuplicates,
                followed.size(), followerDuplicates);
        assertEquals("sends that failed (the outage is far shorter than the delivery time-out, so the producer's own "
                + "retries must cover it): " + new TreeSet<>(failed.values()), 0, failed.size());
        assertEquals("every send was acknowledged", sent.get(), acknowledged.size());
        group.close();
        follower.close();
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, WAIT, condition);
    }
}
