package org.iasplatform.binder.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.MessageHandler;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Subscription;

/** A {@link Messaging} that records what is published and consumes nothing (handlers are called directly by tests). */
final class RecordingMessaging implements Messaging {
    record Published(String topic, String key, String json) {
    }

    private final List<Published> published = new ArrayList<>();

    synchronized List<Published> published(String topic) {
        return published.stream().filter(p -> p.topic().equals(topic)).toList();
    }

    synchronized List<Published> all() {
        return List.copyOf(published);
    }

    @Override
    public synchronized CompletionStage<Void> publish(String topic, String key, String json) {
        published.add(new Published(topic, key, json));
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
            @Override
            public boolean isAlive() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }
}
