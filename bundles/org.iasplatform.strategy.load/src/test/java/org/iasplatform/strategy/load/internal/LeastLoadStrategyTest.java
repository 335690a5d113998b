package org.iasplatform.strategy.load.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.iasplatform.api.node.NodeState;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.api.node.PlacementRequest;
import org.junit.Test;

public class LeastLoadStrategyTest {
    private static final PlacementRequest REQUEST = new PlacementRequest("i-1", "Bus_management", "lightControl", "process");
    private final LeastLoadStrategy strategy = new LeastLoadStrategy();

    private static NodeStatus node(String id, double cpu, double mem, int instances) {
        return new NodeStatus(id, id + ".host", NodeState.UP, cpu, mem, instances, List.of("process"), 1, 1);
    }

    private String choose(NodeStatus... candidates) {
        return strategy.choose(List.of(candidates), REQUEST).orElseThrow().nodeId();
    }

    @Test
    public void theLeastLoadedNodeByTheSeedsFormulaWins() {
        // a: 0.5*0.9 + 0.5*0.1 = 0.5; b: 0.5*0.2 + 0.5*0.6 = 0.4 -> b, though a has the lower cpu and fewer instances
        assertEquals("b", choose(node("a", 0.1, 0.9, 0), node("b", 0.6, 0.2, 7)));
        assertEquals("b", choose(node("b", 0.6, 0.2, 7), node("a", 0.1, 0.9, 0)));
    }

    @Test
    public void equalLoadsGoToFewerInstancesThenToTheLowerNodeId() {
        assertEquals("z", choose(node("a", 0.2, 0.4, 3), node("z", 0.4, 0.2, 1)));
        assertEquals("a", choose(node("b", 0.3, 0.3, 2), node("a", 0.3, 0.3, 2)));
        // 0.1 + 0.2 is not exactly 0.3 in binary; still a tie
        assertEquals("a", choose(node("b", 0.1 + 0.2, 0.3, 2), node("a", 0.3, 0.3, 2)));
    }

    @Test
    public void aSingleCandidateIsChosenAndNoneGivesNothing() {
        assertEquals("only", choose(node("only", 1, 1, 100)));
        assertTrue(strategy.choose(List.of(), REQUEST).isEmpty());
    }
}
