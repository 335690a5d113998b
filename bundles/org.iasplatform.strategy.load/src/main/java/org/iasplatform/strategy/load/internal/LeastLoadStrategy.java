package org.iasplatform.strategy.load.internal;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.iasplatform.api.node.LoadBalancingStrategy;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.api.node.PlacementRequest;
import org.osgi.service.component.annotations.Component;

/**
 * The seed's load balancer: {@code load = 0.5 * mem_usage + 0.5 * cpu_usage} ({@link NodeStatus#load()}, from the figures
 * the nodes report in their heartbeats); the least loaded candidate wins. Ties (loads equal to a millionth) go to the node
 * with fewer instances, then to the lower node id, so the choice is deterministic.
 */
@Component(service = LoadBalancingStrategy.class,
        property = LoadBalancingStrategy.PROPERTY_NAME + "=" + LeastLoadStrategy.NAME)
public class LeastLoadStrategy implements LoadBalancingStrategy {
    /** The strategy's {@link LoadBalancingStrategy#PROPERTY_NAME name}. */
    public static final String NAME = "least-load";

    /** Least load first (compared to a millionth, so that rounding noise is a tie), then fewer instances, then node id. */
    static final Comparator<NodeStatus> ORDER = Comparator.<NodeStatus>comparingLong(n -> Math.round(n.load() * 1e6))
            .thenComparingInt(NodeStatus::instances)
            .thenComparing(NodeStatus::nodeId);

    @Override
    public Optional<NodeStatus> choose(List<NodeStatus> candidates, PlacementRequest request) {
        return candidates.stream().min(ORDER);
    }
}
