package org.iasplatform.api.infra;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Where the platform's Kafka cluster and MongoDB are. Registered once they are reachable: the configured ones, or the
 * embedded servers the platform started because none was configured.
 */
@ProviderType
public interface InfrastructureEndpoints {
    /** Kafka {@code bootstrap.servers}. */
    String kafkaBootstrapServers();

    /** The MongoDB connection string. */
    String mongoUri();

    /** Whether the Kafka broker is the embedded one started by the platform. */
    boolean embeddedKafka();

    /** Whether the store is the embedded one started by the platform. */
    boolean embeddedMongo();
}
