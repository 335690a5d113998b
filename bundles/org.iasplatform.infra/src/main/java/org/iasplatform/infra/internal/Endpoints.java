package org.iasplatform.infra.internal;

import java.util.Objects;

import org.iasplatform.api.infra.InfrastructureEndpoints;

/** The resolved endpoints, as registered. */
record Endpoints(String kafkaBootstrapServers, String mongoUri, boolean embeddedKafka, boolean embeddedMongo)
        implements InfrastructureEndpoints {

    Endpoints {
        Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers");
        Objects.requireNonNull(mongoUri, "mongoUri");
    }
}
