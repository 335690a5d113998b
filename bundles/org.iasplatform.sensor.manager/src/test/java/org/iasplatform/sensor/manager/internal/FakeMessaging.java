package org.iasplatform.sensor.manager.internal;

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

/** An in-memory {@link Messaging}: records what is published and delivers test messages synchronously. */
final class FakeMessaging implements Messaging {
    record Published(String topic, String key, String json) {
    }

    final class FakeSubscription implements Subscription {
        final Collection<String> topics;
        final Pattern pattern;
        final MessageHandler handler;
        volatile boolean alive = true;

        FakeSubscription(Collection<String> topics, Pattern pattern, MessageHandler handler) {
            this.topics = topics;
            this.pattern = pattern;
            this.handler = handler;
        }

        boolean matches(String topic) {
            return topics != null ? topics.contains(topic) : pattern.matcher(topic).matches();
        }

        @Override
        public boolean isAlive() {
            return alive;
        }

        @Override
        public void close() {
            alive = false;
        }
    }

    final List<Published> published = new CopyOnWriteArrayList<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<FakeSubscription> subscriptions = new CopyOnWriteArrayList<>();
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

    @Override
    public Subscription subscribe(String group, Collection<String> topics, MessageHandler handler) {
        calls.add("subscribe " + group + " " + topics);
        return add(new FakeSubscription(List.copyOf(topics), null, handler));
    }

    @Override
    public Subscription subscribe(String group, Pattern topics, MessageHandler handler) {
        calls.add("subscribe " + group + " " + topics.pattern());
        return add(new FakeSubscription(null, topics, handler));
    }

    @Override
    public Subscription follow(Collection<String> topics, MessageHandler handler) {
        calls.add("follow " + topics);
        return add(new FakeSubscription(List.copyOf(topics), null, handler));
    }

    private FakeSubscription add(FakeSubscription subscription) {
        subscriptions.add(subscription);
        return subscription;
    }

    /** Delivers one message to every live subscription of its topic, as the consumer threads would. */
    void deliver(String topic, String key, String json) throws Exception {
        Message message = new Message(topic, key, json, System.currentTimeMillis(), 0, offsets.getAndIncrement());
        for (FakeSubscription subscription : subscriptions) {
            if (subscription.alive && subscription.matches(topic)) {
                subscription.handler.handle(message);
            }
        }
    }

    List<Published> publishedTo(String topic) {
        return published.stream().filter(p -> p.topic().equals(topic)).toList();
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
}
