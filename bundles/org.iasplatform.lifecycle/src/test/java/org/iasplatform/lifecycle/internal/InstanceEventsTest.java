package org.iasplatform.lifecycle.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.messaging.Message;
import org.junit.Test;

/** Instance records from {@code instance_events}: creation, generations, restarts, ends, redelivery. */
public class InstanceEventsTest extends LifecycleTestBase {

    private void placeOnNodeA(String instanceId, String runId) throws Exception {
        place(startMessage(instanceId, runId, "process"));
    }

    private void withNode() {
        startAndWarmUp();
        heartbeat("a", 0.1, 0.1, 0, "process");
        slc.setStrategy(LEAST_LOAD, strategyProps("least-load"));
    }

    @Test
    public void theSchedulersScheduledCreatesTheRecordWithJobAppAlgorithmAndSensors() throws Exception {
        scheduled("i-1");

        InstanceInfo info = slc.instance("i-1").orElseThrow();
        assertEquals(InstanceState.SCHEDULED, info.state());
        assertEquals("job-i-1", info.jobId());
        assertEquals("Bus_management", info.applicationName());
        assertEquals("lightControl", info.algorithmName());
        assertEquals(1, info.sensors().size());
        assertEquals("si-1", info.sensors().get(0).sensorInstanceId());
        assertEquals("gps-sensor", info.sensors().get(0).sensorType());
        assertEquals(0, info.runs());
        assertNull(info.node());
        assertEquals(List.of(info), slc.instances());
    }

    @Test
    public void instancesAreListedNewestFirst() throws Exception {
        scheduled("i-old");
        clock.advance(1000);
        scheduled("i-new");
        assertEquals(List.of("i-new", "i-old"), slc.instances().stream().map(InstanceInfo::instanceId).toList());
    }

    @Test
    public void runningSetsStartedAtOnceRestartingCountsAndTheEndIsRecorded() throws Exception {
        slc.stop();
        slc = newComponent(Map.of("restart__max__failures", 1)); // a crash ends it at once (no restart by the platform)
        withNode();
        scheduled("i-1");
        placeOnNodeA("i-1", "job-i-1:1");
        assertEquals(InstanceState.STARTING, slc.instance("i-1").orElseThrow().state());

        clock.advance(100);
        Instant runningAt = clock.instant();
        event("i-1", 1L, "RUNNING", null, null);
        clock.advance(100);
        Message restart = event("i-1", 1L, "RESTARTING", null, "exit 1; restarting in 1 s");
        slc.handleInstanceEvent(restart); // redelivered: counted once
        clock.advance(100);
        event("i-1", 1L, "RUNNING", null, null);

        InstanceInfo running = slc.instance("i-1").orElseThrow();
        assertEquals(InstanceState.RUNNING, running.state());
        assertEquals(1, running.restarts());
        assertEquals("the run's start, not the restart's", runningAt, running.startedAt());
        assertEquals("a", running.node());

        clock.advance(100);
        event("i-1", 1L, "FAILED", 3, "exit 3 (gave up after 3 restarts)");
        InstanceInfo failed = slc.instance("i-1").orElseThrow();
        assertEquals(InstanceState.FAILED, failed.state());
        assertEquals(Integer.valueOf(3), failed.exitCode());
        assertEquals(clock.instant(), failed.endedAt());
        assertEquals("crashed on node a: exit 3 (gave up after 3 restarts); not restarted again: 1 failure within "
                + "300 s (restart policy: at most 1 failure within 300 s)", failed.reason());
        assertEquals(runningAt, failed.startedAt());
    }

    @Test
    public void eventsOfAnOlderGenerationAreIgnored() throws Exception {
        withNode();
        placeOnNodeA("i-1", "job-i-1:1");
        event("i-1", 1L, "RUNNING", null, null);
        placeOnNodeA("i-1", "job-i-1:2"); // generation 2
        assertEquals(2L, stored("i-1").get("generation"));

        event("i-1", 1L, "STOPPED", 143, "stopped: superseded"); // the old run's end arrives late
        event("i-1", 1L, "RESTARTING", null, null);

        InstanceInfo info = slc.instance("i-1").orElseThrow();
        assertEquals(InstanceState.STARTING, info.state());
        assertEquals(0, info.restarts());
        assertNull(info.exitCode());

        event("i-1", 2L, "RUNNING", null, null);
        assertEquals(InstanceState.RUNNING, slc.instance("i-1").orElseThrow().state());
    }

    @Test
    public void aPipelineFailureWithoutGenerationAppliesUnlessARunIsActive() throws Exception {
        scheduled("i-1");
        event("i-1", null, "FAILED", null, "application 2 version 3 is no longer in the app repository");
        InstanceInfo failed = slc.instance("i-1").orElseThrow();
        assertEquals(InstanceState.FAILED, failed.state());
        assertTrue(failed.reason().contains("no longer in the app repository"));

        withNode();
        placeOnNodeA("i-2", "job-i-2:1");
        event("i-2", 1L, "RUNNING", null, null);
        event("i-2", null, "FAILED", null, "the next run cannot be launched");
        assertEquals(InstanceState.RUNNING, slc.instance("i-2").orElseThrow().state());
    }

    @Test
    public void aRedeliveredScheduledDoesNotResetAPlacedInstance() throws Exception {
        withNode();
        Message accepted = scheduled("i-1");
        placeOnNodeA("i-1", "job-i-1:1");
        event("i-1", 1L, "RUNNING", null, null);
        event("i-1", 1L, "STOPPED", 0, "exited");

        slc.handleInstanceEvent(accepted); // an old offset: seen before
        scheduled("i-1"); // a new SCHEDULED for a placed instance: fills fields, keeps the state
        assertEquals(InstanceState.STOPPED, slc.instance("i-1").orElseThrow().state());
    }

    @Test
    public void unreadableOrUnknownEventsChangeNothing() throws Exception {
        slc.handleInstanceEvent(new Message("instance_events", "i-9", "nope", 1, 0, 1));
        slc.handleInstanceEvent(new Message("instance_events", "i-9", "{\"instance_id\":\"i-9\",\"state\":\"EXPLODED\"}",
                1, 0, 2));
        assertTrue(slc.instances().isEmpty());
    }
}
