package org.iasplatform.api.node;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Chooses the node an algorithm instance runs on. Registered as a service with {@link #PROPERTY_NAME}; server-lifecycle
 * binds the one its configuration's target filter selects (e.g. {@code (ias.strategy=fewest-instances)}), so the strategy
 * in force is switched by configuration while running, and a strategy bundle installed later becomes selectable at once.
 */
@ConsumerType
public interface LoadBalancingStrategy {
    /** Service property: the strategy's name. */
    String PROPERTY_NAME = "ias.strategy";

    /**
     * @param candidates the nodes that are UP and offer the runtime the instance needs (never empty)
     * @return the chosen node, or empty when none of them will do
     */
    Optional<NodeStatus> choose(List<NodeStatus> candidates, PlacementRequest request);
}
