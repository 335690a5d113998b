package org.iasplatform.messaging.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.MessageHandler;
import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.api.messaging.SubscriptionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer on its own thread: hands every record to the handler in order and, in a consumer group, commits its
 * offset + 1 once the handler returned. A handler that throws gets the same record again after an exponential back-off;
 * nothing after it (in any partition of the batch) is handled or committed before it.
 */
final class ConsumerLoop implements Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLoop.class);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 30_000;
    private static final long JOIN_TIMEOUT_MS = 60_000;

    private final String name;
    private final KafkaConsumer<String, String> consumer;
    private final boolean commit;
    private final Consumer<KafkaConsumer<String, String>> onStart;
    private final MessageHandler handler;
    private final Consumer<ConsumerLoop> onClosed;
    private final Runnable afterPoll;
    private final Runnable onEnd;
    private final Thread thread;
    private final Origin origin;
    private final long since = System.currentTimeMillis();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile boolean closed;
    private volatile boolean running;
    private volatile Throwable startFailure;
    private volatile String group; // the consumer group, once started (null for a follower)
    private volatile List<String> topics = List.of(); // subscribed or assigned, as of the last poll
    private volatile long lastPoll;
    private long backoffMs = MIN_BACKOFF_MS;
    private int attempt;

    /**
     * @param name     the thread's name and how logs refer to the subscription
     * @param consumer the consumer, used only by the loop's thread once started
     * @param commit   whether to commit each handled record (consumer group) or not (follower)
     * @param onStart  run on the loop's thread before polling (e.g. subscribe); may be a no-op
     * @param onClosed told when the subscription is over: closed (by {@link #close()}, once its consumer is closed) or
     *                 never started; a loop whose thread died without being closed stays until it is closed
     */
    ConsumerLoop(String name, KafkaConsumer<String, String> consumer, boolean commit,
            Consumer<KafkaConsumer<String, String>> onStart, MessageHandler handler, Consumer<ConsumerLoop> onClosed) {
        this(name, consumer, commit, onStart, handler, onClosed, () -> { }, () -> { });
    }

    /**
     * A loop with hooks, both run on the loop's thread:
     *
     * @param afterPoll run after every poll (and the handling of what it returned), failed or not
     * @param onEnd     run once the loop ends (closed or died), before its consumer is closed
     */
    ConsumerLoop(String name, KafkaConsumer<String, String> consumer, boolean commit,
            Consumer<KafkaConsumer<String, String>> onStart, MessageHandler handler, Consumer<ConsumerLoop> onClosed,
            Runnable afterPoll, Runnable onEnd) {
        this.afterPoll = afterPoll;
        this.onEnd = onEnd;
        this.name = name;
        this.consumer = consumer;
        this.commit = commit;
        this.onStart = onStart;
        this.handler = handler;
        this.onClosed = onClosed;
        this.origin = Origin.ofCaller();
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    /** Starts the thread and returns once it runs its first poll loop (or throws what prevented it). */
    void start() {
        running = true;
        thread.start();
        try {
            started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Throwable failure = startFailure;
        if (failure != null) {
            throw new IllegalStateException("Consumer " + name + " could not start: " + failure, failure);
        }
    }

    @Override
    public boolean isAlive() {
        return running && !closed && thread.isAlive();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop.countDown();
        consumer.wakeup();
        if (Thread.currentThread() == thread) {
            return; // closed from its own handler: the loop ends after this record
        }
        try {
            thread.join(JOIN_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("Consumer {} did not stop within {} s (its handler is still running); it stops after it returns",
                    name, JOIN_TIMEOUT_MS / 1000);
        } else {
            onClosed.accept(this); // it may have died before: its end did not remove it
        }
    }

    /** Whether {@link #close()} was called. */
    boolean isClosed() {
        return closed;
    }

    /** What it is doing now (lag not known here: null). */
    SubscriptionInfo info() {
        return new SubscriptionInfo(name, group, topics, isAlive(), null, origin.bundle(), origin.callers(), since, lastPoll);
    }

    private void run() {
        Thread.currentThread().setContextClassLoader(ConsumerLoop.class.getClassLoader());
        try {
            try {
                onStart.accept(consumer);
                if (commit) {
                    group = consumer.groupMetadata().groupId();
                }
                noteTopics();
            } catch (Throwable t) {
                startFailure = t;
                return;
            } finally {
                started.countDown();
            }
            LOG.debug("Consumer {} started", name);
            while (!closed) {
                ConsumerRecords<String, String> records;
                try {
                    records = consumer.poll(POLL_TIMEOUT);
                    lastPoll = System.currentTimeMillis();
                    noteTopics();
                } catch (WakeupException e) {
                    continue; // closed
                } catch (RuntimeException e) {
                    if (closed) {
                        break;
                    }
                    backOff("poll failed", e);
                    afterPoll.run();
                    continue;
                }
                if (!records.isEmpty()) {
                    process(records);
                }
                afterPoll.run();
            }
        } catch (Throwable t) {
            LOG.error("Consumer {} died", name, t);
        } finally {
            running = false;
            try {
                onEnd.run();
            } catch (RuntimeException e) {
                LOG.error("Consumer {}: its end failed", name, e);
            }
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("Closing consumer {} failed", name, e);
            }
            LOG.debug("Consumer {} stopped", name);
            if (closed || startFailure != null) {
                onClosed.accept(this);
            }
        }
    }

    /** The topics subscribed to (for a pattern: those matching now) or, for a follower, assigned; cheap local calls. */
    private void noteTopics() {
        Set<String> now = new TreeSet<>(consumer.subscription());
        if (now.isEmpty()) {
            consumer.assignment().forEach(tp -> now.add(tp.topic()));
        }
        List<String> sorted = List.copyOf(now);
        if (!sorted.equals(topics)) {
            topics = sorted;
        }
    }

    private void process(ConsumerRecords<String, String> records) {
        List<TopicPartition> partitions = new ArrayList<>(records.partitions());
        for (int i = 0; i < partitions.size(); i++) {
            TopicPartition tp = partitions.get(i);
            for (ConsumerRecord<String, String> record : records.records(tp)) {
                if (closed) {
                    return;
                }
                Throwable failure = handle(record);
                if (failure != null) {
                    rewind(records, partitions, i, record.offset());
                    backOff("handler failed on " + tp + " offset " + record.offset() + " (key " + record.key()
                            + "); delivering it again", failure);
                    return;
                }
                if (commit && !commit(tp, record.offset() + 1)) {
                    rewind(records, partitions, i, record.offset() + 1);
                    return;
                }
                resetBackOff();
            }
        }
    }

    private Throwable handle(ConsumerRecord<String, String> record) {
        try {
            handler.handle(new Message(record.topic(), record.key(), record.value(), record.timestamp(),
                    record.partition(), record.offset()));
            return null;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            return t;
        }
    }

    /** Commits; a wake-up (close) during the commit does not lose it: the commit is retried once, wake-up consumed. */
    private boolean commit(TopicPartition tp, long nextOffset) {
        Map<TopicPartition, OffsetAndMetadata> offsets = Map.of(tp, new OffsetAndMetadata(nextOffset));
        for (int tries = 0; tries < 2; tries++) {
            try {
                consumer.commitSync(offsets);
                return true;
            } catch (WakeupException e) {
                // close() woke the consumer: try once more, the wake-up is consumed
            } catch (RuntimeException e) {
                if (closed) {
                    LOG.warn("Consumer {}: committing {} offset {} failed while closing; it will be delivered again: {}",
                            name, tp, nextOffset, e.toString());
                    return false;
                }
                // e.g. the group rebalanced: the record is delivered again from the last committed offset (idempotent)
                backOff("commit of " + tp + " offset " + nextOffset + " failed", e);
                return false;
            }
        }
        return false;
    }

    /**
     * Positions the consumer so that the next poll returns {@code offset} of partition {@code index} and the first
     * fetched record of every later partition of the batch, which were not handled.
     */
    private void rewind(ConsumerRecords<String, String> records, List<TopicPartition> partitions, int index,
            long offset) {
        try {
            var assigned = consumer.assignment();
            for (int j = index; j < partitions.size(); j++) {
                TopicPartition tp = partitions.get(j);
                if (assigned.contains(tp)) {
                    consumer.seek(tp, j == index ? offset : records.records(tp).get(0).offset());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Consumer {}: could not seek back ({}); uncommitted records come again after a rebalance", name,
                    e.toString());
        }
    }

    private void backOff(String what, Throwable cause) {
        attempt++;
        long delay = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        if (attempt == 1) {
            LOG.warn("Consumer {}: {}; retrying in {} ms", name, what, delay, cause);
        } else {
            LOG.warn("Consumer {}: {} (attempt {}); retrying in {} ms: {}", name, what, attempt, delay,
                    cause.toString());
        }
        try {
            stop.await(delay, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    private void resetBackOff() {
        backoffMs = MIN_BACKOFF_MS;
        attempt = 0;
    }

    @Override
    public String toString() {
        return "Subscription[" + name + (isAlive() ? ", alive]" : ", stopped]");
    }
}
