package org.iasplatform.messaging.internal;

import java.time.Duration;

/**
 * The messaging settings, independent of the OSGi configuration annotation.
 *
 * @param defaultPartitions partitions of the topics created by {@code ensureTopics}
 * @param replicationFactor replication factor of the topics created by {@code ensureTopics}
 * @param requestTimeout    how long a request to the broker may take before the caller sees a failure
 * @param clientIdPrefix    prefix of every Kafka client id
 */
public record Settings(int defaultPartitions, short replicationFactor, Duration requestTimeout, String clientIdPrefix) {

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
        clientIdPrefix = clientIdPrefix == null || clientIdPrefix.isBlank() ? "ias" : clientIdPrefix.trim();
    }

    /** The defaults of the configuration. */
    public static Settings defaults() {
        return new Settings(3, (short) 1, Duration.ofMillis(15000), "ias");
    }

    int requestTimeoutMs() {
        return (int) Math.min(Integer.MAX_VALUE, requestTimeout.toMillis());
    }
}
