package org.iasplatform.strategy.fewest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.iasplatform.api.node.NodeState;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.api.node.PlacementRequest;
import org.junit.Test;

public class FewestInstancesStrategyTest {
    private static final PlacementRequest REQUEST = new PlacementRequest("i-1", "Bus_management", "lightControl", "process");
    private final FewestInstancesStrategy strategy = new FewestInstancesStrategy();

    private static NodeStatus node(String id, double cpu, double mem, int instances) {
        return new NodeStatus(id, id + ".host", NodeState.UP, cpu, mem, instances, List.of("process"), 1, 1);
    }

    private String choose(NodeStatus... candidates) {
        return strategy.choose(List.of(candidates), REQUEST).orElseThrow().nodeId();
    }

    @Test
    public void theNodeWithTheFewestInstancesWinsWhateverItsLoad() {
        assertEquals("busy", choose(node("idle", 0.05, 0.05, 4), node("busy", 0.95, 0.95, 3)));
        assertEquals("busy", choose(node("busy", 0.95, 0.95, 3), node("idle", 0.05, 0.05, 4)));
    }

    @Test
    public void equalCountsGoToTheLowerLoadThenToTheLowerNodeId() {
        assertEquals("z", choose(node("a", 0.5, 0.5, 2), node("z", 0.1, 0.1, 2)));
        assertEquals("a", choose(node("b", 0.3, 0.3, 2), node("a", 0.3, 0.3, 2)));
    }

    @Test
    public void aSingleCandidateIsChosenAndNoneGivesNothing() {
        assertEquals("only", choose(node("only", 1, 1, 100)));
        assertTrue(strategy.choose(List.of(), REQUEST).isEmpty());
    }
}
