package org.iasplatform.lifecycle.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.bson.Document;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Topics;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The restart policy: a crashed instance (FAILED without "interrupted") is RESTARTING, placed again through the strategy
 * once its back-off has passed (doubling, capped), FAILED with its last log lines after too many failures within the
 * window; per-deployment overrides; exit 0 and stops. Time is the test's clock; the sweep is called by the test.
 */
public class CrashRestartTest extends LifecycleTestBase {
    /** Node a's agent started a minute before the test's start. */
    private static final long E1 = T0 - 60_000;

    /** A started component with the defaults, {@code overrides}, and the sweep left to the test. */
    private void started(Map<String, Object> overrides) {
        slc.stop();
        Map<String, Object> config = new HashMap<>(Map.of("sweep__period__ms", 3_600_000L));
        config.putAll(overrides);
        slc = newComponent(config);
        startAndWarmUp();
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
    }

    /** Places {@code start} on node a (the only node, or the least loaded one) and reports it RUNNING. */
    private JsonNode runningOnA(ObjectNode start) throws Exception {
        String id = start.path("instance_id").asText();
        heartbeat("a", E1, 0.1, 0.1, 0, "process");
        place(start);
        JsonNode command = lastCommand("a").orElseThrow();
        assertEquals(id, command.path("instance_id").asText());
        clock.advance(100);
        event(id, generation(id), "RUNNING", null, null);
        return command;
    }

    private JsonNode runningOnA(String id) throws Exception {
        return runningOnA(startMessage(id, "job-" + id + ":1", "process"));
    }

    /** The node running it reports that it exited with {@code exitCode} (as the node agent does, without "interrupted"). */
    private Message crash(String id, int exitCode) throws Exception {
        return event(id, generation(id), "FAILED", exitCode, "exit " + exitCode);
    }

    private long generation(String id) {
        return ((Number) stored(id).get("generation")).longValue();
    }

    private InstanceInfo info(String id) {
        return slc.instance(id).orElseThrow();
    }

    private Document interruption(String id) {
        return (Document) stored(id).get(InstanceStore.INTERRUPTION);
    }

    /** The back-off stored for a crashed instance: not_before - at. */
    private long backoff(String id) {
        Document i = interruption(id);
        return ((Date) i.get("not_before")).getTime() - ((Date) i.get("at")).getTime();
    }

    private List<String> sent(String node) {
        return commands(node).stream().map(c -> c.path("op").asText() + "/" + c.path("instance_id").asText() + "/"
                + c.path("generation").asLong()).toList();
    }

    @Test
    public void aCrashIsRestartingAndPlacedAgainThroughTheStrategyOnceItsBackOffHasPassed() throws Exception {
        started(Map.of()); // defaults: back-off from 1 s, FAILED at 5 failures within 300 s
        JsonNode first = runningOnA("i-1");
        heartbeat("a", E1, 0.9, 0.9, 1, "process"); // a is busy now; b is the least loaded node
        heartbeat("b", 42, 0.05, 0.05, 0, "process");
        clock.advance(100);
        long crashedAt = clock.millis();
        crash("i-1", 3);

        InstanceInfo restarting = info("i-1");
        assertEquals(InstanceState.RESTARTING, restarting.state());
        assertEquals("crashed on node a: exit 3; restarting in 1 s (failure 1 within 300 s; FAILED at 5)",
                restarting.reason());
        assertEquals(Integer.valueOf(3), restarting.exitCode());
        assertEquals("counted when it is placed again", 0, restarting.restarts());
        assertNull("it did not end", restarting.endedAt());
        assertTrue("nothing runs with the old token", slc.authenticate("i-1", first.path("token").asText()).isEmpty());
        assertEquals(InstanceStore.CAUSE_CRASH, interruption("i-1").getString("cause"));
        assertEquals(new Date(crashedAt + 1000), interruption("i-1").get("not_before"));
        assertEquals(List.of(crashedAt), stored("i-1").get(RestartPolicy.FAILURES));
        assertEquals("waiting, it counts on no node", Map.of(),
                new InstanceStore(instancesCollection()).activeCountsByNode());

        slc.sweepRestarts();
        clock.advance(999);
        heartbeat("b", 42, 0.05, 0.05, 0, "process");
        slc.sweepRestarts();
        assertEquals("still backing off", InstanceState.RESTARTING, info("i-1").state());
        assertTrue(commands("b").isEmpty());

        List<String> seenAtPublish = new CopyOnWriteArrayList<>();
        messaging.onPublish(p -> {
            if (p.topic().equals(Topics.nodeCommands("b"))) {
                Document atThatMoment = stored("i-1");
                seenAtPublish.add(atThatMoment.getString("state") + "/" + atThatMoment.get("generation") + "/"
                        + Tokens.sha256Hex(read(p.value()).path("token").asText())
                                .equals(atThatMoment.getString("token_sha256")));
            }
        });
        clock.advance(1);
        slc.sweepRestarts();

        assertEquals("stored before published", List.of("STARTING/2/true"), seenAtPublish);
        JsonNode again = lastCommand("b").orElseThrow();
        assertEquals("start", again.path("op").asText());
        assertEquals(2, again.path("generation").asLong());
        assertEquals(42, again.path("node_epoch").asLong());
        assertEquals("job-i-1:1", again.path("run_id").asText());
        assertEquals("the stored launch", first.path("launch"), again.path("launch"));
        assertEquals("the stored sensors", first.path("sensors"), again.path("sensors"));
        assertEquals("the stored sensor types", first.path("sensor_types"), again.path("sensor_types"));
        assertNotEquals(first.path("token").asText(), again.path("token").asText());
        assertEquals("a reported the crash: nothing to stop there", List.of("start/i-1/1"), sent("a"));

        InstanceInfo placed = info("i-1");
        assertEquals(InstanceState.STARTING, placed.state());
        assertEquals("b", placed.node());
        assertEquals(1, placed.restarts());
        assertEquals("the same run", 1, placed.runs());
        assertNull(placed.exitCode());
        assertEquals("placed on node b by strategy least-load (restarted after a crash on node a)", placed.reason());
        assertTrue(slc.authenticate("i-1", again.path("token").asText()).isPresent());

        clock.advance(100);
        event("i-1", 2L, "RUNNING", null, null);
        slc.sweepRestarts();
        assertEquals(InstanceState.RUNNING, info("i-1").state());
        assertEquals(1, commands("b").size());
    }

    @Test
    public void theBackOffDoublesWithEveryFailureWithinTheWindowUpToItsCap() throws Exception {
        started(Map.of("restart__backoff__initial__ms", 1000L, "restart__backoff__max__ms", 5000L,
                "restart__max__failures", 10));
        runningOnA("i-1");
        List<Long> waits = new ArrayList<>();
        for (int failure = 1; failure <= 5; failure++) {
            clock.advance(100);
            crash("i-1", 1);
            long wait = backoff("i-1");
            waits.add(wait);
            if (failure == 3) {
                assertEquals("crashed on node a: exit 1; restarting in 4 s (failure 3 within 300 s; FAILED at 10)",
                        info("i-1").reason());
            }
            clock.advance(wait - 1);
            heartbeat("a", E1, 0.1, 0.1, 0, "process");
            slc.sweepRestarts();
            assertEquals("failure " + failure + ": not before its back-off", InstanceState.RESTARTING,
                    info("i-1").state());
            clock.advance(1);
            slc.sweepRestarts();
            assertEquals(InstanceState.STARTING, info("i-1").state());
            assertEquals(failure + 1, generation("i-1"));
            clock.advance(10);
            event("i-1", generation("i-1"), "RUNNING", null, null);
        }
        assertEquals(List.of(1000L, 2000L, 4000L, 5000L, 5000L), waits);
        assertEquals(5, info("i-1").restarts());
        assertEquals(InstanceState.RUNNING, info("i-1").state());
    }

    @Test
    public void atMaxFailuresWithinTheWindowItIsFailedWithTheLastLinesOfItsLog() throws Exception {
        started(Map.of("restart__max__failures", 3, "restart__window__seconds", 60L, "restart__backoff__initial__ms",
                100L));
        runningOnA("i-1");
        List<Message> log = new ArrayList<>();
        for (int n = 1; n <= 25; n++) {
            ObjectNode line = mapper.createObjectNode().put("instance_id", "i-1").put("timestamp", T0 + n)
                    .put("stream", n == 25 ? "platform" : "stderr").put("line", "line " + n);
            log.add(new Message(Topics.instanceLog("i-1"), "i-1", line.toString(), T0 + n, 0, n));
        }
        messaging.retain(Topics.instanceLog("i-1"), log);

        for (int failure = 1; failure <= 2; failure++) {
            clock.advance(100);
            crash("i-1", 1);
            assertEquals(InstanceState.RESTARTING, info("i-1").state());
            clock.advance(backoff("i-1"));
            slc.sweepRestarts();
            event("i-1", generation("i-1"), "RUNNING", null, null);
        }
        clock.advance(100);
        crash("i-1", 1);

        InstanceInfo failed = info("i-1");
        assertEquals(InstanceState.FAILED, failed.state());
        StringBuilder lines = new StringBuilder();
        for (int n = 6; n <= 24; n++) {
            lines.append("stderr: line ").append(n).append(" | ");
        }
        lines.append("platform: line 25");
        assertEquals("crashed on node a: exit 1; not restarted again: 3 failures within 60 s (restart policy: at most 3 "
                + "failures within 60 s); last log lines: " + lines, failed.reason());
        assertEquals(Integer.valueOf(1), failed.exitCode());
        assertEquals(clock.instant(), failed.endedAt());
        assertEquals(2, failed.restarts());
        assertEquals("the last 20 lines were asked for", 20, messaging.lastLatestCount());
        Document doc = stored("i-1");
        assertEquals(20, ((List<?>) doc.get(InstanceStore.LAST_LOG)).size());
        assertEquals("stderr: line 6", ((List<?>) doc.get(InstanceStore.LAST_LOG)).get(0));
        assertEquals(Boolean.TRUE, doc.get("gave_up"));
        assertNull(doc.get(InstanceStore.LAST_LOG_PENDING));
        assertNull(doc.get(InstanceStore.INTERRUPTION));
        assertNull(doc.get("token_sha256"));
        assertEquals("the listing shows the same", failed.reason(), slc.instances().get(0).reason());

        int before = commands("a").size();
        clock.advance(60_000);
        heartbeat("a", E1, 0.1, 0.1, 0, "process");
        slc.sweepRestarts();
        crash("i-1", 1); // the node repeats its last event (e.g. a redelivered command): the end is kept
        assertEquals(failed.reason(), info("i-1").reason());
        assertEquals("never started again", before, commands("a").size());
    }

    @Test
    public void aLogThatCannotBeReadLeavesItFailedSayingSo() throws Exception {
        started(Map.of("restart__max__failures", 1));
        runningOnA("i-1");
        messaging.failLatest(new MessagingException("broker unreachable (test)", null));
        clock.advance(100);
        crash("i-1", 2);
        InstanceInfo failed = info("i-1");
        assertEquals(InstanceState.FAILED, failed.state());
        assertTrue(failed.reason(), failed.reason().endsWith("; last log lines: (the last lines of its log could not be "
                + "read: broker unreachable (test))"));
    }

    @Test
    public void failuresOlderThanTheWindowAreForgotten() throws Exception {
        started(Map.of("restart__max__failures", 2, "restart__window__seconds", 10L, "restart__backoff__initial__ms",
                100L));
        runningOnA("i-1");
        clock.advance(100);
        crash("i-1", 1);
        clock.advance(100);
        slc.sweepRestarts();
        event("i-1", 2L, "RUNNING", null, null);

        clock.advance(10_000); // it ran well for a while: the first failure is out of the window
        heartbeat("a", E1, 0.1, 0.1, 0, "process");
        crash("i-1", 1);
        assertEquals(InstanceState.RESTARTING, info("i-1").state());
        assertEquals("crashed on node a: exit 1; restarting in 0.1 s (failure 1 within 10 s; FAILED at 2)",
                info("i-1").reason());
        assertEquals(1, ((List<?>) stored("i-1").get(RestartPolicy.FAILURES)).size());
    }

    @Test
    public void aDeploymentsRestartPolicyOverridesTheConfiguredOne() throws Exception {
        started(Map.of()); // 5 failures within 300 s, back-off from 1 s
        ObjectNode strict = startMessage("i-1", "job-i-1:1", "process");
        ((ObjectNode) strict.path("deploy")).putObject("restart_policy").put("max_failures", 2)
                .put("window_seconds", 30).put("backoff_initial_ms", 250).put("backoff_max_ms", 250);
        runningOnA(strict);
        runningOnA("i-2");
        assertEquals(new Document("max_failures", 2).append("window_seconds", 30).append("backoff_initial_ms", 250)
                .append("backoff_max_ms", 250), stored("i-1").get(RestartPolicy.FIELD));
        assertNull(stored("i-2").get(RestartPolicy.FIELD));

        clock.advance(100);
        crash("i-1", 1);
        crash("i-2", 1);
        assertEquals("crashed on node a: exit 1; restarting in 0.25 s (failure 1 within 30 s; FAILED at 2)",
                info("i-1").reason());
        assertEquals("crashed on node a: exit 1; restarting in 1 s (failure 1 within 300 s; FAILED at 5)",
                info("i-2").reason());

        clock.advance(250);
        slc.sweepRestarts();
        assertEquals(InstanceState.STARTING, info("i-1").state());
        assertEquals(InstanceState.RESTARTING, info("i-2").state());
        event("i-1", 2L, "RUNNING", null, null);
        clock.advance(100);
        crash("i-1", 1);
        assertEquals(InstanceState.FAILED, info("i-1").state());
        assertTrue(info("i-1").reason(), info("i-1").reason().startsWith("crashed on node a: exit 1; not restarted "
                + "again: 2 failures within 30 s (restart policy: at most 2 failures within 30 s)"));
    }

    @Test
    public void anExitWithCodeZeroIsAnEndAndNeverRestarted() throws Exception {
        started(Map.of());
        runningOnA("i-1");
        runningOnA("i-2");
        clock.advance(100);
        event("i-1", 1L, "STOPPED", 0, "exit 0");
        event("i-2", 1L, "FAILED", 0, "exit 0"); // whatever the node called it: code 0 is no crash
        clock.advance(120_000);
        heartbeat("a", E1, 0.1, 0.1, 0, "process");
        slc.sweepRestarts();

        assertEquals(InstanceState.STOPPED, info("i-1").state());
        assertEquals("exit 0", info("i-1").reason());
        assertEquals(Integer.valueOf(0), info("i-1").exitCode());
        assertEquals(InstanceState.FAILED, info("i-2").state());
        for (String id : List.of("i-1", "i-2")) {
            assertEquals(0, info(id).restarts());
            assertNull(stored(id).get(RestartPolicy.FAILURES));
        }
        assertEquals(List.of("start/i-1/1", "start/i-2/1"), sent("a"));
    }

    @Test
    public void aStopCancelsAPendingRestart() throws Exception {
        started(Map.of());
        runningOnA("i-1");
        clock.advance(100);
        Message crash = crash("i-1", 137);
        assertEquals(InstanceState.RESTARTING, info("i-1").state());
        messaging.clear();

        place(stopMessage("i-1", "job-i-1:1", "stopped"));
        InstanceInfo stopped = info("i-1");
        assertEquals(InstanceState.STOPPED, stopped.state());
        assertEquals("stopped by request", stopped.reason());
        assertEquals(clock.instant(), stopped.endedAt());
        assertTrue("the node reported its end: nothing to tell it", messaging.published().isEmpty());

        clock.advance(5_000);
        heartbeat("a", E1, 0.1, 0.1, 0, "process");
        slc.sweepRestarts();
        slc.handleInstanceEvent(crash); // redelivered
        crash("i-1", 137); // repeated by the node
        slc.sweepRestarts();
        assertEquals(InstanceState.STOPPED, info("i-1").state());
        assertEquals(0, info("i-1").restarts());
        assertTrue(messaging.published().toString(), messaging.published().isEmpty());
    }

    @Test
    public void aCrashAfterAStopWasRequestedEndsIt() throws Exception {
        started(Map.of());
        runningOnA("i-1");
        place(stopMessage("i-1", "job-i-1:1", "stopped"));
        clock.advance(100);
        crash("i-1", 1); // it crashed before the node got to the stop
        assertEquals(InstanceState.FAILED, info("i-1").state());
        assertEquals("exit 1", info("i-1").reason());
        clock.advance(120_000);
        heartbeat("a", E1, 0.1, 0.1, 0, "process");
        slc.sweepRestarts();
        assertEquals(List.of("start/i-1/1", "stop/i-1/1"), sent("a"));
    }

    @Test
    public void aRepeatedCrashReportCountsOnce() throws Exception {
        started(Map.of());
        runningOnA("i-1");
        clock.advance(100);
        Message first = crash("i-1", 1);
        String reason = info("i-1").reason();
        slc.handleInstanceEvent(first); // redelivered
        clock.advance(100);
        crash("i-1", 1); // the same report again, at a new offset
        assertEquals(reason, info("i-1").reason());
        assertEquals(1, ((List<?>) stored("i-1").get(RestartPolicy.FAILURES)).size());
    }

    @Test
    public void aPendingRestartSurvivesAPlatformRestart() throws Exception {
        Map<String, Object> config = Map.of("sweep__period__ms", 3_600_000L);
        started(Map.of());
        runningOnA("i-1");
        clock.advance(100);
        crash("i-1", 1);

        slc.stop(); // the platform stops during the back-off
        clock.advance(5_000);
        slc = newComponent(config);
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
        startAndWarmUp();
        heartbeat("a", E1, 0.1, 0.1, 0, "process");
        slc.sweepRestarts();

        assertEquals(InstanceState.STARTING, info("i-1").state());
        assertEquals(2L, generation("i-1"));
        assertEquals(1, info("i-1").restarts());
        assertEquals(List.of("start/i-1/1", "start/i-1/2"), sent("a"));
    }

    @Test
    public void thePolicyDoublesCapsAndTakesOnlyUsableOverrides() {
        RestartPolicy policy = new RestartPolicy(5, 300_000, 1000, 5000);
        assertEquals(List.of(1000L, 2000L, 4000L, 5000L, 5000L), List.of(policy.backoffMs(1), policy.backoffMs(2),
                policy.backoffMs(3), policy.backoffMs(4), policy.backoffMs(5)));
        RestartPolicy huge = new RestartPolicy(5, 1, Long.MAX_VALUE / 3, Long.MAX_VALUE);
        assertEquals(Long.MAX_VALUE, huge.backoffMs(64));
        assertEquals(0, new RestartPolicy(5, 1, 0, 0).backoffMs(3));
        assertEquals("the cap is at least the first back-off", 3000, new RestartPolicy(5, 1, 3000, 10).backoffMs(4));

        assertEquals(policy, policy.overriddenBy(null));
        assertEquals(new RestartPolicy(2, 300_000, 1000, 5000), policy.overriddenBy(new Document("max_failures", 2)
                .append("window_seconds", "a while").append("backoff_initial_ms", -5).append("backoff_max_ms", 1.5)));
        assertEquals(new RestartPolicy(5, 20_000, 0, 10_000L), policy.overriddenBy(new Document("max_failures", 0)
                .append("window_seconds", 20.0).append("backoff_initial_ms", 0).append("backoff_max_ms", 10_000L)));
        assertFalse(policy.describe().isEmpty());
    }
}
