package org.iasplatform.lifecycle.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.MessageHandler;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Subscription;

/**
 * A {@link Messaging} that records what is published and consumes nothing (tests call the handlers directly). A hook sees
 * every publish as it happens; publishes to a topic can be made to fail.
 */
final class RecordingMessaging implements Messaging {
    record Published(String topic, String key, String json) {
    }

    private final List<Published> published = new ArrayList<>();
    final Set<String> ensured = ConcurrentHashMap.newKeySet();
    volatile Consumer<Published> onPublish = p -> { };
    private final ConcurrentHashMap<String, AtomicInteger> failures = new ConcurrentHashMap<>();

    /** The next {@code times} publishes to {@code topic} fail (as an unreachable broker would). */
    void failNext(String topic, int times) {
        failures.put(topic, new AtomicInteger(times));
    }

    synchronized List<Published> published(String topic) {
        return published.stream().filter(p -> p.topic().equals(topic)).toList();
    }

    synchronized List<Published> all() {
        return List.copyOf(published);
    }

    synchronized void clear() {
        published.clear();
    }

    @Override
    public CompletionStage<Void> publish(String topic, String key, String json) {
        AtomicInteger fail = failures.get(topic);
        if (fail != null && fail.getAndDecrement() > 0) {
            return CompletableFuture.failedFuture(new MessagingException("broker unreachable (test)", null));
        }
        Published p = new Published(topic, key, json);
        onPublish.accept(p);
        synchronized (this) {
            published.add(p);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Subscription subscribe(String group, Collection<String> topics, MessageHandler handler) {
        return idle();
    }

    @Override
    public Subscription subscribe(String group, Pattern topics, MessageHandler handler) {
        return idle();
    }

    @Override
    public Subscription follow(Collection<String> topics, MessageHandler handler) {
        return idle();
    }

    @Override
    public void ensureTopics(Collection<String> topics) {
        ensured.addAll(topics);
    }

    @Override
    public void deleteTopics(Collection<String> topics) {
    }

    @Override
    public List<Message> latest(String topic, int count, Duration timeout) {
        return List.of();
    }

    @Override
    public boolean isReachable(Duration timeout) {
        return true;
    }

    private static Subscription idle() {
        return new Subscription() {
            private volatile boolean open = true;

            @Override
            public boolean isAlive() {
                return open;
            }

            @Override
            public void close() {
                open = false;
            }
        };
    }
}
