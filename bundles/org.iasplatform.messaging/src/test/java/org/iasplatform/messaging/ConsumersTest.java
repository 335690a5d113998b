package org.iasplatform.messaging;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.api.messaging.SubscriptionInfo;
import org.iasplatform.infra.server.EmbeddedKafka;
import org.iasplatform.messaging.internal.KafkaMessaging;
import org.iasplatform.messaging.internal.Settings;
import org.iasplatform.testsupport.Await;
import org.iasplatform.testsupport.EmbeddedKafkaResource;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@link KafkaMessaging#consumers()} against a real KRaft broker: every subscription and follower with its group, topics,
 * liveness, who made it, and the group's lag from committed vs end offsets. (Outside the messaging package on purpose:
 * the code that subscribes is told apart from the messaging code by its package.)
 */
public class ConsumersTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration LAG_TIMEOUT = Duration.ofSeconds(5);
    private static final AtomicInteger IDS = new AtomicInteger();

    @ClassRule
    public static final TemporaryFolder TMP = new TemporaryFolder();
    @ClassRule
    public static final EmbeddedKafkaResource KAFKA = new EmbeddedKafkaResource();

    private static KafkaMessaging messaging;

    @BeforeClass
    public static void connect() {
        messaging = new KafkaMessaging(KAFKA.bootstrapServers(), new Settings(3, (short) 1, Duration.ofSeconds(15),
                "ias-test"));
    }

    @AfterClass
    public static void disconnect() {
        if (messaging != null) {
            messaging.close();
        }
    }

    private static String unique(String prefix) {
        return prefix + "_" + IDS.incrementAndGet() + "_" + Long.toHexString(System.nanoTime());
    }

    private static void publish(KafkaMessaging via, String topic, String key, String value) {
        via.publish(topic, key, value).toCompletableFuture().join();
    }

    /** The consumer of {@code group} (lag asked of the broker), if listed. */
    private static Optional<SubscriptionInfo> ofGroup(KafkaMessaging via, String group) {
        return via.consumers(LAG_TIMEOUT).stream().filter(s -> group.equals(s.group())).findFirst();
    }

    private static <T> T await(String what, Supplier<Optional<T>> probe) {
        return Await.until(what, WAIT, probe);
    }

    @Test
    public void aSubscriptionIsListedWithItsGroupTopicsOwnerAndTheGroupsLag() throws Exception {
        String topic = unique("lag");
        String group = unique("group");
        messaging.ensureTopics(List.of(topic));
        CountDownLatch release = new CountDownLatch(1);
        long before = System.currentTimeMillis();
        Subscription s = messaging.subscribe(group, List.of(topic), m -> release.await(60, TimeUnit.SECONDS));
        try {
            SubscriptionInfo info = ofGroup(messaging, group).orElseThrow(() -> new AssertionError(messaging.consumers()));
            assertEquals(List.of(topic), info.topics());
            assertTrue(info.alive());
            assertFalse(info.isFollower());
            assertTrue(info.clientId(), info.clientId().startsWith("ias-test-" + group));
            assertNull("no OSGi framework here: no bundle", info.owner());
            assertEquals("the subscribing code comes first", ConsumersTest.class.getName(), info.callers().get(0));
            assertTrue(info.since() >= before);
            assertEquals("nothing published, nothing to catch up", Long.valueOf(0), info.lag());

            for (int i = 0; i < 5; i++) {
                publish(messaging, topic, "k" + i, "m" + i);
            }
            // the handler holds the first message: nothing is committed, all 5 are behind (a group that never committed
            // counts from the earliest offset, so the lag can show before the consumer's first poll returned: await both)
            SubscriptionInfo behind = await("lag 5, polled", () -> ofGroup(messaging, group)
                    .filter(x -> Long.valueOf(5).equals(x.lag()) && x.lastPoll() >= before));
            assertTrue("it polled", behind.lastPoll() >= before);
            assertTrue("consumers() alone does not ask the broker", messaging.consumers().stream()
                    .filter(x -> group.equals(x.group())).allMatch(x -> x.lag() == null));

            release.countDown();
            await("lag 0 once every message is handled and committed",
                    () -> ofGroup(messaging, group).filter(x -> Long.valueOf(0).equals(x.lag())));
        } finally {
            release.countDown();
            s.close();
        }
        assertTrue("a closed subscription is not listed", ofGroup(messaging, group).isEmpty());
    }

    @Test
    public void aConsumerWhoseThreadDiedStaysListedDeadUntilItIsClosed() throws Exception {
        String topic = unique("dies");
        String group = unique("group");
        messaging.ensureTopics(List.of(topic));
        Subscription s = messaging.subscribe(group, List.of(topic), m -> {
            throw new InternalError("the consumer thread dies (test)");
        });
        try {
            publish(messaging, topic, "k", "poison");
            SubscriptionInfo dead = await("the dead consumer listed", () -> messaging.consumers().stream()
                    .filter(x -> group.equals(x.group()) && !x.alive()).findFirst());
            assertEquals(List.of(topic), dead.topics());
            assertFalse(s.isAlive());
            assertEquals("the poison message was never committed", Long.valueOf(1),
                    ofGroup(messaging, group).orElseThrow().lag());
        } finally {
            s.close();
        }
        assertTrue("closed by its owner: gone", ofGroup(messaging, group).isEmpty());
    }

    @Test
    public void aFollowerHasNoGroupAndNoLagAndAPatternSubscriptionListsTheTopicsItMatches() throws Exception {
        String prefix = unique("pat");
        String t1 = prefix + "_a";
        String t2 = prefix + "_b";
        messaging.ensureTopics(List.of(t1, t2));
        String group = unique("group");
        Subscription follower = messaging.follow(List.of(t1), m -> { });
        Subscription pattern = messaging.subscribe(group, Pattern.compile(Pattern.quote(prefix) + "_.*"), m -> { });
        try {
            SubscriptionInfo following = messaging.consumers(LAG_TIMEOUT).stream()
                    .filter(x -> x.isFollower() && x.topics().equals(List.of(t1))).findFirst()
                    .orElseThrow(() -> new AssertionError(messaging.consumers()));
            assertNull(following.group());
            assertNull("a follower commits nothing: no lag", following.lag());
            assertTrue(following.alive());

            publish(messaging, t1, "k", "one");
            publish(messaging, t2, "k", "two");
            SubscriptionInfo matching = await("both topics matched and consumed", () -> ofGroup(messaging, group)
                    .filter(x -> x.topics().equals(List.of(t1, t2)) && Long.valueOf(0).equals(x.lag())));
            assertTrue(matching.alive());
        } finally {
            follower.close();
            pattern.close();
        }
    }

    @Test
    public void theLagIsUnknownWhenTheBrokerDoesNotAnswerInTimeAndAskingIsBounded() throws Exception {
        EmbeddedKafka own = new EmbeddedKafka(TMP.newFolder("kafka-own").toPath(), 0, 0);
        own.start();
        try (KafkaMessaging via = new KafkaMessaging(own.bootstrapServers(), new Settings(1, (short) 1,
                Duration.ofSeconds(3), "ias-test"))) {
            String topic = unique("gone");
            String group = unique("group");
            via.ensureTopics(List.of(topic));
            Subscription s = via.subscribe(group, List.of(topic), m -> { });
            await("the lag known while the broker runs", () -> ofGroup(via, group).filter(x -> x.lag() != null));
            own.close();

            long start = System.nanoTime();
            List<SubscriptionInfo> infos = via.consumers(Duration.ofSeconds(1));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue("took " + ms + " ms", ms < 3000);
            SubscriptionInfo info = infos.stream().filter(x -> group.equals(x.group())).findFirst().orElseThrow();
            assertNull("not known", info.lag());
            assertTrue("the consumer itself keeps trying: alive", info.alive());
            s.close();
        } finally {
            own.close();
        }
    }
}
