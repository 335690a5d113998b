package org.iasplatform.lifecycle.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.bson.Document;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.node.NodeState;
import org.iasplatform.testsupport.RecordingMessaging;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Node failure: a node that goes DOWN has its instances placed on healthy nodes through the strategy in force, within
 * one sweep; fencing of a node that comes back listing generations it must not run; a platform restart does not take
 * unheard nodes for DOWN.
 */
public class NodeFailureTest extends LifecycleTestBase {
    /** Node a's agent started a minute before the test's start. */
    private static final long E1 = T0 - 60_000;
    /** The time-outs of a fast fail-over: SUSPECT after 1 s, DOWN after 2 s of silence. */
    private static final Map<String, Object> FAST = Map.of("suspect__after__ms", 1000L, "down__after__ms", 2000L,
            "sweep__period__ms", 3_600_000L);

    private void started(Map<String, Object> overrides, String strategy) {
        slc.stop();
        Map<String, Object> config = new HashMap<>(FAST);
        config.putAll(overrides);
        slc = newComponent(config);
        startAndWarmUp();
        slc.setStrategy(strategy.equals("least-load") ? LEAST_LOAD : FEWEST, strategyProps(strategy));
    }

    /** {@code id} placed (on the least loaded node, a) and RUNNING at generation 1. */
    private void runningOnA(String id) throws Exception {
        place(startMessage(id, "job-" + id + ":1", "process"));
        assertEquals("a", info(id).node());
        clock.advance(10);
        event(id, 1L, "RUNNING", null, null);
    }

    /** One sweep as the component's timer does it. */
    private void sweep() {
        slc.sweepNodes();
        slc.sweepRestarts();
        slc.sweepFences();
    }

    private InstanceInfo info(String id) {
        return slc.instance(id).orElseThrow();
    }

    private List<String> sent(String node) {
        return commands(node).stream().map(c -> c.path("op").asText() + "/" + c.path("instance_id").asText() + "/"
                + c.path("generation").asLong()).toList();
    }

    @Test
    public void theInstancesOfADownNodeArePlacedOnOtherUpNodesThroughTheStrategyWithinOneSweep() throws Exception {
        started(Map.of(), "fewest-instances");
        heartbeat("a", E1, 0.1, 0.1, 0, "process");
        runningOnA("i-1");
        runningOnA("i-2"); // the only node then
        heartbeat("b", 42, 0.5, 0.5, 0, "process");
        heartbeat("c", 43, 0.5, 0.5, 0, "process");
        heartbeat("d", 44, 0.0, 0.0, 0, "bundle"); // offers another runtime: no candidate
        heartbeat("a", E1, 0.1, 0.1, 2, "process"); // its last heartbeat

        // node a is killed (kill -9): silence; b, c and d beat every 500 ms
        for (int i = 1; i <= 4; i++) {
            clock.advance(500);
            heartbeat("b", 42, 0.5, 0.5, 0, "process");
            heartbeat("c", 43, 0.5, 0.5, 0, "process");
            heartbeat("d", 44, 0.0, 0.0, 0, "bundle");
            sweep();
            assertEquals("after " + i * 500 + " ms of silence a is not DOWN yet", InstanceState.RUNNING,
                    info("i-1").state());
        }
        assertEquals(NodeState.SUSPECT, slc.node("a").orElseThrow().state());
        List<String> seenAtPublish = new CopyOnWriteArrayList<>();
        messaging.onPublish(p -> {
            JsonNode command = read(p.value());
            if (command.path("op").asText().equals("start")) {
                Document d = stored(command.path("instance_id").asText());
                seenAtPublish.add(d.getString("state") + "/" + d.get("generation") + "/" + d.getString("node"));
            }
        });
        clock.advance(500);
        heartbeat("b", 42, 0.5, 0.5, 0, "process");
        heartbeat("c", 43, 0.5, 0.5, 0, "process");
        sweep(); // a has been silent for 2.5 s: DOWN, and its instances move in this sweep

        assertEquals(NodeState.DOWN, slc.node("a").orElseThrow().state());
        assertEquals("stored before published", List.of("STARTING/2/b", "STARTING/2/c"), seenAtPublish);
        assertEquals("spread by fewest-instances (counting what the records place)", List.of("start/i-1/2"), sent("b"));
        assertEquals(List.of("start/i-2/2"), sent("c"));
        assertTrue("never on a node without the runtime", commands("d").isEmpty());
        assertEquals("never on the DOWN node; its generations fenced in case it still runs them",
                List.of("start/i-1/1", "start/i-2/1", "stop/i-1/1", "stop/i-2/1"), sent("a"));
        for (String id : List.of("i-1", "i-2")) {
            InstanceInfo info = info(id);
            assertEquals(InstanceState.STARTING, info.state());
            assertEquals(1, info.restarts());
            assertEquals(1, info.runs());
            assertEquals("placed on node " + info.node() + " by strategy fewest-instances (node a down)", info.reason());
            assertNull(stored(id).get(PlacementHandler.FENCES));
        }
        assertEquals(42, lastCommand("b").orElseThrow().path("node_epoch").asLong());

        clock.advance(100);
        event("i-1", 2L, "RUNNING", null, null);
        sweep();
        assertEquals(InstanceState.RUNNING, info("i-1").state());
        assertEquals("nothing twice", 1, commands("b").size());
    }

    @Test
    public void withNoOtherNodeItWaitsRestartingAndGoesBackToItsNodeWhenItReturns() throws Exception {
        started(Map.of(), "least-load");
        heartbeat("a", E1, 0.1, 0.1, 0, "process");
        runningOnA("i-1");
        String token = commands("a").get(0).path("token").asText();
        clock.advance(2500);
        heartbeat("d", 44, 0.0, 0.0, 0, "bundle"); // heard, but no candidate (another runtime)
        sweep();

        InstanceInfo waiting = info("i-1");
        assertEquals(InstanceState.RESTARTING, waiting.state());
        assertEquals("node a down (no heartbeat for 2.51 s); starting it again on a healthy node", waiting.reason());
        assertTrue(slc.authenticate("i-1", token).isEmpty());
        Document interruption = (Document) stored("i-1").get(InstanceStore.INTERRUPTION);
        assertEquals(InstanceStore.CAUSE_NODE_DOWN, interruption.getString("cause"));
        assertEquals(Boolean.FALSE, interruption.get("reported"));
        clock.advance(100);
        event("i-1", 1L, "RUNNING", null, null); // a late report of the generation on the DOWN node changes nothing
        assertEquals(InstanceState.RESTARTING, info("i-1").state());

        // the node was cut off, not dead: it comes back under the same epoch, still running generation 1
        slc.sweepRestarts();
        assertEquals("no node can take it", InstanceState.RESTARTING, info("i-1").state());
        heartbeat("a", E1, 0.1, 0.1, 1, Map.of("i-1", 1L), "process");
        slc.sweepFences();
        assertEquals("its re-placement fences it: no stop of its own", List.of("start/i-1/1"), sent("a"));
        slc.sweepRestarts();

        assertEquals("the stop of the old generation goes before the new start", List.of("start/i-1/1", "stop/i-1/1",
                "start/i-1/2"), sent("a"));
        assertEquals(InstanceState.STARTING, info("i-1").state());
        assertEquals(1, info("i-1").restarts());
        assertEquals("placed on node a by strategy least-load (node a down)", info("i-1").reason());
    }

    @Test
    public void aReturningNodeListingGenerationsItMustNotRunIsSentStopsOfThem() throws Exception {
        started(Map.of(), "least-load");
        heartbeat("a", E1, 0.1, 0.1, 0, "process");
        heartbeat("b", 42, 0.5, 0.5, 0, "process");
        runningOnA("i-1");
        runningOnA("i-3");
        place(stopMessage("i-3", "job-i-3:1", "stopped"));
        event("i-3", 1L, "STOPPED", null, "stopped");
        for (int i = 0; i < 5; i++) { // a is silent for 2.5 s
            clock.advance(500);
            heartbeat("b", 42, 0.5, 0.5, 0, "process");
        }
        sweep();
        assertEquals("b", info("i-1").node());
        event("i-1", 2L, "RUNNING", null, null);
        int before = commands("a").size();

        assertEquals("the re-placement fenced generation 1 on a", "stop/i-1/1", sent("a").get(before - 1));
        List<String> fencedAtPublish = new CopyOnWriteArrayList<>();
        messaging.onPublish(p -> {
            JsonNode command = read(p.value());
            if (p.topic().equals(Topics.nodeCommands("a")) && command.path("instance_id").asText().equals("i-3")) {
                fencedAtPublish.add(String.valueOf(stored("i-3").get(InstanceStore.FENCED)));
            }
        });
        // a comes back (same epoch: it was cut off) still running i-1 and i-3, and an instance nobody knows
        heartbeat("a", E1, 0.1, 0.1, 3, Map.of("i-1", 1L, "i-3", 1L, "i-9", 7L), "process");
        heartbeat("b", 42, 0.5, 0.5, 1, Map.of("i-1", 2L), "process");
        slc.sweepFences();

        List<JsonNode> stops = commands("a").subList(before, commands("a").size());
        assertEquals("i-1's stop was sent by its re-placement (and waits in a's commands)",
                List.of("stop/i-3/1", "stop/i-9/7"), sent("a").subList(before, sent("a").size()));
        assertEquals("fenced: it is STOPPED (stopped)", stops.get(0).path("reason").asText());
        assertEquals("fenced: server-lifecycle knows no such instance", stops.get(1).path("reason").asText());
        assertEquals("stored before published", 1, fencedAtPublish.size());
        assertTrue(fencedAtPublish.get(0), fencedAtPublish.get(0).contains("node=a, generation=1"));
        assertTrue("b runs what the records say", commands("b").stream().noneMatch(c -> c.path("op").asText()
                .equals("stop")));
        assertEquals(InstanceState.RUNNING, info("i-1").state());
        assertEquals("b", info("i-1").node());

        int sentOnce = commands("a").size();
        clock.advance(500);
        heartbeat("a", E1, 0.1, 0.1, 3, Map.of("i-1", 1L, "i-3", 1L, "i-9", 7L), "process");
        slc.sweepFences();
        slc.sweepFences(); // the same heartbeat is checked once
        assertEquals("not again while the node reads its commands", sentOnce, commands("a").size());

        clock.advance(Fencing.RESEND_MS);
        heartbeat("a", E1, 0.1, 0.1, 3, Map.of("i-1", 1L, "i-3", 1L, "i-9", 7L), "process");
        heartbeat("b", 42, 0.5, 0.5, 1, Map.of("i-1", 2L), "process");
        slc.sweepFences();
        assertEquals("still listed after that long: sent again", List.of("stop/i-1/1", "stop/i-3/1", "stop/i-9/7"),
                sent("a").subList(sentOnce, sent("a").size()));
        assertEquals("fenced: generation 2 of it was placed on node b",
                commands("a").get(sentOnce).path("reason").asText());

        clock.advance(500);
        heartbeat("a", E1, 0.1, 0.1, 0, Map.of(), "process"); // it stopped them
        slc.sweepFences();
        assertEquals(sentOnce + 3, commands("a").size());
    }

    @Test
    public void aNodeListingAnOlderGenerationThanItWasSentIsFencedButNotTheCurrentOne() throws Exception {
        started(Map.of(), "least-load");
        heartbeat("a", E1, 0.1, 0.1, 0, "process");
        runningOnA("i-1");
        place(startMessage("i-1", "job-i-1:2", "process")); // generation 2, on a again
        assertEquals(List.of("start/i-1/1", "stop/i-1/1", "start/i-1/2"), sent("a"));

        heartbeat("a", E1, 0.1, 0.1, 1, Map.of("i-1", 2L), "process");
        slc.sweepFences();
        assertEquals("it runs the current one", 3, commands("a").size());
        clock.advance(100);
        heartbeat("a", E1, 0.1, 0.1, 1, Map.of("i-1", 1L), "process"); // a heartbeat from before it took the start
        slc.sweepFences();
        assertEquals("fenced: generation 2 of it was placed on this node",
                lastCommand("a").orElseThrow().path("reason").asText());
        assertEquals(List.of("start/i-1/1", "stop/i-1/1", "start/i-1/2", "stop/i-1/1"), sent("a"));

        heartbeat("c", 1, 0.1, 0.1, 0, "process"); // an older node agent (no "running" in its heartbeats)
        slc.sweepFences();
        assertTrue(commands("c").isEmpty());
    }

    @Test
    public void aStopOfAnInstanceWaitingAfterItsNodeWentDownIsAlsoSentToThatNode() throws Exception {
        started(Map.of(), "least-load");
        heartbeat("a", E1, 0.1, 0.1, 0, "process");
        runningOnA("i-1");
        clock.advance(2500);
        heartbeat("d", 44, 0.0, 0.0, 0, "bundle");
        sweep();
        assertEquals(InstanceState.RESTARTING, info("i-1").state());

        place(stopMessage("i-1", "job-i-1:1", "stopped"));

        assertEquals(InstanceState.STOPPED, info("i-1").state());
        assertEquals("stopped by request", info("i-1").reason());
        assertEquals("in case it still runs there", List.of("start/i-1/1", "stop/i-1/1"), sent("a"));
        assertTrue(String.valueOf(stored("i-1").get(InstanceStore.FENCED)).contains("node=a, generation=1"));

        heartbeat("a", E1, 0.1, 0.1, 1, Map.of("i-1", 1L), "process"); // back, not at that stop yet
        sweep();
        assertEquals("sent already", 2, commands("a").size());
        assertEquals(InstanceState.STOPPED, info("i-1").state());
        assertEquals(0, info("i-1").restarts());
    }

    @Test
    public void anInstanceOnADownNodeWhoseStopWasRequestedIsStopped() throws Exception {
        started(Map.of(), "least-load");
        heartbeat("a", E1, 0.1, 0.1, 0, "process");
        heartbeat("b", 42, 0.5, 0.5, 0, "process");
        runningOnA("i-1");
        place(stopMessage("i-1", "job-i-1:1", "end_time")); // sent; a dies before it answers
        for (int i = 0; i < 5; i++) {
            clock.advance(500);
            heartbeat("b", 42, 0.5, 0.5, 0, "process");
        }
        sweep();
        assertEquals(InstanceState.STOPPED, info("i-1").state());
        assertEquals("end time reached (node a down (no heartbeat for 2.51 s) meanwhile)", info("i-1").reason());
        assertTrue("not placed again", commands("b").isEmpty());
    }

    @Test
    public void afterAPlatformRestartANodeIsNotDownBeforeItCouldBeHeard() throws Exception {
        started(Map.of(), "least-load");
        heartbeat("a", E1, 0.1, 0.1, 0, "process");
        runningOnA("i-1");
        slc.stop();
        clock.advance(60_000); // the platform was down for a minute; a's last heartbeat it knows is that old
        slc = newComponent(FAST);
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
        sweep(); // not following heartbeats yet
        assertEquals(InstanceState.RUNNING, info("i-1").state());

        slc.start();
        Poll.until("following heartbeats", WAIT, slc::isFollowingHeartbeats);
        sweep();
        clock.advance(1500);
        sweep();
        assertEquals("not heard for 1.5 s of following only", InstanceState.RUNNING, info("i-1").state());
        heartbeat("a", E1, 0.1, 0.1, 1, Map.of("i-1", 1L), "process");
        clock.advance(1500);
        sweep();
        assertEquals(InstanceState.RUNNING, info("i-1").state());
        assertEquals("nothing sent", 1, commands("a").size());

        clock.advance(1000); // now it is silent for 2.5 s
        heartbeat("d", 44, 0.0, 0.0, 0, "bundle");
        sweep();
        assertEquals(InstanceState.RESTARTING, info("i-1").state());
    }

    @Test
    public void whenNoNodeAtAllIsHeardNothingIsMoved() throws Exception {
        started(Map.of(), "least-load");
        heartbeat("a", E1, 0.1, 0.1, 0, "process");
        heartbeat("b", 42, 0.5, 0.5, 0, "process");
        runningOnA("i-1");
        clock.advance(30_000); // every node silent: the broker restarts, or this platform is cut off from it
        sweep();
        assertEquals(InstanceState.RUNNING, info("i-1").state());
        assertEquals("a", info("i-1").node());

        heartbeat("a", E1, 0.1, 0.1, 1, Map.of("i-1", 1L), "process"); // heard again: it ran all along
        heartbeat("b", 42, 0.5, 0.5, 0, Map.of(), "process");
        sweep();
        assertEquals(InstanceState.RUNNING, info("i-1").state());
        assertEquals(List.of("start/i-1/1"), sent("a"));
        assertTrue(commands("b").isEmpty());
    }

    @Test
    public void afterASilenceOfEveryNodeTheOnesHeardLaterAreNotTakenForDownMeanwhile() throws Exception {
        started(Map.of(), "least-load");
        heartbeat("a", E1, 0.1, 0.1, 0, "process");
        heartbeat("b", 42, 0.5, 0.5, 0, "process");
        runningOnA("i-1");
        clock.advance(30_000); // the broker restarts: no heartbeat of any node reaches the platform
        sweep();
        heartbeat("b", 42, 0.5, 0.5, 0, Map.of(), "process"); // b's heartbeats come through first
        sweep();
        assertEquals("a is not DOWN for a silence the platform could not hear through", InstanceState.RUNNING,
                info("i-1").state());
        clock.advance(400);
        heartbeat("a", E1, 0.1, 0.1, 1, Map.of("i-1", 1L), "process"); // then a's: it ran all along
        sweep();
        assertEquals(InstanceState.RUNNING, info("i-1").state());
        assertEquals("a", info("i-1").node());
        assertEquals(List.of("start/i-1/1"), sent("a"));

        // a node that stays silent once heartbeats are heard again is DOWN after down_after_ms of them, as usual
        clock.advance(30_000);
        sweep();
        for (int i = 1; i <= 6; i++) {
            clock.advance(500);
            heartbeat("b", 42, 0.5, 0.5, 0, Map.of(), "process");
            sweep();
            assertEquals("a is DOWN only after 2 s of heartbeats followed again", i < 6 ? "a" : "b", info("i-1").node());
        }
    }

    @Test
    public void whileTheHeartbeatFollowerIsDeadNoNodeIsTakenForDown() throws Exception {
        started(Map.of(), "least-load");
        heartbeat("a", E1, 0.1, 0.1, 0, "process");
        runningOnA("i-1");
        messaging.subscriptions().stream().filter(RecordingMessaging.Subscribed::follows)
                .forEach(RecordingMessaging.Subscribed::close); // it died
        messaging.failSubscribing(new IllegalStateException("broker unreachable (test)"));
        clock.advance(2500);
        heartbeat("d", 44, 0.0, 0.0, 0, "bundle"); // (as if) heard
        slc.sweepRestarts();
        assertEquals(InstanceState.RUNNING, info("i-1").state());
    }

    @Test
    public void theNodeTableKeepsWhatEachHeartbeatListsAsRunning() {
        heartbeat("a", E1, 0.1, 0.1, 2, Map.of("i-1", 3L, "i-2", 1L), "process");
        heartbeat("b", 42, 0.1, 0.1, 0, "process");
        slc.onHeartbeat(new Message(Topics.NODE_HEARTBEATS, "c", "{\"node_id\":\"c\",\"running\":[{\"instance_id\":"
                + "\"i-4\",\"generation\":\"x\"},{\"generation\":2},7,{\"instance_id\":\"i-5\",\"generation\":4}]}",
                clock.millis(), 0, offsets.getAndIncrement()));
        NodeTable table = new NodeTable(nodesCollection(), clock);
        table.load();
        assertTrue("not stored: kept in memory only", table.running().isEmpty());
        List<NodeTable.Running> running = slcTable().running();
        Map<String, Map<String, Long>> byNode = new HashMap<>();
        running.forEach(r -> byNode.put(r.nodeId(), r.instances()));
        assertEquals(Map.of("a", Map.of("i-1", 3L, "i-2", 1L), "c", Map.of("i-5", 4L)), byNode);
        assertFalse("a heartbeat without the field lists nothing", byNode.containsKey("b"));
    }

    private NodeTable slcTable() {
        return slc.nodeTable();
    }

    /**
     * The target of issue 4 at server-lifecycle's level, on its own timer and the real clock: heartbeats every 500 ms,
     * DOWN after 2 s, sweep every 250 ms; node a stops beating (kill -9) → its instance's start is on node b well within
     * 5 s (then RUNNING there as soon as b reports it).
     */
    @Test
    public void onTheComponentsOwnTimerAKilledNodesInstanceIsStartedElsewhereWithinFiveSeconds() throws Exception {
        slc.stop();
        slc = new ServerLifecycleComponent(MONGO.client(), messaging, Configs.of(ServerLifecycleComponent.Config.class,
                Map.of("suspect__after__ms", 1000L, "down__after__ms", 2000L, "sweep__period__ms", 250L)),
                Clock.systemUTC());
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
        AtomicBoolean aAlive = new AtomicBoolean(true);
        ScheduledExecutorService nodes = Executors.newSingleThreadScheduledExecutor();
        try {
            nodes.scheduleAtFixedRate(() -> {
                if (aAlive.get()) {
                    heartbeat("a", 41, 0.1, 0.1, 1, Map.of(), "process");
                }
                heartbeat("b", 42, 0.6, 0.6, 0, Map.of(), "process");
            }, 0, 500, TimeUnit.MILLISECONDS);
            slc.start();
            Poll.until("the node table warmed up", WAIT, () -> slc.nodeTableReady()
                    && slc.node("a").map(n -> n.state() == NodeState.UP).orElse(false)
                    && slc.node("b").map(n -> n.state() == NodeState.UP).orElse(false));
            place(startMessage("i-1", "job-i-1:1", "process"));
            assertEquals("a", info("i-1").node());
            event("i-1", 1L, "RUNNING", null, null);

            long killed = System.nanoTime();
            aAlive.set(false);
            Poll.until("i-1 started on b", WAIT, () -> commands("b").stream()
                    .anyMatch(c -> c.path("op").asText().equals("start")));
            long tookMs = (System.nanoTime() - killed) / 1_000_000;
            assertTrue("started elsewhere " + tookMs + " ms after the kill", tookMs < 5000);
            assertTrue("not before a could be DOWN: " + tookMs + " ms", tookMs >= 1500);
            Poll.until("stored as sent", WAIT, () -> Boolean.TRUE.equals(stored("i-1").get("command_sent")));
            event("i-1", 2L, "RUNNING", null, null);
            assertEquals(InstanceState.RUNNING, info("i-1").state());
            assertEquals("b", info("i-1").node());
            assertEquals(List.of("start/i-1/1", "stop/i-1/1"), sent("a"));
        } finally {
            nodes.shutdownNow();
            nodes.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
