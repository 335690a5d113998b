package org.iasplatform.scheduler.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.MessageHandler;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Subscription;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A {@link Messaging} that records what is published (with the wall time of publishing), can refuse publishing to a topic,
 * runs a check on each publish (e.g. "the run is stored already"), and delivers test messages straight to the subscribed
 * handler.
 */
final class RecordingMessaging implements Messaging {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    record Published(String topic, String key, JsonNode json, long wallMillis) {
    }

    /** A check run on every publish, before it is recorded; its failure fails the publish. */
    interface PublishCheck {
        void check(String topic, String key, JsonNode json) throws Exception;
    }

    final List<Published> published = new CopyOnWriteArrayList<>();
    final List<String> subscriptions = new CopyOnWriteArrayList<>();
    final List<AssertionError> checkFailures = new CopyOnWriteArrayList<>();
    private final AtomicLong offsets = new AtomicLong();
    private volatile MessageHandler handler;
    volatile String failTopic;
    volatile PublishCheck check;

    @Override
    public CompletionStage<Void> publish(String topic, String key, String json) {
        if (topic.equals(failTopic)) {
            return CompletableFuture.failedFuture(new IllegalStateException("broker unreachable (test)"));
        }
        try {
            JsonNode node = MAPPER.readTree(json);
            PublishCheck c = check;
            if (c != null) {
                try {
                    c.check(topic, key, node);
                } catch (AssertionError e) {
                    checkFailures.add(e);
                    throw e;
                }
            }
            published.add(new Published(topic, key, node, System.currentTimeMillis()));
            return CompletableFuture.completedFuture(null);
        } catch (Exception | AssertionError e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public Subscription subscribe(String group, Collection<String> topics, MessageHandler h) {
        subscriptions.add(group + " " + topics);
        this.handler = h;
        return new Subscription() {
            @Override
            public boolean isAlive() {
                return true;
            }

            @Override
            public void close() {
                // nothing runs
            }
        };
    }

    @Override
    public Subscription subscribe(String group, Pattern topics, MessageHandler h) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Subscription follow(Collection<String> topics, MessageHandler h) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void ensureTopics(Collection<String> topics) {
        // nothing to create
    }

    @Override
    public void deleteTopics(Collection<String> topics) {
        // nothing to delete
    }

    @Override
    public List<Message> latest(String topic, int count, Duration timeout) {
        return List.of();
    }

    @Override
    public boolean isReachable(Duration timeout) {
        return true;
    }

    /** Delivers one message to the subscribed handler, as the consumer would (returns when the handler returned). */
    void deliver(String topic, String key, String json, long timestamp) throws Exception {
        handler.handle(new Message(topic, key, json, timestamp, 0, offsets.getAndIncrement()));
    }

    List<Published> on(String topic) {
        return published.stream().filter(p -> p.topic().equals(topic)).toList();
    }

    List<Published> matching(String topic, Predicate<JsonNode> test) {
        return on(topic).stream().filter(p -> test.test(p.json())).toList();
    }

    void clear() {
        published.clear();
    }
}
