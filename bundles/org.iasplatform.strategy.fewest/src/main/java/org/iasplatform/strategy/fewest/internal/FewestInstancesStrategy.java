package org.iasplatform.strategy.fewest.internal;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.iasplatform.api.node.LoadBalancingStrategy;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.api.node.PlacementRequest;
import org.osgi.service.component.annotations.Component;

/**
 * Spreads instances: the candidate running the fewest algorithm instances ({@link NodeStatus#instances()}) wins. Ties go
 * to the lower {@link NodeStatus#load() load} (the seed's {@code 0.5 * mem + 0.5 * cpu}, compared to a millionth), then to
 * the lower node id, so the choice is deterministic.
 */
@Component(service = LoadBalancingStrategy.class,
        property = LoadBalancingStrategy.PROPERTY_NAME + "=" + FewestInstancesStrategy.NAME)
public class FewestInstancesStrategy implements LoadBalancingStrategy {
    /** The strategy's {@link LoadBalancingStrategy#PROPERTY_NAME name}. */
    public static final String NAME = "fewest-instances";

    /** Fewest instances first, then least load (to a millionth), then node id. */
    static final Comparator<NodeStatus> ORDER = Comparator.comparingInt(NodeStatus::instances)
            .thenComparingLong(n -> Math.round(n.load() * 1e6))
            .thenComparing(NodeStatus::nodeId);

    @Override
    public Optional<NodeStatus> choose(List<NodeStatus> candidates, PlacementRequest request) {
        return candidates.stream().min(ORDER);
    }
}
