package org.iasplatform.messaging.internal;

import java.time.Duration;

/**
 * The messaging settings, independent of the OSGi configuration annotation.
 *
 * @param defaultPartitions     partitions of the topics created by {@code ensureTopics}
 * @param replicationFactor     replication factor of the topics created by {@code ensureTopics}
 * @param requestTimeout        how long a request to the broker may take before the caller sees a failure
 * @param clientIdPrefix        prefix of every Kafka client id
 * @param groupSessionTimeout   how long a consumer group member may stay silent before the group hands its partitions
 *                              to the other members (a killed platform instance's work moves after this)
 * @param leaderSessionTimeout  the same for leadership candidates: how long after a leader dies another is elected, and
 *                              how long a leader cut off from the broker keeps leading before it steps down
 */
public record Settings(int defaultPartitions, short replicationFactor, Duration requestTimeout, String clientIdPrefix,
        Duration groupSessionTimeout, Duration leaderSessionTimeout) {

    /** The broker's default lower bound of a session time-out ({@code group.min.session.timeout.ms}). */
    static final long MIN_SESSION_TIMEOUT_MS = 6000;

    public Settings {
        if (defaultPartitions < 1) {
            throw new IllegalArgumentException("default_partitions must be at least 1, got " + defaultPartitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication_factor must be at least 1, got " + replicationFactor);
        }
        if (requestTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("request_timeout_ms must be positive, got " + requestTimeout.toMillis());
        }
        if (groupSessionTimeout.toMillis() < MIN_SESSION_TIMEOUT_MS) {
            throw new IllegalArgumentException("group_session_timeout_ms must be at least " + MIN_SESSION_TIMEOUT_MS
                    + " (the broker's group.min.session.timeout.ms), got " + groupSessionTimeout.toMillis());
        }
        if (leaderSessionTimeout.toMillis() < MIN_SESSION_TIMEOUT_MS) {
            throw new IllegalArgumentException("leader_session_timeout_ms must be at least " + MIN_SESSION_TIMEOUT_MS
                    + " (the broker's group.min.session.timeout.ms), got " + leaderSessionTimeout.toMillis());
        }
        clientIdPrefix = clientIdPrefix == null || clientIdPrefix.isBlank() ? "ias" : clientIdPrefix.trim();
    }

    /** The settings with the default session time-outs. */
    public Settings(int defaultPartitions, short replicationFactor, Duration requestTimeout, String clientIdPrefix) {
        this(defaultPartitions, replicationFactor, requestTimeout, clientIdPrefix, Duration.ofMillis(10_000),
                Duration.ofMillis(MIN_SESSION_TIMEOUT_MS));
    }

    /** The defaults of the configuration. */
    public static Settings defaults() {
        return new Settings(3, (short) 1, Duration.ofMillis(15000), "ias");
    }

    int requestTimeoutMs() {
        return (int) Math.min(Integer.MAX_VALUE, requestTimeout.toMillis());
    }

    /** A third of a session time-out: the heartbeat interval Kafka recommends. */
    static int heartbeatMs(Duration sessionTimeout) {
        return (int) Math.max(500, sessionTimeout.toMillis() / 3);
    }
}
