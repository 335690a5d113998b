package org.iasplatform.api.messaging;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The platform's message bus (Kafka). Producers use acks=all and idempotence; subscriptions commit a message only after
 * its handler returned.
 */
@ProviderType
public interface Messaging {
    /** Publishes one JSON message; the stage completes when the broker has acknowledged it (acks=all). */
    CompletionStage<Void> publish(String topic, String key, String json);

    /**
     * Starts a consumer in consumer group {@code group} (work shared between every subscriber of the group, from the
     * earliest uncommitted offset). Returns once the consumer thread runs.
     */
    Subscription subscribe(String group, Collection<String> topics, MessageHandler handler);

    /** As {@link #subscribe(String, Collection, MessageHandler)} for every topic, existing or future, matching a pattern. */
    Subscription subscribe(String group, Pattern topics, MessageHandler handler);

    /**
     * Follows topics from their current end, outside any consumer group and without committing (every follower sees every
     * message published after this call returned). Returns only once positioned, so nothing published afterwards is missed.
     */
    Subscription follow(Collection<String> topics, MessageHandler handler);

    /**
     * Stands for the leadership of {@code role} among every candidate of the same role sharing the broker (on this and
     * other platform instances): at most one of them leads while they reach the broker; when the leader stops or dies,
     * another is elected within the messaging configuration's leader session time-out. A leader cut off from the broker
     * longer than that steps down by itself ({@link LeadershipListener#revoked()}). Returns once the candidate takes part;
     * the listener learns the outcome.
     *
     * @since 1.2
     */
    Leadership lead(String role, LeadershipListener listener);

    /** Creates the topics that do not exist yet (idempotent). */
    void ensureTopics(Collection<String> topics) throws MessagingException;

    /** Deletes the topics that exist. */
    void deleteTopics(Collection<String> topics) throws MessagingException;

    /** The last {@code count} messages of a topic (oldest first), read directly without a consumer group. */
    List<Message> latest(String topic, int count, Duration timeout) throws MessagingException;

    /** Whether the broker answers (a metadata request within {@code timeout}). */
    boolean isReachable(Duration timeout);

    /**
     * The subscriptions and followers of this process that were not closed, alive or dead, each with who made it; no
     * broker call (lag not asked: null).
     *
     * @since 1.2
     */
    List<SubscriptionInfo> consumers();

    /**
     * As {@link #consumers()}, with the lag of every group subscription asked of the broker in one round bounded by
     * {@code lagTimeout} (a lag the broker did not answer in time stays null).
     *
     * @since 1.2
     */
    List<SubscriptionInfo> consumers(Duration lagTimeout);
}
