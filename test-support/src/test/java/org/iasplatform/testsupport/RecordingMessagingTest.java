package org.iasplatform.testsupport;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.testsupport.RecordingMessaging.Published;
import org.junit.Test;

/** The recording messaging's own behaviour, which the bundles' tests rely on. */
public class RecordingMessagingTest {
    private final RecordingMessaging messaging = new RecordingMessaging();

    @Test
    public void publishesAreRecordedInOrderAndComparedByTopicKeyAndValue() {
        long before = System.currentTimeMillis();
        messaging.publish("a", "k1", "{\"n\":1}").toCompletableFuture().join();
        messaging.publish("b", "k2", "{\"n\":2}").toCompletableFuture().join();
        messaging.publish("a", null, "not json").toCompletableFuture().join();

        assertEquals(List.of(new Published("a", "k1", "{\"n\":1}"), new Published("b", "k2", "{\"n\":2}"),
                new Published("a", null, "not json")), messaging.published());
        assertEquals(List.of("k1", "k1"), List.of(messaging.published("a").get(0).key(),
                messaging.published().get(0).key()));
        assertEquals(2, messaging.published("b").get(0).json().path("n").asInt());
        assertEquals(1, messaging.publishedJson("b").size());
        assertTrue(messaging.published().get(0).wallMillis() >= before);
        assertNotEquals(new Published("a", "k1", "{}"), messaging.published().get(0));
        try {
            messaging.published("a").get(1).json();
            fail("not JSON");
        } catch (AssertionError expected) {
            // as documented
        }

        messaging.clear();
        assertEquals(List.of(), messaging.published());
    }

    @Test
    public void publishingFailsForEveryTopicForOneTopicOrForTheNextFew() {
        IllegalStateException down = new IllegalStateException("broker down");
        messaging.failPublishing(down);
        assertSame(down, failure("a"));
        messaging.failPublishing(null);

        messaging.failNext("a", 2);
        assertTrue(failure("a") instanceof MessagingException);
        assertTrue(failure("a") instanceof MessagingException);
        messaging.publish("a", "k", "{}").toCompletableFuture().join();

        messaging.failTopic("b");
        for (int i = 0; i < 3; i++) {
            assertTrue(failure("b") instanceof MessagingException);
        }
        messaging.publish("c", "k", "{}").toCompletableFuture().join();
        messaging.recover("b");
        messaging.publish("b", "k", "{}").toCompletableFuture().join();
        assertEquals(List.of("a", "c", "b"), messaging.published().stream().map(Published::topic).toList());
    }

    @Test
    public void theHookSeesEachPublishBeforeItIsRecordedAndItsFailureFailsThePublish() {
        List<String> seen = new ArrayList<>();
        messaging.onPublish(p -> {
            seen.add(p.topic() + " recorded already: " + messaging.published().contains(p));
            if (p.topic().equals("bad")) {
                throw new AssertionError("refused");
            }
        });
        messaging.publish("good", "k", "{}").toCompletableFuture().join();
        Throwable refused = failure("bad");
        assertEquals(List.of("good recorded already: false", "bad recorded already: false"), seen);
        assertEquals(List.of(refused), messaging.hookFailures());
        assertEquals(1, messaging.published().size());
    }

    @Test
    public void messagesAreDeliveredToTheOpenSubscriptionsOfTheirTopic() throws Exception {
        List<String> got = new ArrayList<>();
        Subscription group = messaging.subscribe("g", List.of("t1", "t2"), m -> got.add("group " + m.value()));
        Subscription pattern = messaging.subscribe("p", Pattern.compile("t.*"), m -> got.add("pattern " + m.value()));
        Subscription follower = messaging.follow(List.of("t1"), m -> got.add("follower " + m.value()));

        assertEquals(3, messaging.deliver("t1", "k", "1"));
        follower.close();
        follower.close();
        assertFalse(follower.isAlive());
        assertEquals(2, messaging.deliver(messaging.message("t2", "k", "2", 42)));
        assertEquals(List.of("group 1", "pattern 1", "follower 1", "group 2", "pattern 2"), got);
        assertEquals(2, messaging.openSubscriptions("t1"));
        assertEquals(1, messaging.openSubscriptions("t3"));
        assertEquals(List.of("subscribe g [t1, t2]", "subscribe p t.*", "follow [t1]"),
                messaging.subscriptions().stream().map(Object::toString).toList());
        assertEquals(List.of("t1"), messaging.followed());
        assertEquals(List.of(follower), messaging.closed());
        assertTrue(group.isAlive() && pattern.isAlive());

        group.close();
        pattern.close();
        try {
            messaging.deliver("t2", "k", "3");
            fail("delivered to nobody");
        } catch (AssertionError expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("t2"));
        }
    }

    @Test
    public void messagesGetIncreasingOffsets() {
        Message first = messaging.message("t", "k", "1");
        Message second = messaging.message("t", "k", "2", 7);
        assertEquals(first.offset() + 1, second.offset());
        assertEquals(7, second.timestamp());
    }

    @Test
    public void subscribingCanBeMadeToFail() {
        messaging.failSubscribing(new IllegalStateException("Kafka did not answer"));
        try {
            messaging.follow(List.of("t"), m -> { });
            fail("followed");
        } catch (IllegalStateException expected) {
            assertEquals(List.of(), messaging.subscriptions());
        }
        messaging.failSubscribing(null);
        messaging.follow(List.of("t"), m -> { });
        assertEquals(1, messaging.subscriptions().size());
    }

    @Test
    public void latestAnswersTheLastOfWhatWasRetainedAndTopicsAndReachabilityAreRecorded() throws Exception {
        assertEquals(List.of(), messaging.latest("t", 5, Duration.ofSeconds(1)));
        List<Message> three = List.of(messaging.message("t", "k", "1"), messaging.message("t", "k", "2"),
                messaging.message("t", "k", "3"));
        messaging.retain("t", three);
        assertEquals(three.subList(1, 3), messaging.latest("t", 2, Duration.ofSeconds(1)));
        assertEquals(2, messaging.lastLatestCount());
        assertEquals(three, messaging.latest("t", 10, Duration.ofSeconds(1)));
        MessagingException unreadable = new MessagingException("cannot read (test)", null);
        messaging.failLatest(unreadable);
        try {
            messaging.latest("t", 1, Duration.ofSeconds(1));
            fail("latest was made to fail");
        } catch (MessagingException e) {
            assertSame(unreadable, e);
        }
        messaging.failLatest(null);
        assertEquals(three.subList(2, 3), messaging.latest("t", 1, Duration.ofSeconds(1)));

        messaging.ensureTopics(List.of("x", "y"));
        messaging.ensureTopics(List.of("x"));
        messaging.deleteTopics(List.of("y"));
        assertEquals(List.of("x", "y", "x"), messaging.ensured());
        assertEquals(List.of("y"), messaging.deleted());

        assertTrue(messaging.isReachable(Duration.ZERO));
        messaging.setReachable(false);
        assertFalse(messaging.isReachable(Duration.ZERO));
    }

    private Throwable failure(String topic) {
        try {
            messaging.publish(topic, "k", "{}").toCompletableFuture().join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("published to " + topic);
    }
}
