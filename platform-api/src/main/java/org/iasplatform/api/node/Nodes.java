package org.iasplatform.api.node;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** The nodes server-lifecycle knows, from their heartbeats, and the placement strategy in force. */
@ProviderType
public interface Nodes {
    List<NodeStatus> nodes();

    Optional<NodeStatus> node(String nodeId);

    /** The {@link LoadBalancingStrategy#PROPERTY_NAME name} of the strategy in force (null if none is bound). */
    String strategy();

    /** Names of every registered strategy. */
    List<String> strategies();
}
