package org.iasplatform.testsupport;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import org.iasplatform.api.messaging.Leadership;
import org.iasplatform.api.messaging.LeadershipListener;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.MessageHandler;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.api.messaging.SubscriptionInfo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An in-memory {@link Messaging} for unit tests. Nothing is consumed by itself: it records what is published (topic,
 * key, value and wall time), every subscribe and follow call with its handler, the topics ensured and deleted; a test
 * hands messages to the open subscriptions of a topic with {@link #deliver(Message)}, on its own thread.
 * <p>
 * Publishing can be made to fail (for every topic, for one topic until it recovers, or for the next few publishes to a
 * topic), or go unanswered until the test acknowledges or refuses it (a broker restarting); creating a topic can be made
 * to fail; a {@link #onPublish hook} sees every publish as it happens, before it is recorded (e.g. to check what is
 * stored at that moment, or to answer it by delivering messages); subscribing can be made to fail; {@link #latest}
 * answers what the test {@link #retain retained} for a topic, or fails as the test {@link #failLatest asked}. Thread-safe: the code under test may publish from any
 * thread.
 */
public final class RecordingMessaging implements Messaging {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UNREACHABLE = "broker unreachable (test)";

    /** One publish: its topic, key and value, and the wall time of the call (which equality leaves out). */
    public static final class Published {
        private final String topic;
        private final String key;
        private final String value;
        private final long wallMillis;

        /** A publish to compare recorded ones with (equal when topic, key and value are; its wall time is 0). */
        public Published(String topic, String key, String value) {
            this(topic, key, value, 0);
        }

        private Published(String topic, String key, String value, long wallMillis) {
            this.topic = topic;
            this.key = key;
            this.value = value;
            this.wallMillis = wallMillis;
        }

        public String topic() {
            return topic;
        }

        public String key() {
            return key;
        }

        /** The JSON text as published. */
        public String value() {
            return value;
        }

        /** The value parsed; an {@link AssertionError} when it is not JSON. */
        public JsonNode json() {
            try {
                return JSON.readTree(value);
            } catch (Exception e) {
                throw new AssertionError("published to " + topic + ", not JSON: " + value, e);
            }
        }

        /** When it was published, epoch ms of the wall clock. */
        public long wallMillis() {
            return wallMillis;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Published p && Objects.equals(topic, p.topic) && Objects.equals(key, p.key)
                    && Objects.equals(value, p.value);
        }

        @Override
        public int hashCode() {
            return Objects.hash(topic, key, value);
        }

        @Override
        public String toString() {
            return "Published[topic=" + topic + ", key=" + key + ", value=" + value + "]";
        }
    }

    /** Runs on every publish that is not made to fail, before it is recorded; what it throws fails that publish. */
    @FunctionalInterface
    public interface PublishHook {
        void accept(Published published) throws Exception;
    }

    /** One subscribe or follow call: what it asked for, the handler it gave, and whether it is still open. */
    public final class Subscribed implements Subscription {
        private final String group;
        private final List<String> topics;
        private final Pattern pattern;
        private final MessageHandler handler;
        private final AtomicBoolean open = new AtomicBoolean(true);

        private Subscribed(String group, List<String> topics, Pattern pattern, MessageHandler handler) {
            this.group = group;
            this.topics = topics;
            this.pattern = pattern;
            this.handler = handler;
        }

        /** The consumer group; null for a follower. */
        public String group() {
            return group;
        }

        /** The topics asked for; null for a subscription to a pattern. */
        public List<String> topics() {
            return topics;
        }

        /** The pattern asked for; null for a subscription to topics. */
        public Pattern pattern() {
            return pattern;
        }

        public MessageHandler handler() {
            return handler;
        }

        /** Whether this is a {@link Messaging#follow follow} (no consumer group). */
        public boolean follows() {
            return group == null;
        }

        /** Whether a message of {@code topic} is for this subscription (open or not). */
        public boolean matches(String topic) {
            return topics != null ? topics.contains(topic) : pattern.matcher(topic).matches();
        }

        @Override
        public boolean isAlive() {
            return open.get();
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                closed.add(this);
            }
        }

        /** The call as made: {@code follow [t]}, {@code subscribe group [t]} or {@code subscribe group pattern}. */
        @Override
        public String toString() {
            if (follows()) {
                return "follow " + topics;
            }
            return "subscribe " + group + " " + (topics != null ? topics : pattern.pattern());
        }
    }

    private final List<Published> published = new CopyOnWriteArrayList<>();
    private final List<Subscribed> subscriptions = new CopyOnWriteArrayList<>();
    private final List<Subscribed> closed = new CopyOnWriteArrayList<>();
    private final List<String> ensured = new CopyOnWriteArrayList<>();
    private final List<String> deleted = new CopyOnWriteArrayList<>();
    private final List<AssertionError> hookFailures = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> topicFailures = new ConcurrentHashMap<>();
    private final java.util.Set<String> unensurable = ConcurrentHashMap.newKeySet();
    private final List<CompletableFuture<Void>> held = new java.util.ArrayList<>(); // guarded by itself
    private boolean holding; // guarded by held
    private final Map<String, List<Message>> retained = new ConcurrentHashMap<>();
    private final AtomicLong offsets = new AtomicLong();
    private final AtomicInteger lastLatestCount = new AtomicInteger();
    private volatile Exception publishFailure;
    private volatile RuntimeException subscribeFailure;
    private volatile MessagingException latestFailure;
    private volatile PublishHook hook;
    private volatile boolean reachable = true;

    // ------------------------------------------------------------------------------------------------- set-up

    /** Every publish fails with {@code cause} (as an unreachable broker would); null: publishing works again. */
    public void failPublishing(Exception cause) {
        publishFailure = cause;
    }

    /** Every publish to {@code topic} fails with a {@link MessagingException} until {@link #recover} is called. */
    public void failTopic(String topic) {
        failNext(topic, Integer.MAX_VALUE);
    }

    /** The next {@code times} publishes to {@code topic} fail with a {@link MessagingException}. */
    public void failNext(String topic, int times) {
        topicFailures.put(topic, new AtomicInteger(times));
    }

    /** Publishing to {@code topic} works again (and creating it, after {@link #failEnsuring}). */
    public void recover(String topic) {
        topicFailures.remove(topic);
        unensurable.remove(topic);
    }

    /**
     * From now on publishes are recorded (after the {@link #onPublish hook}) but not answered, as by a broker that is
     * restarting: their stages complete only when the test {@link #acknowledgeHeld acknowledges} or {@link #refuseHeld
     * refuses} them.
     */
    public void holdAcknowledgements() {
        synchronized (held) {
            holding = true;
        }
    }

    /** Completes every held publish normally (acknowledged) and stops holding. */
    public void acknowledgeHeld() {
        releaseHeld().forEach(ack -> ack.complete(null));
    }

    /** Fails every held publish with {@code cause} (as a producer giving up) and stops holding. */
    public void refuseHeld(Exception cause) {
        releaseHeld().forEach(ack -> ack.completeExceptionally(cause));
    }

    private List<CompletableFuture<Void>> releaseHeld() {
        synchronized (held) {
            holding = false;
            List<CompletableFuture<Void>> released = List.copyOf(held);
            held.clear();
            return released;
        }
    }

    /**
     * Every {@link #ensureTopics} call that names {@code topic} throws a {@link MessagingException} (and records
     * nothing) until {@link #recover} is called.
     */
    public void failEnsuring(String topic) {
        unensurable.add(topic);
    }

    /** Every subscribe and follow call throws {@code cause}; null: they work again. */
    public void failSubscribing(RuntimeException cause) {
        subscribeFailure = cause;
    }

    /** Every {@link #latest} call throws {@code cause} (as a broker that cannot be read would); null: it works again. */
    public void failLatest(MessagingException cause) {
        latestFailure = cause;
    }

    /** Runs {@code hook} on every publish from now on (null: none); see {@link PublishHook}. */
    public void onPublish(PublishHook hook) {
        this.hook = hook;
    }

    /** What {@link #isReachable} answers (true at first). */
    public void setReachable(boolean reachable) {
        this.reachable = reachable;
    }

    /** What {@link #latest} answers for {@code topic}: these messages, oldest first (nothing at first). */
    public void retain(String topic, List<Message> messages) {
        retained.put(topic, List.copyOf(messages));
    }

    /** Forgets what was published. */
    public void clear() {
        published.clear();
    }

    // ------------------------------------------------------------------------------------------------- what happened

    /** Every publish recorded, oldest first. */
    public List<Published> published() {
        return List.copyOf(published);
    }

    /** The publishes recorded for {@code topic}, oldest first. */
    public List<Published> published(String topic) {
        return published.stream().filter(p -> p.topic().equals(topic)).toList();
    }

    /** The values published to {@code topic}, parsed, oldest first. */
    public List<JsonNode> publishedJson(String topic) {
        return published(topic).stream().map(Published::json).toList();
    }

    /** Every subscribe and follow call, in order, open or closed. */
    public List<Subscribed> subscriptions() {
        return List.copyOf(subscriptions);
    }

    /** The subscriptions closed, in the order they were closed. */
    public List<Subscribed> closed() {
        return List.copyOf(closed);
    }

    /** The topics of every follow call, in order. */
    public List<String> followed() {
        return subscriptions.stream().filter(Subscribed::follows).flatMap(s -> s.topics().stream()).toList();
    }

    /** How many open subscriptions take messages of {@code topic}. */
    public long openSubscriptions(String topic) {
        return subscriptions.stream().filter(s -> s.isAlive() && s.matches(topic)).count();
    }

    /** The topics of every ensureTopics call, in order (repeats included). */
    public List<String> ensured() {
        return List.copyOf(ensured);
    }

    /** The topics of every deleteTopics call, in order. */
    public List<String> deleted() {
        return List.copyOf(deleted);
    }

    /** The assertion errors the {@link #onPublish hook} threw (each failed its publish, which may go unnoticed). */
    public List<AssertionError> hookFailures() {
        return List.copyOf(hookFailures);
    }

    /** The count of the last {@link #latest} call; 0 before any. */
    public int lastLatestCount() {
        return lastLatestCount.get();
    }

    // ------------------------------------------------------------------------------------------------- delivering

    /** A message of {@code topic} as a consumer would get it now (partition 0, the next offset). */
    public Message message(String topic, String key, String json) {
        return message(topic, key, json, System.currentTimeMillis());
    }

    /** A message of {@code topic} with the record timestamp {@code timestamp} (partition 0, the next offset). */
    public Message message(String topic, String key, String json, long timestamp) {
        return new Message(topic, key, json, timestamp, 0, offsets.getAndIncrement());
    }

    /** Delivers {@link #message(String, String, String) a new message}; see {@link #deliver(Message)}. */
    public int deliver(String topic, String key, String json) throws Exception {
        return deliver(message(topic, key, json));
    }

    /**
     * Hands {@code message} to the handler of every open subscription of its topic, in subscription order, on this
     * thread (as the consumer threads would); what a handler throws is thrown. Answers how many handlers took it.
     *
     * @throws AssertionError when no open subscription takes the topic
     */
    public int deliver(Message message) throws Exception {
        int handed = 0;
        for (Subscribed s : subscriptions) {
            if (s.isAlive() && s.matches(message.topic())) {
                s.handler().handle(message);
                handed++;
            }
        }
        if (handed == 0) {
            throw new AssertionError("nobody takes messages of " + message.topic() + "; subscriptions: "
                    + subscriptions);
        }
        return handed;
    }

    // ------------------------------------------------------------------------------------------------- Messaging

    @Override
    public CompletionStage<Void> publish(String topic, String key, String json) {
        Exception failure = publishFailure;
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        AtomicInteger fail = topicFailures.get(topic);
        if (fail != null && fail.getAndDecrement() > 0) {
            return CompletableFuture.failedFuture(new MessagingException(UNREACHABLE, null));
        }
        Published p = new Published(topic, key, json, System.currentTimeMillis());
        PublishHook h = hook;
        if (h != null) {
            try {
                h.accept(p);
            } catch (AssertionError e) {
                hookFailures.add(e);
                return CompletableFuture.failedFuture(e);
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        published.add(p);
        synchronized (held) {
            if (holding) {
                CompletableFuture<Void> ack = new CompletableFuture<>();
                held.add(ack);
                return ack;
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Subscription subscribe(String group, Collection<String> topics, MessageHandler handler) {
        return add(new Subscribed(group, List.copyOf(topics), null, handler));
    }

    @Override
    public Subscription subscribe(String group, Pattern topics, MessageHandler handler) {
        return add(new Subscribed(group, null, topics, handler));
    }

    @Override
    public Subscription follow(Collection<String> topics, MessageHandler handler) {
        return add(new Subscribed(null, List.copyOf(topics), null, handler));
    }

    /**
     * A candidate elected at once (the only one), told {@link LeadershipListener#revoked()} when closed; tests standing
     * for several platform instances elect against the real broker instead.
     */
    @Override
    public Leadership lead(String role, LeadershipListener listener) {
        AtomicBoolean leading = new AtomicBoolean(true);
        listener.elected();
        return new Leadership() {
            @Override
            public String role() {
                return role;
            }

            @Override
            public boolean isLeader() {
                return leading.get();
            }

            @Override
            public boolean isAlive() {
                return leading.get();
            }

            @Override
            public void close() {
                if (leading.getAndSet(false)) {
                    listener.revoked();
                }
            }
        };
    }

    private Subscribed add(Subscribed subscription) {
        RuntimeException failure = subscribeFailure;
        if (failure != null) {
            throw failure;
        }
        subscriptions.add(subscription);
        return subscription;
    }

    @Override
    public void ensureTopics(Collection<String> topics) throws MessagingException {
        for (String topic : topics) {
            if (unensurable.contains(topic)) {
                throw new MessagingException(UNREACHABLE + ": topic " + topic + " not created", null);
            }
        }
        ensured.addAll(topics);
    }

    @Override
    public void deleteTopics(Collection<String> topics) {
        deleted.addAll(topics);
    }

    /**
     * The last {@code count} of the messages {@link #retain retained} for {@code topic}; records {@code count}. Throws
     * what {@link #failLatest} set.
     */
    @Override
    public List<Message> latest(String topic, int count, Duration timeout) throws MessagingException {
        lastLatestCount.set(count);
        MessagingException failure = latestFailure;
        if (failure != null) {
            throw failure;
        }
        List<Message> all = retained.getOrDefault(topic, List.of());
        return all.subList(Math.max(0, all.size() - count), all.size());
    }

    @Override
    public boolean isReachable(Duration timeout) {
        return reachable;
    }

    /** The open subscriptions, alive, lag unknown (nothing is consumed here); no owner, client id {@code recording-N}. */
    @Override
    public List<SubscriptionInfo> consumers() {
        List<SubscriptionInfo> result = new java.util.ArrayList<>();
        for (int i = 0; i < subscriptions.size(); i++) {
            Subscribed s = subscriptions.get(i);
            if (s.isAlive()) {
                result.add(new SubscriptionInfo("recording-" + (i + 1), s.group(),
                        s.topics() != null ? s.topics() : List.of(), true, null, null, List.of(), 0, 0));
            }
        }
        return result;
    }

    /** As {@link #consumers()}: no broker to ask for lag. */
    @Override
    public List<SubscriptionInfo> consumers(Duration lagTimeout) {
        return consumers();
    }
}
