package org.iasplatform.lifecycle.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.bson.Document;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.node.NodeState;
import org.iasplatform.api.node.NodeStatus;
import org.junit.Test;

/** The node table from heartbeats, with the test controlling the clock. */
public class NodeTableTest extends LifecycleTestBase {

    private NodeState state(String node) {
        return slc.node(node).orElseThrow().state();
    }

    private String storedState(String node) {
        return nodesCollection().find(new Document("_id", node)).first().getString("state");
    }

    @Test
    public void aHeartbeatMakesANodeKnownWithItsFigures() {
        heartbeat("n1", 0.25, 0.75, 3, "bundle", "process");

        NodeStatus n = slc.node("n1").orElseThrow();
        assertEquals(NodeState.UP, n.state());
        assertEquals("n1.example", n.host());
        assertEquals(0.25, n.cpu(), 0);
        assertEquals(0.75, n.mem(), 0);
        assertEquals(0.5, n.load(), 1e-9);
        assertEquals(3, n.instances());
        assertEquals(List.of("bundle", "process"), n.runtimes());
        assertEquals(42, n.epoch());
        assertEquals(T0, n.lastHeartbeat());
        Document stored = nodesCollection().find(new Document("_id", "n1")).first();
        assertEquals("UP", stored.getString("state"));
        assertEquals(List.of("bundle", "process"), stored.getList("runtimes", String.class));
        assertEquals(0.5, stored.getDouble("load"), 1e-9);
    }

    @Test
    public void silenceMakesANodeSuspectThenDownAndAHeartbeatBringsItBack() {
        heartbeat("n1", 0.1, 0.1, 0, "process");
        heartbeat("n2", 0.1, 0.1, 0, "process");

        clock.advance(2000);
        assertEquals("2 s of silence (suspect_after_ms) is still UP", NodeState.UP, state("n1"));
        heartbeat("n2", 0.1, 0.1, 0, "process");
        clock.advance(1);
        assertEquals(NodeState.SUSPECT, state("n1"));
        assertEquals(NodeState.UP, state("n2"));
        assertEquals(List.of(new NodeTable.Transition("n1", NodeState.UP, NodeState.SUSPECT)), slc.sweepNodes());
        assertEquals("SUSPECT", storedState("n1"));
        assertEquals("UP", storedState("n2"));
        assertEquals("nothing changed since", List.of(), slc.sweepNodes());

        clock.advance(2000);
        assertEquals("over 4 s of silence (down_after_ms)", NodeState.DOWN, state("n1"));
        assertEquals(NodeState.SUSPECT, state("n2"));
        slc.sweepNodes();
        assertEquals("DOWN", storedState("n1"));

        heartbeat("n1", 0.2, 0.2, 1, "process");
        assertEquals(NodeState.UP, state("n1"));
        assertEquals("UP", storedState("n1"));
        assertEquals(List.of("n1", "n2"), slc.nodes().stream().map(NodeStatus::nodeId).toList());
    }

    @Test
    public void theTimeOutsAreConfigurableAndChangeWhileRunning() {
        slc.stop();
        slc = newComponent(Map.of("suspect__after__ms", 500L, "down__after__ms", 1000L));
        heartbeat("n1", 0.1, 0.1, 0, "process");
        clock.advance(501);
        assertEquals(NodeState.SUSPECT, state("n1"));
        clock.advance(500);
        assertEquals(NodeState.DOWN, state("n1"));

        slc.modified(Configs.of(ServerLifecycleComponent.Config.class,
                Map.of("suspect__after__ms", 60_000L, "down__after__ms", 120_000L)));
        assertEquals(NodeState.UP, state("n1"));
    }

    @Test
    public void aRestartedPlatformKnowsTheNodesFromTheStore() {
        heartbeat("n1", 0.1, 0.2, 2, "process");
        slc.stop();
        clock.advance(60_000);

        slc = newComponent(Map.of());
        NodeStatus n = slc.node("n1").orElseThrow();
        assertEquals(NodeState.DOWN, n.state());
        assertEquals(0.2, n.mem(), 0);
        assertEquals(List.of("process"), n.runtimes());
        assertEquals(T0, n.lastHeartbeat());

        heartbeat("n1", 0.1, 0.2, 2, "process");
        assertEquals(NodeState.UP, state("n1"));
    }

    @Test
    public void heartbeatsWithoutANodeIdOrUnreadableAreIgnored() {
        slc.onHeartbeat(new Message("node_heartbeats", "x", "{\"cpu\": 0.5}", 1, 0, 1));
        slc.onHeartbeat(new Message("node_heartbeats", "x", "garbage", 1, 0, 2));
        assertTrue(slc.nodes().isEmpty());
    }
}
