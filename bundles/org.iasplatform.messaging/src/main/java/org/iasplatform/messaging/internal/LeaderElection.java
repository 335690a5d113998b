package org.iasplatform.messaging.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.iasplatform.api.messaging.Leadership;
import org.iasplatform.api.messaging.LeadershipListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leadership candidate: a member of the role's consumer group subscribed to the role's election topic; the member
 * assigned partition 0 leads. The group's cooperative sticky assignment keeps the leader when candidates join, its
 * revocation callback (run inside the rebalance, before the partition is handed over) stops the leader's work first,
 * and the broker hands the partition on after the session time-out when a leader dies. While leading, the candidate
 * confirms every {@link #CONFIRM_EVERY_MS} that the group coordinator still answers; a leader without confirmation for a
 * session time-out (cut off from the broker: the group has handed its partition on by then) steps down until it hears
 * from the coordinator again.
 */
final class LeaderElection implements Leadership {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);
    static final long CONFIRM_EVERY_MS = 1000;

    private final String role;
    private final String name;
    private final KafkaConsumer<String, String> consumer;
    private final TopicPartition leaderPartition;
    private final long sessionMs;
    private final LeadershipListener listener;
    private final ConsumerLoop loop;
    private volatile boolean leader;
    /** Loop thread only. */
    private boolean holdsPartition;
    /** Loop thread only: when the coordinator last answered while the partition was held (nanoTime). */
    private long confirmedAt;
    /** Loop thread only (nanoTime). */
    private long lastConfirmAttempt;

    /**
     * @param onClosed told when the candidate's consumer is closed (as {@link ConsumerLoop}'s)
     */
    LeaderElection(String role, String name, KafkaConsumer<String, String> consumer, String topic, Duration session,
            LeadershipListener listener, Consumer<ConsumerLoop> onClosed) {
        this.role = role;
        this.name = name;
        this.consumer = consumer;
        this.leaderPartition = new TopicPartition(topic, 0);
        this.sessionMs = session.toMillis();
        this.listener = listener;
        // the election topic carries nothing: polling keeps the membership, the hooks do the rest on the loop's thread
        this.loop = new ConsumerLoop(name, consumer, true, c -> c.subscribe(List.of(topic), new Rebalance()),
                message -> { }, onClosed, this::confirmIfHeld, () -> stepDown("withdrawn"));
    }

    /** The candidate's consumer loop (listed with the subscriptions). */
    ConsumerLoop loop() {
        return loop;
    }

    /** Starts the candidate's thread; returns once it has subscribed (or throws what prevented it). */
    void start() {
        loop.start();
    }

    @Override
    public String role() {
        return role;
    }

    @Override
    public boolean isLeader() {
        return leader;
    }

    @Override
    public boolean isAlive() {
        return loop.isAlive();
    }

    /** Withdraws: a leader stops its work (on the loop's thread) before the consumer leaves the group. */
    @Override
    public void close() {
        loop.close();
    }

    /** Asks the coordinator (bounded) while holding the partition; steps down without an answer for a session. */
    private void confirmIfHeld() {
        if (!holdsPartition) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastConfirmAttempt >= TimeUnit.MILLISECONDS.toNanos(CONFIRM_EVERY_MS)) {
            lastConfirmAttempt = now;
            try {
                consumer.committed(Set.of(leaderPartition), Duration.ofMillis(CONFIRM_EVERY_MS));
                confirmedAt = System.nanoTime();
            } catch (WakeupException e) {
                return; // closing
            } catch (RuntimeException e) {
                LOG.debug("Leadership candidate {}: the coordinator did not answer: {}", name, e.toString());
            }
        }
        boolean confirmed = System.nanoTime() - confirmedAt < TimeUnit.MILLISECONDS.toNanos(sessionMs);
        if (leader && !confirmed) {
            stepDown("no answer from the broker's group coordinator for " + sessionMs + " ms");
        } else if (!leader && confirmed && !loop.isClosed()) {
            becomeLeader("the broker answers again");
        }
    }

    private void becomeLeader(String why) {
        if (leader) {
            return;
        }
        leader = true;
        LOG.info("Leading role {} ({}): {}", role, name, why);
        try {
            listener.elected();
        } catch (RuntimeException e) {
            LOG.error("Role {}: the leader's start failed", role, e);
        }
    }

    private void stepDown(String why) {
        if (!leader) {
            return;
        }
        leader = false;
        LOG.info("No longer leading role {} ({}): {}", role, name, why);
        try {
            listener.revoked();
        } catch (RuntimeException e) {
            LOG.error("Role {}: stopping the leader's work failed", role, e);
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.contains(leaderPartition) && !loop.isClosed()) {
                holdsPartition = true;
                confirmedAt = System.nanoTime();
                becomeLeader("elected");
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.contains(leaderPartition)) {
                holdsPartition = false;
                stepDown("handed over");
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (partitions.contains(leaderPartition)) {
                holdsPartition = false;
                stepDown("the group has given the role to another candidate");
            }
        }
    }

    @Override
    public String toString() {
        return "Leadership[" + role + ", " + name + (leader ? ", leader]" : ", candidate]");
    }
}
