package org.iasplatform.lifecycle.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.bson.Document;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Topics;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Instances whose node agent stopped (a platform or node restart): RESTARTING, then placed again by the periodic sweep
 * under a new generation; a node that came back under a new epoch without reporting; stops while RESTARTING (crashes:
 * {@link CrashRestartTest}; DOWN nodes: {@link NodeFailureTest}).
 */
public class RestartTest extends LifecycleTestBase {
    /** Node a's agent started a minute before the test's start. */
    private static final long E1 = T0 - 60_000;
    /** The sweep is called by the test (the component's own timer does not come round during a test). */
    private static final Map<String, Object> SWEPT_BY_THE_TEST = Map.of("sweep__period__ms", 3_600_000L);
    /** The component's own timer sweeps (the test polls for the outcome). */
    private static final Map<String, Object> SWEEPING = Map.of("sweep__period__ms", 50L);

    private void started(Map<String, Object> config) {
        slc.stop();
        slc = newComponent(config);
        startAndWarmUp();
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
    }

    /** i-1 run job-i-1:1 placed on node a (agent epoch E1) and RUNNING, generation 1; returns its start command. */
    private JsonNode runningOnA() throws Exception {
        heartbeat("a", E1, 0.1, 0.1, 0, "process");
        place(startMessage("i-1", "job-i-1:1", "process"));
        JsonNode start = lastCommand("a").orElseThrow();
        assertEquals(1, start.path("generation").asLong());
        clock.advance(100);
        event("i-1", 1L, "RUNNING", null, null);
        return start;
    }

    private List<JsonNode> starts(String node) {
        return commands(node).stream().filter(c -> c.path("op").asText().equals("start")).toList();
    }

    private InstanceInfo info(String instanceId) {
        return slc.instance(instanceId).orElseThrow();
    }

    @Test
    public void anInterruptedInstanceIsRestartingAndTheSweepStartsItAgainWhenItsNodeComesBack() throws Exception {
        started(SWEEPING);
        JsonNode first = runningOnA();
        String oldToken = first.path("token").asText();

        clock.advance(1000);
        long interruptedAt = clock.millis();
        interrupted("i-1", 1);

        InstanceInfo restarting = info("i-1");
        assertEquals(InstanceState.RESTARTING, restarting.state());
        assertEquals("node a stopped; starting it again when a node is available", restarting.reason());
        assertEquals(0, restarting.restarts());
        assertNull("it did not end", restarting.endedAt());
        assertTrue("nothing runs with the old token any more", slc.authenticate("i-1", oldToken).isEmpty());
        Document interruption = (Document) stored("i-1").get(InstanceStore.INTERRUPTION);
        assertEquals("a", interruption.getString("node"));
        assertEquals(interruptedAt, interruption.getLong("after_epoch").longValue());
        assertEquals("waiting for a node, it counts on none", Map.of(),
                new InstanceStore(instancesCollection()).activeCountsByNode());

        List<String> seenAtPublish = new CopyOnWriteArrayList<>();
        messaging.onPublish(p -> {
            if (p.topic().equals(Topics.nodeCommands("a")) && read(p.value()).path("op").asText().equals("start")) {
                Document atThatMoment = stored("i-1");
                seenAtPublish.add(atThatMoment.getString("state") + "/" + atThatMoment.get("generation") + "/"
                        + Tokens.sha256Hex(read(p.value()).path("token").asText())
                                .equals(atThatMoment.getString("token_sha256")));
            }
        });
        long e2 = clock.millis() + 5000; // the agent on a starts again, after the interruption
        clock.advance(5000);
        heartbeat("a", e2, 0.1, 0.1, 0, "process");

        Poll.until("i-1 placed again by the sweep", WAIT, () -> starts("a").size() == 2
                && Boolean.TRUE.equals(stored("i-1").get("command_sent")));
        assertEquals("stored before published", List.of("STARTING/2/true"), seenAtPublish);
        JsonNode again = starts("a").get(1);
        assertEquals("i-1", again.path("instance_id").asText());
        assertEquals(2, again.path("generation").asLong());
        assertEquals("job-i-1:1", again.path("run_id").asText());
        assertEquals("job-i-1", again.path("job_id").asText());
        assertEquals("Bus_management", again.path("application_name").asText());
        assertEquals("lightControl", again.path("algorithm_name").asText());
        assertEquals("the stored launch", first.path("launch"), again.path("launch"));
        assertEquals("the stored sensors", first.path("sensors"), again.path("sensors"));
        assertEquals("the stored sensor types", first.path("sensor_types"), again.path("sensor_types"));
        String token = again.path("token").asText();
        assertNotEquals(oldToken, token);
        assertTrue(token.matches("[A-Za-z0-9_-]{43}"));
        assertEquals("the interrupted node reported the end: no stop for it", 0,
                commands("a").stream().filter(c -> c.path("op").asText().equals("stop")).count());

        InstanceInfo placed = info("i-1");
        assertEquals(InstanceState.STARTING, placed.state());
        assertEquals("a", placed.node());
        assertEquals(1, placed.restarts());
        assertEquals("the same run", 1, placed.runs());
        assertEquals("placed on node a by strategy least-load (started again after node a stopped)", placed.reason());
        assertTrue(slc.authenticate("i-1", token).isPresent());
        Document doc = stored("i-1");
        assertNull(doc.get(InstanceStore.INTERRUPTION));
        assertNull(doc.get(InstanceStore.RESTART_PENDING));
        assertEquals(e2, doc.getLong("node_epoch").longValue());

        slc.sweepRestarts(); // and the timer goes on sweeping: nothing is placed twice
        clock.advance(100);
        event("i-1", 2L, "RUNNING", null, null);
        slc.sweepRestarts();
        assertEquals(2, starts("a").size());
        assertEquals(InstanceState.RUNNING, info("i-1").state());
        assertEquals(1, info("i-1").restarts());
        assertTrue(messaging.published(Topics.INSTANCE_EVENTS).isEmpty());
    }

    @Test
    public void itIsNotPlacedAgainWhileOnlyTheOldEpochOfItsNodeIsKnownButAnotherNodeMayTakeIt() throws Exception {
        started(SWEPT_BY_THE_TEST);
        runningOnA();
        clock.advance(100);
        interrupted("i-1", 1);

        for (int i = 0; i < 3; i++) { // the stopping agent's last heartbeats, and the platform's view after a restart
            clock.advance(1000);
            heartbeat("a", E1, 0.1, 0.1, 0, "process");
            slc.sweepRestarts();
        }
        assertEquals(InstanceState.RESTARTING, info("i-1").state());
        assertEquals(1, commands("a").size());

        heartbeat("b", 42, 0.5, 0.5, 3, "process");
        slc.sweepRestarts();

        assertEquals(1, commands("a").size());
        JsonNode onB = lastCommand("b").orElseThrow();
        assertEquals("start", onB.path("op").asText());
        assertEquals(2, onB.path("generation").asLong());
        assertEquals("b", info("i-1").node());
        assertEquals(InstanceState.STARTING, info("i-1").state());
        assertEquals(1, info("i-1").restarts());
    }

    @Test
    public void aStopWhileRestartingStopsItAtOnceAndNothingIsPublishedOrPlacedAgain() throws Exception {
        started(SWEPT_BY_THE_TEST);
        runningOnA();
        clock.advance(100);
        Message interruption = interrupted("i-1", 1);
        messaging.clear();

        clock.advance(100);
        place(stopMessage("i-1", "job-i-1:1", "stopped"));

        InstanceInfo stopped = info("i-1");
        assertEquals(InstanceState.STOPPED, stopped.state());
        assertEquals("stopped by request", stopped.reason());
        assertEquals(clock.instant(), stopped.endedAt());
        assertTrue("nothing runs it: nothing to tell any node", messaging.published().isEmpty());

        heartbeat("a", clock.millis() + 1000, 0.1, 0.1, 0, "process");
        heartbeat("b", clock.millis() + 1000, 0.1, 0.1, 0, "process");
        slc.sweepRestarts();
        slc.handleInstanceEvent(interruption); // redelivered
        place(startMessage("i-1", "job-i-1:1", "process")); // the run's start, redelivered
        slc.sweepRestarts();
        assertEquals(InstanceState.STOPPED, info("i-1").state());
        assertEquals(0, info("i-1").restarts());
        assertTrue(messaging.published().toString(), messaging.published().isEmpty());
    }

    @Test
    public void anInterruptionAfterAStopWasRequestedEndsItStopped() throws Exception {
        started(SWEPT_BY_THE_TEST);
        runningOnA();
        place(stopMessage("i-1", "job-i-1:1", "end_time"));
        assertEquals("the stop went to the node", "stop", lastCommand("a").orElseThrow().path("op").asText());

        clock.advance(100);
        interrupted("i-1", 1); // the agent stopped before it got to the stop

        InstanceInfo info = info("i-1");
        assertEquals(InstanceState.STOPPED, info.state());
        assertEquals("end time reached (its node a stopped meanwhile)", info.reason());
        heartbeat("a", clock.millis() + 1000, 0.1, 0.1, 0, "process");
        slc.sweepRestarts();
        assertEquals(1, starts("a").size());
    }

    @Test
    public void aNodeBackUnderANewEpochWithoutReportingGetsItsInstancesPlacedAgain() throws Exception {
        started(SWEPT_BY_THE_TEST);
        runningOnA(); // i-1 RUNNING
        place(startMessage("i-2", "job-i-2:1", "process")); // i-2 STARTING, never reported
        clock.advance(100);
        slc.sweepRestarts();
        assertEquals("the same epoch: nothing to do", 2, starts("a").size());

        // the agent on a was killed (kill -9: no event) and came back
        clock.advance(20_000);
        long e2 = clock.millis() - 2000;
        heartbeat("a", e2, 0.1, 0.1, 0, "process");
        place(startMessage("i-3", "job-i-3:1", "process")); // placed under the new epoch: not an orphan

        slc.sweepRestarts();

        for (String id : List.of("i-1", "i-2")) {
            InstanceInfo info = info(id);
            assertEquals(id, InstanceState.STARTING, info.state());
            assertEquals(id, 1, info.restarts());
            assertEquals(2L, stored(id).get("generation"));
            List<JsonNode> sent = commands("a").stream().filter(c -> c.path("instance_id").asText().equals(id)).toList();
            assertEquals(sent.toString(), List.of("start/1", "stop/1", "start/2"), sent.stream()
                    .map(c -> c.path("op").asText() + "/" + c.path("generation").asLong()).toList());
            assertEquals("superseded by a restart", sent.get(1).path("reason").asText());
            assertNull("sent: no fence left", stored(id).get(PlacementHandler.FENCES));
        }
        assertEquals(1L, stored("i-3").get("generation"));
        assertEquals(InstanceState.STARTING, info("i-3").state());
        assertEquals(0, info("i-3").restarts());

        slc.sweepRestarts();
        assertEquals("nothing twice", 5, starts("a").size());
    }

    @Test
    public void theFenceOfAnOrphanIsKeptUntilSentAndSentAgainWithTheResend() throws Exception {
        started(SWEPT_BY_THE_TEST);
        runningOnA();
        clock.advance(20_000);
        long e2 = clock.millis() - 2000;
        heartbeat("a", e2, 0.1, 0.1, 0, "process");
        messaging.failNext(Topics.nodeCommands("a"), 1); // the fence's stop does not go out

        slc.sweepRestarts();

        Document pending = stored("i-1");
        assertEquals("STARTING", pending.getString("state"));
        assertEquals(2L, pending.get("generation"));
        assertEquals(List.of(new Document("node", "a").append("generation", 1L)), pending.get(PlacementHandler.FENCES));
        assertEquals(1, commands("a").size());

        clock.advance(RestartHandler.RESEND_AFTER_MS + 1);
        heartbeat("a", e2, 0.1, 0.1, 0, "process");
        slc.sweepRestarts();

        assertEquals(List.of("start/1", "stop/1", "stop/2", "start/3"), commands("a").stream()
                .map(c -> c.path("op").asText() + "/" + c.path("generation").asLong()).toList());
        assertEquals(1, info("i-1").restarts());
        assertNull(stored("i-1").get(PlacementHandler.FENCES));
    }

    @Test
    public void theOrphanRuleMarksThemRestartingAndALateReportOfTheNewAgentKeepsThemRunning() throws Exception {
        started(SWEPT_BY_THE_TEST);
        runningOnA();
        clock.advance(1000);
        // the platform restarts: it knows node a from the store; a's agent restarted too and beats under a new epoch
        slc.stop();
        clock.advance(30_000);
        slc = newComponent(SWEPT_BY_THE_TEST);
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
        long e2 = clock.millis() - 1000;
        heartbeat("a", e2, 0.1, 0.1, 0, "process");
        slc.sweepRestarts(); // not following heartbeats long enough to place anything, but orphans are found
        InstanceInfo info = info("i-1");
        assertEquals(InstanceState.RESTARTING, info.state());
        assertEquals("node a restarted without it; starting it again when a node is available", info.reason());
        assertEquals(1, starts("a").size());

        // the new agent did run it after all (its start was still queued): the node's report wins
        event("i-1", 1L, "RUNNING", null, null);
        assertEquals(InstanceState.RUNNING, info("i-1").state());
        assertNull(stored("i-1").get(InstanceStore.INTERRUPTION));
        startAndWarmUp();
        heartbeat("a", e2, 0.1, 0.1, 1, "process");
        slc.sweepRestarts();
        assertEquals(1, starts("a").size());
        assertEquals(InstanceState.RUNNING, info("i-1").state());
    }

    @Test
    public void anInterruptionOfAnOlderGenerationChangesNothing() throws Exception {
        started(SWEPT_BY_THE_TEST);
        runningOnA();
        place(startMessage("i-1", "job-i-1:2", "process")); // generation 2
        clock.advance(100);
        interrupted("i-1", 1);
        assertEquals(InstanceState.STARTING, info("i-1").state());
        assertEquals(2L, stored("i-1").get("generation"));
        assertNull(stored("i-1").get(InstanceStore.INTERRUPTION));
    }

    @Test
    public void withoutAStrategyItWaitsSayingWhyAndIsPlacedOnceOneIsBound() throws Exception {
        started(SWEPT_BY_THE_TEST);
        runningOnA();
        clock.advance(100);
        interrupted("i-1", 1);
        slc.unsetStrategy(LEAST_LOAD);
        heartbeat("a", clock.millis() + 1000, 0.1, 0.1, 0, "process");

        slc.sweepRestarts();
        slc.sweepRestarts();
        InstanceInfo waiting = info("i-1");
        assertEquals(InstanceState.RESTARTING, waiting.state());
        assertTrue(waiting.reason(), waiting.reason().startsWith("node a stopped; starting it again when a node is "
                + "available; not started yet: no LoadBalancingStrategy matches (ias.strategy=least-load)"));

        slc.setStrategy(FEWEST, strategyProps("fewest-instances"));
        slc.sweepRestarts();
        assertEquals(InstanceState.STARTING, info("i-1").state());
        assertEquals("placed on node a by strategy fewest-instances (started again after node a stopped)",
                info("i-1").reason());
    }

    @Test
    public void aRestartWhoseCommandDidNotGoOutIsPlacedAgainLaterUnderANewGeneration() throws Exception {
        started(SWEPT_BY_THE_TEST);
        runningOnA();
        clock.advance(100);
        interrupted("i-1", 1);
        long e2 = clock.millis() + 1000;
        heartbeat("a", e2, 0.1, 0.1, 0, "process");
        messaging.failNext(Topics.nodeCommands("a"), 1);

        slc.sweepRestarts(); // the broker fails: logged, tried again later

        Document pending = stored("i-1");
        assertEquals("stored before publishing", "STARTING", pending.getString("state"));
        assertEquals(2L, pending.get("generation"));
        assertEquals(Boolean.FALSE, pending.get("command_sent"));
        assertEquals(Boolean.TRUE, pending.get(InstanceStore.RESTART_PENDING));
        slc.sweepRestarts();
        assertEquals("not yet: its publishing may still be under way elsewhere", 1, starts("a").size());

        clock.advance(RestartHandler.RESEND_AFTER_MS + 1);
        heartbeat("a", e2, 0.1, 0.1, 1, "process");
        slc.sweepRestarts();

        List<JsonNode> sent = commands("a");
        assertEquals(sent.toString(), List.of("start/1", "stop/2", "start/3"), sent.stream()
                .map(c -> c.path("op").asText() + "/" + c.path("generation").asLong()).toList());
        assertEquals(InstanceState.STARTING, info("i-1").state());
        assertEquals("one restart, sent twice", 1, info("i-1").restarts());
        assertEquals(Boolean.TRUE, stored("i-1").get("command_sent"));
        assertTrue(slc.authenticate("i-1", sent.get(2).path("token").asText()).isPresent());
        assertFalse(stored("i-1").containsKey(InstanceStore.RESTART_PENDING));
    }
}
