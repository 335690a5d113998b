package org.iasplatform.itest.strategy.internal;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.iasplatform.api.node.LoadBalancingStrategy;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.api.node.PlacementRequest;
import org.osgi.service.component.annotations.Component;

/** Test strategy: the candidate whose node id sorts last. Installed at runtime by an integration test. */
@Component(property = LoadBalancingStrategy.PROPERTY_NAME + "=itest-last")
public class LastNodeStrategy implements LoadBalancingStrategy {
    @Override
    public Optional<NodeStatus> choose(List<NodeStatus> candidates, PlacementRequest request) {
        return candidates.stream().max(Comparator.comparing(NodeStatus::nodeId));
    }
}
