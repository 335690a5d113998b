package org.iasplatform.lifecycle.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.bson.Document;
import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.node.Decommission;
import org.iasplatform.api.node.NodeState;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Decommissioning a node: it gets nothing new, each of its instances is stopped there and only then started elsewhere
 * through the strategy in force (never twice), it is told to shut down once it runs nothing, and it is shown
 * DECOMMISSIONED, never taken for DOWN; the last node with instances is kept unless forced.
 */
public class DecommissionTest extends LifecycleTestBase {
    private static final long EA = T0 - 60_000;
    private static final long EB = T0 - 50_000;
    private static final Map<String, Object> TIMINGS = Map.of("suspect__after__ms", 1000L, "down__after__ms", 2000L,
            "sweep__period__ms", 3_600_000L, "drain__timeout__ms", 5000L);

    private void started(Map<String, Object> overrides) {
        slc.stop();
        Map<String, Object> config = new HashMap<>(TIMINGS);
        config.putAll(overrides);
        slc = newComponent(config);
        startAndWarmUp();
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
    }

    /** One sweep as the component's timer does it. */
    private void sweep() {
        slc.sweepNodes();
        slc.sweepRestarts();
        slc.sweepFences();
        slc.sweepDecommissions();
    }

    private void runningOn(String id, String node) throws Exception {
        place(startMessage(id, "job-" + id + ":1", "process"));
        assertEquals(node, info(id).node());
        event(id, InstanceStore.generation(stored(id)), "RUNNING", null, null);
    }

    private InstanceInfo info(String id) {
        return slc.instance(id).orElseThrow();
    }

    private List<String> sent(String node) {
        return commands(node).stream().map(c -> c.path("op").asText() + "/" + c.path("instance_id").asText("-") + "/"
                + c.path("generation").asText("-")).toList();
    }

    private NodeState state(String node) {
        return slc.node(node).orElseThrow().state();
    }

    @Test
    public void theDrainedNodeGetsNothingNewItsInstancesStopThereBeforeStartingElsewhereThenItIsToldToShutDown()
            throws Exception {
        started(Map.of());
        heartbeat("a", EA, 0.1, 0.1, 0, Map.of(), "process");
        runningOn("i-1", "a");
        runningOn("i-2", "a"); // a is the only node then
        heartbeat("b", EB, 0.5, 0.5, 0, Map.of(), "process");
        heartbeat("a", EA, 0.1, 0.1, 2, Map.of("i-1", 1L, "i-2", 1L), "process");

        Decommission asked = slc.decommission("a", false);
        assertEquals(NodeState.DRAINING, asked.state());
        assertEquals(List.of("i-1", "i-2"), asked.moving());
        assertEquals(NodeState.DRAINING, state("a"));
        assertEquals("each generation is stopped on a",
                List.of("start/i-1/1", "start/i-2/1", "stop/i-1/1", "stop/i-2/1"), sent("a"));
        assertEquals("node a is being decommissioned: moving it to another node", info("i-1").reason());

        // a is the least loaded, and yet nothing new goes there
        place(startMessage("i-3", "job-i-3:1", "process"));
        assertEquals("b", info("i-3").node());

        // nothing starts elsewhere while a still runs them
        clock.advance(100);
        heartbeat("a", EA, 0.1, 0.1, 2, Map.of("i-1", 1L, "i-2", 1L), "process");
        heartbeat("b", EB, 0.5, 0.5, 1, Map.of("i-3", 1L), "process");
        sweep();
        assertEquals(List.of("start/i-3/1"), sent("b"));
        assertEquals("asked once", 4, commands("a").size());
        assertEquals(InstanceState.RUNNING, info("i-1").state());

        // a stops i-1: it starts on b, under the next generation
        Document firstStop = stored("i-1");
        event("i-1", 1L, "STOPPED", 143, "node a is being decommissioned: moving it to another node");
        assertEquals(InstanceState.RESTARTING, info("i-1").state());
        assertEquals("stopped there, not ended", null, stored("i-1").get("ended_at"));
        sweep();
        assertEquals(List.of("start/i-3/1", "start/i-1/2"), sent("b"));
        assertEquals("placed on node b by strategy least-load (node a decommissioned)", info("i-1").reason());
        assertEquals(1, info("i-1").restarts());
        assertTrue(firstStop.get(InstanceStore.DRAINING) instanceof Document);

        // a still lists i-2: not told to shut down yet
        clock.advance(100);
        heartbeat("a", EA, 0.1, 0.1, 1, Map.of("i-2", 1L), "process");
        sweep();
        assertEquals(NodeState.DRAINING, state("a"));
        event("i-2", 1L, "STOPPED", 0, "node a is being decommissioned: moving it to another node");
        sweep();
        assertEquals(List.of("start/i-3/1", "start/i-1/2", "start/i-2/2"), sent("b"));
        assertEquals("its last heartbeat still lists i-2", NodeState.DRAINING, state("a"));

        clock.advance(100);
        heartbeat("a", EA, 0.1, 0.1, 0, Map.of(), "process");
        sweep();
        assertEquals(NodeState.DECOMMISSIONED, state("a"));
        JsonNode shutdown = lastCommand("a").orElseThrow();
        assertEquals("shutdown", shutdown.path("op").asText());
        assertEquals(EA, shutdown.path("node_epoch").asLong());
        assertEquals("a", shutdown.path("node_id").asText());
        assertEquals(NodeState.DECOMMISSIONED, slc.decommission("a", false).state());

        // a stops beating: DECOMMISSIONED, not DOWN, and nothing is moved from it
        event("i-1", 2L, "RUNNING", null, null);
        event("i-2", 2L, "RUNNING", null, null);
        event("i-3", 1L, "RUNNING", null, null);
        for (int i = 0; i < 6; i++) {
            clock.advance(500);
            heartbeat("b", EB, 0.5, 0.5, 3, Map.of("i-1", 2L, "i-2", 2L, "i-3", 1L), "process");
            sweep();
        }
        assertEquals(NodeState.DECOMMISSIONED, state("a"));
        for (String id : List.of("i-1", "i-2", "i-3")) {
            assertEquals(id, InstanceState.RUNNING, info(id).state());
            assertEquals(id, "b", info(id).node());
        }
        assertEquals("one start each on b", 3, commands("b").size());

        // a started again (a later agent) is back in service
        heartbeat("a", T0 + 10_000, 0.0, 0.0, 0, Map.of(), "process");
        sweep();
        assertEquals(NodeState.UP, state("a"));
        assertFalse(nodesCollection().find(new Document("_id", "a")).first().containsKey("decommission"));
    }

    @Test
    public void theLastNodeWithInstancesIsKeptUnlessForced() throws Exception {
        started(Map.of());
        heartbeat("a", EA, 0.1, 0.1, 0, Map.of(), "process");
        heartbeat("d", EB, 0.0, 0.0, 0, Map.of(), "bundle"); // UP, but offers another runtime
        runningOn("i-1", "a");

        IasException refused = decommissionRefused("a", false);
        assertEquals(ErrorKind.CONFLICT, refused.kind());
        assertEquals("node a runs instances no other node can take: 1 of runtime process (i-1); no other node that is "
                + "UP offers their runtime, so there is nowhere to drain them to. Start another node first, or "
                + "decommission with force (they then wait RESTARTING until a node can take them)",
                refused.errors().get(0).message());
        assertEquals("nothing changed", NodeState.UP, state("a"));
        assertEquals(List.of("start/i-1/1"), sent("a"));
        assertEquals(ErrorKind.NOT_FOUND, decommissionRefused("nowhere", false).kind());
        assertEquals("a node running nothing goes at once", NodeState.DECOMMISSIONED,
                slc.decommission("d", false).state());
        assertEquals("shutdown", lastCommand("d").orElseThrow().path("op").asText());

        Decommission forced = slc.decommission("a", true);
        assertTrue(forced.force());
        assertEquals(List.of("start/i-1/1", "stop/i-1/1"), sent("a"));
        event("i-1", 1L, "STOPPED", 143, null);
        sweep();
        assertEquals("it waits for a node", InstanceState.RESTARTING, info("i-1").state());

        heartbeat("b", EB, 0.5, 0.5, 0, Map.of(), "process");
        sweep();
        assertEquals(List.of("start/i-1/2"), sent("b"));
    }

    @Test
    public void aNodeThatDoesNotConfirmTheStopHasTheInstanceTakenAfterTheDrainTimeoutFencedFirst() throws Exception {
        started(Map.of());
        heartbeat("a", EA, 0.1, 0.1, 0, Map.of(), "process");
        runningOn("i-1", "a");
        heartbeat("b", EB, 0.5, 0.5, 0, Map.of(), "process");
        slc.decommission("a", false);

        for (int i = 0; i < 10; i++) { // a beats, still listing i-1, and never reports its stop
            clock.advance(500);
            heartbeat("a", EA, 0.1, 0.1, 1, Map.of("i-1", 1L), "process");
            heartbeat("b", EB, 0.5, 0.5, 0, Map.of(), "process");
            sweep();
            assertEquals("nothing on b within the drain time-out", List.of(), sent("b"));
        }
        clock.advance(600);
        heartbeat("a", EA, 0.1, 0.1, 1, Map.of("i-1", 1L), "process");
        heartbeat("b", EB, 0.5, 0.5, 0, Map.of(), "process");
        sweep();
        sweep();
        assertEquals(List.of("start/i-1/2"), sent("b"));
        assertEquals("stopped again on a before it started on b",
                List.of("start/i-1/1", "stop/i-1/1", "stop/i-1/1"), sent("a"));
        assertEquals(NodeState.DRAINING, state("a"));

        // a late STOPPED of generation 1 changes nothing
        event("i-1", 1L, "STOPPED", 143, null);
        assertEquals(InstanceState.STARTING, info("i-1").state());
        assertEquals(2, InstanceStore.generation(stored("i-1")));
    }

    @Test
    public void everyPlatformInstanceSeesTheMarkAndHeartbeatsDoNotEraseIt() throws Exception {
        started(Map.of());
        heartbeat("a", EA, 0.1, 0.1, 0, Map.of(), "process");
        heartbeat("b", EB, 0.5, 0.5, 0, Map.of(), "process");
        assertEquals("it runs nothing: at once", NodeState.DECOMMISSIONED, slc.decommission("a", false).state());
        heartbeat("a", EA, 0.1, 0.1, 0, Map.of(), "process"); // stored again (the same agent): the mark stays

        ServerLifecycleComponent other = newComponent(TIMINGS); // a second platform instance on the same store
        try {
            other.onHeartbeat(new org.iasplatform.api.messaging.Message(org.iasplatform.api.messaging.Topics
                    .NODE_HEARTBEATS, "a", "{\"node_id\":\"a\",\"epoch\":" + EA + ",\"runtimes\":[\"process\"],"
                    + "\"running\":[]}", clock.millis(), 0, offsets.getAndIncrement()));
            assertEquals(NodeState.DECOMMISSIONED, other.node("a").orElseThrow().state());
        } finally {
            other.stop();
        }
        Document stored = nodesCollection().find(new Document("_id", "a")).first();
        assertEquals("DECOMMISSIONED", ((Document) stored.get("decommission")).getString("state"));
        assertEquals(EA, ((Document) stored.get("decommission")).getLong("epoch").longValue());
    }

    private IasException decommissionRefused(String node, boolean force) {
        try {
            Decommission d = slc.decommission(node, force);
            fail("accepted: " + d);
            return null;
        } catch (IasException e) {
            return e;
        }
    }
}
