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

    /** Creates the topics that do not exist yet (idempotent). */
    void ensureTopics(Collection<String> topics) throws MessagingException;

    /** Deletes the topics that exist. */
    void deleteTopics(Collection<String> topics) throws MessagingException;

    /** The last {@code count} messages of a topic (oldest first), read directly without a consumer group. */
    List<Message> latest(String topic, int count, Duration timeout) throws MessagingException;

    /** Whether the broker answers (a metadata request within {@code timeout}). */
    boolean isReachable(Duration timeout);
}
