package org.iasplatform.messaging.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.infra.server.EmbeddedKafka;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@link KafkaMessaging} against a real single-node KRaft broker. */
public class KafkaMessagingTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger IDS = new AtomicInteger();

    @ClassRule
    public static final TemporaryFolder TMP = new TemporaryFolder();

    private static EmbeddedKafka kafka;
    private static KafkaMessaging messaging;

    @BeforeClass
    public static void startKafka() throws IOException {
        kafka = new EmbeddedKafka(TMP.newFolder("kafka").toPath(), 0, 0);
        kafka.start();
        messaging = new KafkaMessaging(kafka.bootstrapServers(),
                new Settings(3, (short) 1, Duration.ofSeconds(15), "ias-test"));
    }

    @AfterClass
    public static void stopKafka() {
        if (messaging != null) {
            messaging.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static String unique(String prefix) {
        return prefix + "_" + IDS.incrementAndGet() + "_" + Long.toHexString(System.nanoTime());
    }

    private static void publish(String topic, String key, String value) {
        messaging.publish(topic, key, value).toCompletableFuture().join();
    }

    /** The next {@code n} elements of the queue, failing when they do not come within {@link #WAIT}. */
    private static List<String> take(BlockingQueue<String> queue, int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> result = new ArrayList<>();
        while (result.size() < n) {
            String next = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (next == null) {
                fail("Got only " + result + " of " + n + " within " + WAIT);
            }
            result.add(next);
        }
        return result;
    }

    @Test
    public void commitsAfterTheHandlerRedeliversAFailedRecordAndAGroupResumesAfterTheLastCommit() throws Exception {
        String topic = unique("roundtrip");
        String group = unique("group");
        messaging.ensureTopics(List.of(topic));
        BlockingQueue<String> handled = new LinkedBlockingQueue<>();
        AtomicBoolean failedOnce = new AtomicBoolean();
        Subscription first = messaging.subscribe(group, List.of(topic), m -> {
            if (m.value().equals("m2") && failedOnce.compareAndSet(false, true)) {
                handled.add("fail:" + m.value());
                throw new IllegalStateException("store unreachable (test)");
            }
            handled.add(m.value());
        });
        assertTrue(first.isAlive());
        for (int i = 0; i < 5; i++) {
            publish(topic, "same-key", "m" + i); // one key: one partition, so order is defined
        }
        assertEquals(List.of("m0", "m1", "fail:m2", "m2", "m3", "m4"), take(handled, 6));
        first.close();
        assertFalse(first.isAlive());

        publish(topic, "same-key", "m5");
        publish(topic, "same-key", "m6");
        Subscription second = messaging.subscribe(group, List.of(topic), m -> handled.add(m.value()));
        try {
            // m0..m4 were committed: the next consumer of the group starts at m5 (the partition is ordered, so a
            // re-handled m4 would come before m5).
            assertEquals(List.of("m5", "m6"), take(handled, 2));
        } finally {
            second.close();
        }
        assertNull("nothing after m6", handled.poll());
    }

    @Test
    public void groupMembersShareRecordsOfAllPartitionsWithoutLoss() throws Exception {
        String topic = unique("shared");
        String group = unique("group");
        messaging.ensureTopics(List.of(topic)); // 3 partitions
        BlockingQueue<String> handled = new LinkedBlockingQueue<>();
        Subscription a = messaging.subscribe(group, List.of(topic), m -> handled.add(m.value()));
        Subscription b = messaging.subscribe(group, List.of(topic), m -> handled.add(m.value()));
        try {
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                publish(topic, "key-" + i, "v" + i);
                sent.add("v" + i);
            }
            List<String> got = take(handled, 12);
            assertEquals(sent.stream().sorted().collect(Collectors.toList()),
                    got.stream().sorted().collect(Collectors.toList()));
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    public void patternSubscriptionPicksUpATopicCreatedAfterSubscribing() throws Exception {
        String prefix = unique("pattern");
        BlockingQueue<String> handled = new LinkedBlockingQueue<>();
        Subscription subscription = messaging.subscribe(unique("group"), Pattern.compile(Pattern.quote(prefix) + "_.*"),
                m -> handled.add(m.topic() + ":" + m.value()));
        try {
            String topic = prefix + "_new";
            messaging.ensureTopics(List.of(topic));
            publish(topic, "k", "hello");
            assertEquals(List.of(topic + ":hello"), take(handled, 1));
        } finally {
            subscription.close();
        }
    }

    @Test
    public void followSeesWhatIsPublishedRightAfterItReturnsAndNothingBefore() throws Exception {
        String topic = unique("follow");
        messaging.ensureTopics(List.of(topic));
        publish(topic, "k", "before");
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        Subscription follower = messaging.follow(List.of(topic), m -> seen.add(m.value()));
        try {
            publish(topic, "k", "after");
            assertEquals(List.of("after"), take(seen, 1));
        } finally {
            follower.close();
        }
        assertFalse(follower.isAlive());
    }

    @Test
    public void followCreatesAMissingTopic() throws Exception {
        String topic = unique("follow_missing");
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        try (Subscription follower = messaging.follow(List.of(topic), m -> seen.add(m.value()))) {
            publish(topic, "k", "first");
            assertEquals(List.of("first"), take(seen, 1));
        }
    }

    @Test
    public void latestReturnsTheLastMessagesOfAllPartitionsOldestFirst() throws Exception {
        String topic = unique("latest");
        messaging.ensureTopics(List.of(topic)); // 3 partitions
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            awaitNextMillisecond(); // distinct timestamps, so the order over partitions is defined
            publish(topic, "key-" + i, "v" + i);
            sent.add("v" + i);
        }
        List<Message> last = messaging.latest(topic, 4, Duration.ofSeconds(15));
        assertEquals(sent.subList(6, 10), last.stream().map(Message::value).collect(Collectors.toList()));
        assertTrue(last.stream().map(Message::partition).distinct().count() > 1);
        List<Message> all = messaging.latest(topic, 100, Duration.ofSeconds(15));
        assertEquals(sent, all.stream().map(Message::value).collect(Collectors.toList()));
        assertEquals(List.of(), messaging.latest(unique("absent"), 5, Duration.ofSeconds(15)));
    }

    @Test
    public void ensureAndDeleteTopicsAreIdempotent() throws Exception {
        String a = unique("ensure");
        String b = unique("ensure");
        messaging.ensureTopics(List.of(a));
        messaging.ensureTopics(List.of(a, b));
        messaging.ensureTopics(List.of(a, b));
        publish(b, "k", "v");
        assertEquals(1, messaging.latest(b, 5, Duration.ofSeconds(15)).size());
        messaging.deleteTopics(List.of(a, b));
        messaging.deleteTopics(List.of(a, b));
    }

    @Test
    public void anUnreachableBrokerIsReportedClearlyAndQuickly() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        assertTrue(messaging.isReachable(Duration.ofSeconds(10)));
        String servers = "127.0.0.1:" + closedPort;
        try (KafkaMessaging nowhere = new KafkaMessaging(servers,
                new Settings(1, (short) 1, Duration.ofSeconds(2), "ias-test"))) {
            long start = System.nanoTime();
            assertFalse(nowhere.isReachable(Duration.ofSeconds(1)));
            try {
                nowhere.ensureTopics(List.of("x"));
                fail("ensureTopics against a closed port");
            } catch (MessagingException e) {
                assertEquals("Kafka at " + servers + " did not answer within 2 s (creating topic x)", e.getMessage());
            }
            try {
                nowhere.publish("x", "k", "v").toCompletableFuture().join();
                fail("publish against a closed port");
            } catch (CompletionException e) {
                assertTrue(e.getCause() instanceof MessagingException);
                assertTrue(e.getCause().getMessage(), e.getCause().getMessage().contains(servers));
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertTrue("took " + seconds + " s", seconds < 15);
        }
        // as on activation with the broker not up yet: creating the topics retries in the background, closing stops it
        KafkaMessaging starting = new KafkaMessaging(servers,
                new Settings(1, (short) 1, Duration.ofSeconds(2), "ias-test"));
        starting.ensureTopicsInBackground(List.of("x"));
        long start = System.nanoTime();
        starting.close();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue("close took " + ms + " ms", ms < 3000);
    }

    @Test
    public void closingMessagingClosesItsSubscriptions() throws Exception {
        try (KafkaMessaging own = new KafkaMessaging(kafka.bootstrapServers(), Settings.defaults())) {
            String topic = unique("closing");
            own.ensureTopics(List.of(topic));
            Subscription s = own.subscribe(unique("group"), List.of(topic), m -> { });
            assertNotNull(s);
            assertTrue(s.isAlive());
            assertEquals(1, own.openSubscriptions());
            own.close();
            assertFalse(s.isAlive());
            assertEquals(0, own.openSubscriptions());
        }
    }

    private static void awaitNextMillisecond() {
        long now = System.currentTimeMillis();
        while (System.currentTimeMillis() == now) {
            Thread.onSpinWait();
        }
    }
}
