package org.iasplatform.lifecycle.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bson.Document;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.messaging.Topics;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Placement of instances from {@code deployer_to_slc}: strategies, start commands, generations, stops. */
public class PlacementTest extends LifecycleTestBase {

    /** Node a: lightly loaded but busy (5 instances); node b: heavily loaded but nearly idle (1 instance). */
    private void twoNodes() {
        heartbeat("a", 0.10, 0.10, 5, "process", "bundle");
        heartbeat("b", 0.80, 0.80, 1, "process");
    }

    @Test
    public void theTwoStrategiesPickDifferentNodesForTheSameFigures() throws Exception {
        startAndWarmUp();
        twoNodes();
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
        place(startMessage("i-1", "job-i-1:1", "process"));
        assertEquals("a", slc.instance("i-1").orElseThrow().node());

        slc.unsetStrategy(LEAST_LOAD);
        slc.setStrategy(FEWEST, strategyProps("fewest-instances"));
        place(startMessage("i-2", "job-i-2:1", "process"));
        assertEquals("b", slc.instance("i-2").orElseThrow().node());
    }

    @Test
    public void switchingTheTargetRebindsTheStrategyAndChangesThePickWhileRunning() throws Exception {
        startAndWarmUp();
        twoNodes();
        // as SCR does: both registered; the 'strategy' reference bound to what strategy.target selects
        slc.addStrategy(LEAST_LOAD, strategyProps("least-load"));
        slc.addStrategy(FEWEST, strategyProps("fewest-instances"));
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
        assertEquals("least-load", slc.strategy());
        assertEquals(List.of("fewest-instances", "least-load"), slc.strategies());

        place(startMessage("i-1", "job-i-1:1", "process"));
        assertEquals("a", slc.instance("i-1").orElseThrow().node());

        // config:property-set -p org.iasplatform.lifecycle strategy.target "(ias.strategy=fewest-instances)":
        // SCR calls modified, binds the newly matching service and unbinds the old one (a greedy dynamic reference)
        slc.modified(Configs.of(ServerLifecycleComponent.Config.class,
                Map.of("strategy_target", "(ias.strategy=fewest-instances)")));
        slc.setStrategy(FEWEST, strategyProps("fewest-instances"));
        slc.unsetStrategy(LEAST_LOAD);
        assertEquals("fewest-instances", slc.strategy());

        place(startMessage("i-2", "job-i-2:1", "process"));
        assertEquals("b", slc.instance("i-2").orElseThrow().node());
        assertEquals("placed on node b by strategy fewest-instances", slc.instance("i-2").orElseThrow().reason());
    }

    @Test
    public void placementsNotYetReportedByTheNodesCountForFewestInstances() throws Exception {
        startAndWarmUp();
        heartbeat("a", 0.1, 0.1, 0, "process");
        heartbeat("b", 0.1, 0.1, 0, "process");
        slc.setStrategy(FEWEST, strategyProps("fewest-instances"));
        place(startMessage("i-1", "job-i-1:1", "process"));
        place(startMessage("i-2", "job-i-2:1", "process"));
        assertEquals("a", slc.instance("i-1").orElseThrow().node());
        assertEquals("the heartbeat says 0 on both, but a has i-1 now", "b", slc.instance("i-2").orElseThrow().node());
    }

    @Test
    public void theRecordIsStoredBeforeTheStartCommandWhichCarriesTheRunAndAFreshToken() throws Exception {
        startAndWarmUp();
        twoNodes();
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
        List<String> seenAtPublish = new ArrayList<>();
        messaging.onPublish(p -> {
            if (p.topic().equals(Topics.nodeCommands("a"))) {
                JsonNode command = read(p.value());
                Document atThatMoment = stored("i-1");
                seenAtPublish.add(atThatMoment.getString("state") + "/" + atThatMoment.get("generation") + "/"
                        + Tokens.sha256Hex(command.path("token").asText()).equals(atThatMoment.getString("token_sha256")));
            }
        });

        place(startMessage("i-1", "job-i-1:1", "process"));

        assertEquals(List.of("STARTING/1/true"), seenAtPublish);
        assertTrue(messaging.ensured().contains(Topics.nodeCommands("a")));
        JsonNode command = lastCommand("a").orElseThrow();
        assertEquals("i-1", messaging.published(Topics.nodeCommands("a")).get(0).key());
        assertEquals("start", command.path("op").asText());
        assertEquals("i-1", command.path("instance_id").asText());
        assertEquals("job-i-1", command.path("job_id").asText());
        assertEquals("job-i-1:1", command.path("run_id").asText());
        assertEquals(1, command.path("generation").asLong());
        assertEquals("Bus_management", command.path("application_name").asText());
        assertEquals("lightControl", command.path("algorithm_name").asText());
        assertEquals("process", command.path("launch").path("runtime").asText());
        assertEquals("lightControl.py", command.path("launch").path("entry").asText());
        assertEquals("si-1", command.path("sensors").get(0).path("sensor_instance_id").asText());
        assertEquals("gps-sensor", command.path("sensor_types").path("gps-sensor").path("sensor_type_name").asText());
        String token = command.path("token").asText();
        assertEquals("32 random bytes, base64url without padding", 43, token.length());
        assertTrue(token, token.matches("[A-Za-z0-9_-]{43}"));

        Document doc = stored("i-1");
        assertFalse("never the token itself", doc.toJson().contains(token));
        assertEquals(Boolean.TRUE, doc.get("command_sent"));
        InstanceInfo info = slc.instance("i-1").orElseThrow();
        assertEquals(InstanceState.STARTING, info.state());
        assertEquals("a", info.node());
        assertEquals("job-i-1", info.jobId());
        assertEquals("Bus_management", info.applicationName());
        assertEquals("2", info.applicationId());
        assertEquals(1, info.appVersion());
        assertEquals("lightControl", info.algorithmName());
        assertEquals("process", info.runtime());
        assertEquals(1, info.runs());
        assertEquals(0, info.restarts());
        assertEquals("si-1", info.sensors().get(0).sensorInstanceId());
        assertTrue(messaging.published(Topics.INSTANCE_EVENTS).isEmpty());
    }

    @Test
    public void aRedeliveredStartOfTheSameRunIsNotPlacedAgain() throws Exception {
        startAndWarmUp();
        twoNodes();
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
        place(startMessage("i-1", "job-i-1:1", "process"));
        place(startMessage("i-1", "job-i-1:1", "process"));
        event("i-1", 1L, "RUNNING", null, null);
        place(startMessage("i-1", "job-i-1:1", "process"));

        assertEquals(1, commands("a").size());
        assertEquals(1L, stored("i-1").get("generation"));
        assertEquals(1, slc.instance("i-1").orElseThrow().runs());
    }

    @Test
    public void aStartWhoseCommandDidNotGoOutIsPlacedAgainUnderANewGenerationAndToken() throws Exception {
        startAndWarmUp();
        twoNodes();
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
        messaging.failNext(Topics.nodeCommands("a"), 1);
        try {
            place(startMessage("i-1", "job-i-1:1", "process"));
            fail("the handler must fail so that the message is delivered again");
        } catch (Exception expected) {
            // redelivered by the consumer
        }
        assertEquals("stored before publishing", "STARTING", stored("i-1").getString("state"));
        assertEquals(Boolean.FALSE, stored("i-1").get("command_sent"));

        place(startMessage("i-1", "job-i-1:1", "process"));

        List<JsonNode> sent = commands("a");
        assertEquals(sent.toString(), 2, sent.size());
        assertEquals("stop", sent.get(0).path("op").asText());
        assertEquals("the possibly delivered generation is fenced off", 1, sent.get(0).path("generation").asLong());
        assertEquals("start", sent.get(1).path("op").asText());
        assertEquals(2, sent.get(1).path("generation").asLong());
        assertTrue(slc.authenticate("i-1", sent.get(1).path("token").asText()).isPresent());
        assertEquals("the same run counted once", 1, slc.instance("i-1").orElseThrow().runs());
    }

    @Test
    public void aNewRunOfAnActiveInstanceStopsTheOldGenerationFirst() throws Exception {
        startAndWarmUp();
        twoNodes();
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
        place(startMessage("i-1", "job-i-1:1", "process"));
        event("i-1", 1L, "RUNNING", null, null);
        heartbeat("a", 0.9, 0.9, 6, "process");
        place(startMessage("i-1", "job-i-1:2", "process"));

        JsonNode stop = commands("a").get(1);
        assertEquals("stop", stop.path("op").asText());
        assertEquals(1, stop.path("generation").asLong());
        JsonNode start = lastCommand("b").orElseThrow();
        assertEquals(2, start.path("generation").asLong());
        InstanceInfo info = slc.instance("i-1").orElseThrow();
        assertEquals("b", info.node());
        assertEquals(2, info.runs());
        assertNull("a new run has not started yet", info.startedAt());
    }

    @Test
    public void withNoNodeTheInstanceFailsWithAClearReasonStoredAndPublished() throws Exception {
        startAndWarmUp();
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
        place(startMessage("i-1", "job-i-1:1", "process"));

        InstanceInfo info = slc.instance("i-1").orElseThrow();
        assertEquals(InstanceState.FAILED, info.state());
        assertTrue(info.reason(), info.reason().startsWith("no node has sent a heartbeat"));
        assertNotNull(info.endedAt());
        JsonNode event = read(messaging.published(Topics.INSTANCE_EVENTS).get(0).value());
        assertEquals("FAILED", event.path("state").asText());
        assertEquals(info.reason(), event.path("reason").asText());
        assertEquals("job-i-1:1", event.path("run_id").asText());
        assertEquals(1, event.path("generation").asLong());
        assertEquals("server-lifecycle", event.path("source").asText());

        // our own event comes back through instance_events: applying it changes nothing visible
        slc.handleInstanceEvent(new org.iasplatform.api.messaging.Message(Topics.INSTANCE_EVENTS, "i-1",
                messaging.published(Topics.INSTANCE_EVENTS).get(0).value(), clock.millis(), 1, 1));
        assertEquals(info, slc.instance("i-1").orElseThrow());
    }

    @Test
    public void withNoNodeOfferingTheRuntimeTheReasonListsTheNodes() throws Exception {
        startAndWarmUp();
        heartbeat("a", 0.1, 0.1, 0, "bundle");
        heartbeat("old", 0.1, 0.1, 0, "docker");
        clock.advance(20_000);
        heartbeat("a", 0.1, 0.1, 0, "bundle");
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
        place(startMessage("i-1", "job-i-1:1", "docker"));

        String reason = slc.instance("i-1").orElseThrow().reason();
        assertEquals(InstanceState.FAILED, slc.instance("i-1").orElseThrow().state());
        assertTrue(reason, reason.contains("no node that is UP offers runtime \"docker\""));
        assertTrue(reason, reason.contains("a (UP, runtimes [bundle])"));
        assertTrue(reason, reason.contains("old (DOWN, runtimes [docker])"));
    }

    @Test
    public void withEveryKnownNodeSilentAStartWaitsForANodeInsteadOfFailing() throws Exception {
        startAndWarmUp();
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
        heartbeat("a", 0.1, 0.1, 0, "process");
        clock.advance(20_000); // no heartbeat reaches the platform, as while the broker restarts: a is DOWN
        ObjectNode start = startMessage("i-1", "job-i-1:1", "process");
        try {
            place(start);
            fail("placed or failed although no node is UP");
        } catch (IllegalStateException e) {
            // the consumer delivers the start again after a back-off
            assertTrue(e.getMessage(), e.getMessage().contains("no node is UP (a DOWN)"));
        }
        assertTrue("nothing stored as FAILED", slc.instance("i-1").map(i -> i.state() != InstanceState.FAILED).orElse(true));
        assertTrue(messaging.published(Topics.INSTANCE_EVENTS).isEmpty());

        heartbeat("a", 0.1, 0.1, 0, "process"); // the heartbeats come through again
        place(start);
        assertEquals(InstanceState.STARTING, slc.instance("i-1").orElseThrow().state());
        assertEquals("start", lastCommand("a").orElseThrow().path("op").asText());
    }

    @Test
    public void withNoStrategyTheInstanceFailsNamingTheTargetAndTheRegisteredStrategies() throws Exception {
        startAndWarmUp();
        twoNodes();
        slc.addStrategy(FEWEST, strategyProps("fewest-instances"));
        place(startMessage("i-1", "job-i-1:1", "process"));

        InstanceInfo info = slc.instance("i-1").orElseThrow();
        assertEquals(InstanceState.FAILED, info.state());
        assertTrue(info.reason(), info.reason().contains("no LoadBalancingStrategy matches (ias.strategy=least-load)"));
        assertTrue(info.reason(), info.reason().contains("[fewest-instances]"));
        assertNull(slc.strategy());
        assertTrue(commands("a").isEmpty() && commands("b").isEmpty());
    }

    @Test
    public void aStrategyChoosingNoneOrAStrangerFailsTheInstance() throws Exception {
        startAndWarmUp();
        twoNodes();
        slc.setStrategy((c, r) -> java.util.Optional.empty(), strategyProps("picky"));
        place(startMessage("i-1", "job-i-1:1", "process"));
        assertEquals("strategy picky chose none of the candidate nodes [a, b]", slc.instance("i-1").orElseThrow().reason());

        slc.setStrategy((c, r) -> java.util.Optional.of(new org.iasplatform.api.node.NodeStatus("x", "x",
                org.iasplatform.api.node.NodeState.UP, 0, 0, 0, List.of("process"), 0, 0)), strategyProps("odd"));
        place(startMessage("i-2", "job-i-2:1", "process"));
        assertTrue(slc.instance("i-2").orElseThrow().reason().contains("chose node x, which is not among"));
    }

    @Test
    public void whileTheNodeTableWarmsUpAStartWithoutCandidatesIsRetriedNotFailed() throws Exception {
        slc.start();
        Poll.until("following heartbeats", WAIT, slc::isFollowingHeartbeats);
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
        try {
            place(startMessage("i-1", "job-i-1:1", "process"));
            fail("expected a retry");
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage().contains("trying again"));
        }
        assertNull(stored("i-1"));
        heartbeat("a", 0.1, 0.1, 0, "process");
        place(startMessage("i-1", "job-i-1:1", "process"));
        assertEquals("a", slc.instance("i-1").orElseThrow().node());
    }

    @Test
    public void aStopOfAnActiveInstanceGoesToItsNodeWithItsGenerationAndItStopsWhenTheNodeSaysSo() throws Exception {
        startAndWarmUp();
        twoNodes();
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
        place(startMessage("i-1", "job-i-1:1", "process"));
        String token = lastCommand("a").orElseThrow().path("token").asText();
        event("i-1", 1L, "RUNNING", null, null);

        place(stopMessage("i-1", "job-i-1:1", "stopped"));

        JsonNode stop = lastCommand("a").orElseThrow();
        assertEquals("stop", stop.path("op").asText());
        assertEquals("i-1", stop.path("instance_id").asText());
        assertEquals(1, stop.path("generation").asLong());
        assertEquals("stopped", stop.path("reason").asText());
        assertEquals("still running until the node reports", InstanceState.RUNNING,
                slc.instance("i-1").orElseThrow().state());

        clock.advance(500);
        event("i-1", 1L, "STOPPED", 0, "stopped by request");
        InstanceInfo info = slc.instance("i-1").orElseThrow();
        assertEquals(InstanceState.STOPPED, info.state());
        assertEquals(Integer.valueOf(0), info.exitCode());
        assertEquals(clock.instant(), info.endedAt());
        assertTrue(slc.authenticate("i-1", token).isEmpty());
    }

    @Test
    public void aStopOfAnInstanceThatIsNotRunningStopsItAtOnceAndALateScheduledDoesNotReviveIt() throws Exception {
        scheduled("i-1");
        place(stopMessage("i-1", "", "stopped"));

        InstanceInfo info = slc.instance("i-1").orElseThrow();
        assertEquals(InstanceState.STOPPED, info.state());
        assertEquals("stopped by request", info.reason());
        assertTrue(messaging.published().isEmpty());

        scheduled("i-1"); // e.g. redelivered
        assertEquals(InstanceState.STOPPED, slc.instance("i-1").orElseThrow().state());

        place(stopMessage("unknown", "", "stopped"));
        assertEquals(InstanceState.STOPPED, slc.instance("unknown").orElseThrow().state());
    }

    @Test
    public void anEndTimeStopOfAnEarlierRunIsIgnored() throws Exception {
        startAndWarmUp();
        twoNodes();
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
        place(startMessage("i-1", "job-i-1:2", "process"));
        int before = commands("a").size();

        place(stopMessage("i-1", "job-i-1:1", "end_time"));

        assertEquals(before, commands("a").size());
        assertEquals(InstanceState.STARTING, slc.instance("i-1").orElseThrow().state());
    }

    @Test
    public void aFailedInstanceStaysFailedWhenItsJobIsStopped() throws Exception {
        event("i-1", null, "FAILED", null, "application 2 version 3 is no longer in the app repository");
        place(stopMessage("i-1", "", "stopped"));
        InstanceInfo info = slc.instance("i-1").orElseThrow();
        assertEquals(InstanceState.FAILED, info.state());
        assertNotEquals("stopped by request", info.reason());
    }
}
