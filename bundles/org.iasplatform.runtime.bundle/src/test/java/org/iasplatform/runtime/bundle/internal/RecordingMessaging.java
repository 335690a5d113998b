package org.iasplatform.runtime.bundle.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.MessageHandler;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Subscription;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An in-memory {@link Messaging} for the bundle runtime's tests (the Kafka path is tested end to end elsewhere): records
 * what is published, and delivers {@link #deliver test messages} to the followers of a topic on the caller's thread.
 */
final class RecordingMessaging implements Messaging {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Published(String topic, String key, String json) {
        JsonNode tree() {
            try {
                return JSON.readTree(json);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    static final class Follower implements Subscription {
        final List<String> topics;
        final MessageHandler handler;
        volatile boolean closed;

        Follower(List<String> topics, MessageHandler handler) {
            this.topics = topics;
            this.handler = handler;
        }

        @Override
        public boolean isAlive() {
            return !closed;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    final List<Published> published = new CopyOnWriteArrayList<>();
    final List<Follower> followers = new CopyOnWriteArrayList<>();
    final List<String> ensured = new CopyOnWriteArrayList<>();
    private final AtomicLong offsets = new AtomicLong();
    volatile RuntimeException failPublish;

    @Override
    public CompletionStage<Void> publish(String topic, String key, String json) {
        if (failPublish != null) {
            return CompletableFuture.failedFuture(failPublish);
        }
        published.add(new Published(topic, key, json));
        return CompletableFuture.completedFuture(null);
    }

    List<Published> on(String topic) {
        return published.stream().filter(p -> p.topic().equals(topic)).toList();
    }

    /** Hands a message to every open follower of the topic. */
    void deliver(String topic, String key, String json) throws Exception {
        for (Follower f : followers) {
            if (!f.closed && f.topics.contains(topic)) {
                f.handler.handle(new Message(topic, key, json, System.currentTimeMillis(), 0, offsets.getAndIncrement()));
            }
        }
    }

    long openFollowers(String topic) {
        return followers.stream().filter(f -> !f.closed && f.topics.contains(topic)).count();
    }

    @Override
    public Subscription subscribe(String group, Collection<String> topics, MessageHandler handler) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Subscription subscribe(String group, Pattern topics, MessageHandler handler) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Subscription follow(Collection<String> topics, MessageHandler handler) {
        Follower f = new Follower(List.copyOf(topics), handler);
        followers.add(f);
        return f;
    }

    @Override
    public void ensureTopics(Collection<String> topics) {
        ensured.addAll(topics);
    }

    @Override
    public void deleteTopics(Collection<String> topics) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<Message> latest(String topic, int count, Duration timeout) {
        return List.of();
    }

    @Override
    public boolean isReachable(Duration timeout) {
        return true;
    }
}
