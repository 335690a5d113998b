package org.iasplatform.node.internal;

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
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Subscription;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** An in-memory {@link Messaging}: records what is published and subscribed; publishing can be made to fail. */
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

    record Subscribed(String group, List<String> topics, MessageHandler handler, boolean[] closed) implements Subscription {
        @Override
        public boolean isAlive() {
            return !closed[0];
        }

        @Override
        public void close() {
            closed[0] = true;
        }
    }

    final List<Published> published = new CopyOnWriteArrayList<>();
    final List<Subscribed> subscriptions = new CopyOnWriteArrayList<>();
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

    /** The messages published to a topic, as JSON trees, oldest first. */
    List<JsonNode> on(String topic) {
        return published.stream().filter(p -> p.topic().equals(topic)).map(Published::tree).toList();
    }

    Message message(String topic, String key, String json) {
        return new Message(topic, key, json, System.currentTimeMillis(), 0, offsets.getAndIncrement());
    }

    @Override
    public Subscription subscribe(String group, Collection<String> topics, MessageHandler handler) {
        Subscribed s = new Subscribed(group, List.copyOf(topics), handler, new boolean[1]);
        subscriptions.add(s);
        return s;
    }

    @Override
    public Subscription subscribe(String group, Pattern topics, MessageHandler handler) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Subscription follow(Collection<String> topics, MessageHandler handler) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void ensureTopics(Collection<String> topics) {
        ensured.addAll(topics);
    }

    @Override
    public void deleteTopics(Collection<String> topics) throws MessagingException {
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
