package org.iasplatform.api.messaging;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What one consumer of this platform process (a {@link Messaging#subscribe subscription} or a {@link Messaging#follow
 * follower}) is doing, for health checks ({@link Messaging#consumers()}).
 *
 * @param clientId the Kafka client id of its consumer (unique within the process)
 * @param group    its consumer group; null for a follower
 * @param topics   the topics it asked for (for a pattern subscription: the existing topics matching it, as its consumer
 *                 last saw them); for a follower, the topics it follows
 * @param alive    whether its consumer is polling; false once its thread ended without the subscription being closed (it
 *                 died): such a subscription stays listed, dead, until its owner closes it
 * @param lag      for a group subscription, how many messages of its topics the group has not committed yet (over every
 *                 partition: end offset minus committed offset, or minus the earliest offset where the group committed
 *                 nothing); null for a follower, or when it was not asked of the broker or the broker did not answer in
 *                 time
 * @param owner    the symbolic name of the bundle whose code subscribed (null outside an OSGi framework)
 * @param callers  the classes of that code on the subscribing thread's stack, innermost first, nested classes as their
 *                 top-level class: which component of the bundle subscribed (not serialised)
 * @param since    when it subscribed, epoch ms
 * @param lastPoll when its consumer last returned from a poll, epoch ms (0 before the first)
 * @since 1.2
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record SubscriptionInfo(
        @JsonProperty("client_id") String clientId,
        @JsonProperty("group") String group,
        @JsonProperty("topics") List<String> topics,
        @JsonProperty("alive") boolean alive,
        @JsonProperty("lag") Long lag,
        @JsonProperty("owner") String owner,
        @JsonIgnore List<String> callers,
        @JsonProperty("since") long since,
        @JsonProperty("last_poll") long lastPoll) {

    public SubscriptionInfo {
        topics = topics == null ? List.of() : List.copyOf(topics);
        callers = callers == null ? List.of() : List.copyOf(callers);
    }

    /** Whether this is a follower (no consumer group, nothing committed). */
    @JsonIgnore
    public boolean isFollower() {
        return group == null;
    }

    /** The same with {@code lag}. */
    public SubscriptionInfo withLag(Long lag) {
        return new SubscriptionInfo(clientId, group, topics, alive, lag, owner, callers, since, lastPoll);
    }
}
