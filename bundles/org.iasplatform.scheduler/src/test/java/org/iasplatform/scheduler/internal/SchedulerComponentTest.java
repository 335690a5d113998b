package org.iasplatform.scheduler.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.bson.Document;
import org.iasplatform.api.deploy.DeploymentInfo;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.testsupport.EmbeddedMongoResource;
import org.iasplatform.testsupport.RecordingMessaging;
import org.iasplatform.testsupport.RecordingMessaging.Published;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;

/**
 * The scheduler component against a real MongoDB-wire store (EmbeddedMongo) and its real Quartz timer; requests are
 * delivered straight to its subscribed handler and what it publishes is recorded. Clocks are test clocks except where
 * wall time is the point (an ISO start a few hundred ms ahead); due events are awaited with a deadline.
 */
public class SchedulerComponentTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Kolkata");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final String INSTANCE = "665f1c2b9d3e4a5b6c7d8e9f";

    /** One store for the class (starting one takes half a second); each test starts from an empty collection. */
    @ClassRule
    public static final EmbeddedMongoResource MONGO = new EmbeddedMongoResource();

    private MongoCollection<Document> jobs;
    private RecordingMessaging messaging;
    private FakeInstances instances;
    private final List<SchedulerComponent> components = new ArrayList<>();

    @Before
    public void setUp() {
        jobs = MONGO.freshDatabase("scheduler_logs").getCollection("deploy_configs");
        messaging = new RecordingMessaging();
        instances = new FakeInstances();
    }

    @After
    public void tearDown() {
        components.forEach(SchedulerComponent::deactivate);
        assertEquals("publish checks", List.of(), messaging.hookFailures());
    }

    // ------------------------------------------------------------ start

    @Test
    public void aStartIsStoredAnnouncedAsScheduledAndAnswered() throws Exception {
        TestClock clock = clock("2025-06-02T09:00");
        SchedulerComponent scheduler = component(clock);
        assertEquals(List.of("scheduler [sensor_binder_to_scheduler]"),
                messaging.subscriptions().stream().map(s -> s.group() + " " + s.topics()).toList());

        deliverStart("job-a", "r-1", once("10:00", "12:00"), clock);

        Document job = jobs.find(Filters.eq("_id", "job-a")).first();
        assertNotNull(job);
        assertEquals(INSTANCE, job.getString("instance_id"));
        assertEquals("ACTIVE", job.getString("state"));
        assertEquals(date("2025-06-02T10:00"), job.getDate("next_run"));
        assertNull(job.get("window_end"));
        assertEquals(List.of(), job.getList("runs", Document.class));
        assertEquals(date("2025-06-02T09:00"), job.getDate("created_at"));
        assertEquals("Bus_management", job.get("deploy", Document.class).getString("application_name"));
        assertEquals("10:00", job.get("deploy", Document.class).get("scheduling_info", Document.class)
                .getString("start_time"));
        assertEquals("app-1", job.get("app", Document.class).getString("application_id"));
        assertEquals("si-0123456789abcdef", job.getList("sensors", Document.class).get(0).getString("sensor_instance_id"));

        JsonNode scheduled = only(Topics.INSTANCE_EVENTS).json();
        assertEquals(INSTANCE, only(Topics.INSTANCE_EVENTS).key());
        assertEquals("SCHEDULED", scheduled.path("state").asText());
        assertEquals(INSTANCE, scheduled.path("instance_id").asText());
        assertEquals("job-a", scheduled.path("job_id").asText());
        assertEquals("Bus_management", scheduled.path("application_name").asText());
        assertEquals("fareCalculator", scheduled.path("algorithm_name").asText());
        assertEquals("gps-sensor", scheduled.path("sensors").path(0).path("sensor_type").asText());
        assertTrue(scheduled.has("generation") && scheduled.has("run_id") && scheduled.has("exit_code")
                && scheduled.has("node") && scheduled.has("reason") && scheduled.has("timestamp"));

        Published answer = only(Topics.DEPLOYMENT_EVENTS);
        assertEquals("r-1", answer.key());
        JsonNode event = answer.json();
        assertEquals("r-1", event.path("request_id").asText());
        assertEquals("job-a", event.path("job_id").asText());
        assertEquals("scheduler", event.path("source").asText());
        assertEquals("ok", event.path("status").asText());
        assertEquals(INSTANCE, event.path("instance_id").asText());
        assertEquals("SCHEDULED", event.path("state").asText());
        assertEquals(t("2025-06-02T10:00").toString(), event.path("next_run").asText());
        assertEquals(0, event.path("errors").size());

        assertEquals(List.of(), messaging.published(Topics.SCHEDULER_TO_DEPLOYER));
        assertEquals(t("2025-06-02T10:00"), scheduler.engine().timerAt("job-a").orElseThrow());

        DeploymentInfo info = scheduler.deployment("job-a").orElseThrow();
        assertEquals("ACTIVE", info.state());
        assertEquals(INSTANCE, info.instanceId());
        assertEquals("Bus_management", info.applicationName());
        assertEquals("fareCalculator", info.algorithmName());
        assertEquals(t("2025-06-02T10:00"), info.nextRun());
        assertEquals(t("2025-06-02T09:00"), info.createdAt());
        assertEquals("10:00", info.schedulingInfo().path("start_time").asText());
        assertTrue(scheduler.deployment("job-unknown").isEmpty());
    }

    @Test
    public void aRedeliveredStartChangesNothing() throws Exception {
        TestClock clock = clock("2025-06-02T09:00");
        SchedulerComponent scheduler = component(clock);
        deliverStart("job-a", "r-1", repeat("10:00", "12:00", "", ""), clock);
        Document first = jobs.find(Filters.eq("_id", "job-a")).first();

        clock.set(t("2025-06-02T09:07")); // later: a fresh plan would differ in created_at
        deliverStart("job-a", "r-1", repeat("10:00", "12:00", "", ""), clock);

        assertEquals(1, jobs.countDocuments());
        Document again = jobs.find(Filters.eq("_id", "job-a")).first();
        assertEquals(first.getDate("created_at"), again.getDate("created_at"));
        assertEquals(first.getDate("next_run"), again.getDate("next_run"));
        assertEquals(first.get("version"), again.get("version"));
        List<Published> answers = messaging.published(Topics.DEPLOYMENT_EVENTS);
        assertEquals(2, answers.size());
        assertEquals(answers.get(0).json(), answers.get(1).json());
        assertEquals(1, scheduler.deployments().size());
    }

    @Test
    public void aRedeliveredStartOfAJobThatRanDoesNotAnnounceScheduledAgain() throws Exception {
        TestClock clock = clock("2025-06-02T09:00");
        component(clock);
        deliverStart("job-a", "r-1", repeat("", "", "", "30"), clock);
        awaitPublished(Topics.SCHEDULER_TO_DEPLOYER, 1);
        deliverStart("job-a", "r-1", repeat("", "", "", "30"), clock);
        assertEquals(1, messaging.published(Topics.INSTANCE_EVENTS).size());
        assertEquals(1, messaging.published(Topics.SCHEDULER_TO_DEPLOYER).size());
        assertEquals(2, messaging.published(Topics.DEPLOYMENT_EVENTS).size());
    }

    @Test
    public void anInvalidScheduleIsRefusedAndNothingIsStored() throws Exception {
        TestClock clock = clock("2025-06-02T09:00");
        component(clock);
        deliverStart("job-bad", "r-bad", once("25:99", ""), clock);
        deliverStart("job-over", "r-over", once("", "2025-06-01T00:00:00Z"), clock);

        assertEquals(0, jobs.countDocuments());
        List<Published> answers = messaging.published(Topics.DEPLOYMENT_EVENTS);
        assertEquals(2, answers.size());
        assertEquals("unprocessable", answers.get(0).json().path("status").asText());
        assertEquals("/scheduling_info/start_time", answers.get(0).json().path("errors").path(0).path("path").asText());
        assertEquals("unprocessable", answers.get(1).json().path("status").asText());
        assertEquals("/scheduling_info/end_time", answers.get(1).json().path("errors").path(0).path("path").asText());
        assertEquals(List.of(), messaging.published(Topics.INSTANCE_EVENTS));
        assertEquals(List.of(), messaging.published(Topics.SCHEDULER_TO_DEPLOYER));
    }

    @Test
    public void malformedRequestsAreSkipped() throws Exception {
        TestClock clock = clock("2025-06-02T09:00");
        component(clock);
        deliver("job-x", "not json", 1);
        deliver("job-x", "{\"op\":\"dance\",\"job_id\":\"job-x\"}", 2);
        deliver(null, "{\"op\":\"start\"}", 3);
        assertEquals(List.of(), messaging.published());
        assertEquals(0, jobs.countDocuments());
    }

    // ------------------------------------------------------------ runs

    @Test
    public void aRunDueNowIsStoredBeforeItIsPublished() throws Exception {
        TestClock clock = clock("2025-06-02T09:00");
        SchedulerComponent scheduler = component(clock);
        messaging.onPublish(p -> {
            if (p.topic().equals(Topics.SCHEDULER_TO_DEPLOYER)) {
                JsonNode json = p.json();
                Document stored = jobs.find(Filters.eq("_id", json.path("job_id").asText())).first();
                assertTrue("run " + json.path("run_id").asText() + " stored before it is published",
                        stored.getList("runs", Document.class).stream()
                                .anyMatch(r -> r.getString("run_id").equals(json.path("run_id").asText())));
            }
        });

        deliverStart("job-now", "r-1", once("", ""), clock);

        Published start = awaitPublished(Topics.SCHEDULER_TO_DEPLOYER, 1).get(0);
        assertEquals(INSTANCE, start.key());
        JsonNode m = start.json();
        assertEquals("start", m.path("op").asText());
        assertEquals("job-now:1", m.path("run_id").asText());
        assertEquals("scheduled", m.path("trigger").asText());
        assertEquals("job-now", m.path("job_id").asText());
        assertEquals(INSTANCE, m.path("instance_id").asText());
        assertEquals("fareCalculator", m.path("deploy").path("algorithm_name").asText());
        assertEquals("fareCalculator.py", m.path("deploy").path("script_name").path(0).asText());
        assertEquals("app-1", m.path("app").path("application_id").asText());
        assertEquals(3, m.path("app").path("version").asInt());
        assertEquals("sensor_data_si-0123456789abcdef", m.path("sensors").path(0).path("data_topic").asText());
        assertTrue(m.has("window_end") && m.path("window_end").isNull());

        // the SCHEDULED event and the answer came first
        List<String> order = messaging.published().stream().map(Published::topic).toList();
        assertEquals(List.of(Topics.INSTANCE_EVENTS, Topics.DEPLOYMENT_EVENTS, Topics.SCHEDULER_TO_DEPLOYER), order);

        await("the once-only job without end finishes", () -> "FINISHED".equals(state("job-now")));
        Document job = jobs.find(Filters.eq("_id", "job-now")).first();
        assertNull(job.get("next_run"));
        assertNull(job.get("window_end"));
        assertEquals(List.of(), job.getList("outbox", Document.class));
        Document run = job.getList("runs", Document.class).get(0);
        assertEquals("job-now:1", run.getString("run_id"));
        assertEquals(date("2025-06-02T09:00"), run.getDate("at"));
        assertEquals("scheduled", run.getString("trigger"));
        assertEquals("started", run.getString("outcome"));
        assertTrue(scheduler.engine().timerAt("job-now").isEmpty());
        DeploymentInfo info = scheduler.deployment("job-now").orElseThrow();
        assertEquals("FINISHED", info.state());
        assertEquals(List.of(new DeploymentInfo.Run("job-now:1", t("2025-06-02T09:00"), "scheduled", "started")),
                info.runs());
    }

    @Test
    public void anIsoStartAFewHundredMillisecondsAheadFiresAndItsEndStopsIt() throws Exception {
        Clock clock = Clock.system(ZONE);
        component(clock);
        Instant start = Instant.ofEpochMilli(clock.millis() + 400);
        Instant end = start.plusMillis(500);

        deliverStart("job-iso", "r-1", once(start.toString(), end.toString()), clock);
        assertEquals(start.toString(), only(Topics.DEPLOYMENT_EVENTS).json().path("next_run").asText());

        Published run = awaitPublished(Topics.SCHEDULER_TO_DEPLOYER, 1).get(0);
        assertTrue("not before its start", run.wallMillis() >= start.toEpochMilli());
        assertEquals("start", run.json().path("op").asText());
        assertEquals(end.toString(), run.json().path("window_end").asText());

        Published stop = awaitPublished(Topics.SCHEDULER_TO_DEPLOYER, 2).get(1);
        assertTrue("not before its end", stop.wallMillis() >= end.toEpochMilli());
        assertEquals("stop", stop.json().path("op").asText());
        assertEquals("end_time", stop.json().path("reason").asText());
        assertEquals("job-iso:1", stop.json().path("run_id").asText());
        assertEquals(INSTANCE, stop.key());
        await("finished after its end", () -> "FINISHED".equals(state("job-iso")));
        List<Document> runs = jobs.find(Filters.eq("_id", "job-iso")).first().getList("runs", Document.class);
        assertEquals(List.of("started", "stop"), runs.stream().map(r -> r.getString("outcome")).toList());
    }

    @Test
    public void aDailyJobStartsAndStopsInEachWindowAndStaysActive() throws Exception {
        TestClock clock = clock("2025-06-02T09:00");
        SchedulerComponent scheduler = component(clock);
        deliverStart("job-d", "r-1", repeat("10:00", "12:00", "", ""), clock);

        clock.set(t("2025-06-02T10:00"));
        scheduler.engine().advance("job-d");
        JsonNode start = awaitPublished(Topics.SCHEDULER_TO_DEPLOYER, 1).get(0).json();
        assertEquals("job-d:1", start.path("run_id").asText());
        assertEquals(t("2025-06-02T12:00").toString(), start.path("window_end").asText());
        Document job = jobs.find(Filters.eq("_id", "job-d")).first();
        assertEquals(date("2025-06-02T12:00"), job.getDate("window_end"));
        assertEquals(date("2025-06-03T10:00"), job.getDate("next_run"));
        assertEquals(t("2025-06-02T12:00"), scheduler.engine().timerAt("job-d").orElseThrow());

        clock.set(t("2025-06-02T12:00"));
        scheduler.engine().advance("job-d");
        JsonNode stop = awaitPublished(Topics.SCHEDULER_TO_DEPLOYER, 2).get(1).json();
        assertEquals("stop", stop.path("op").asText());
        assertEquals("end_time", stop.path("reason").asText());
        assertEquals("job-d:1", stop.path("run_id").asText());
        assertEquals("ACTIVE", state("job-d"));
        assertEquals(t("2025-06-03T10:00"), scheduler.engine().timerAt("job-d").orElseThrow());

        clock.set(t("2025-06-03T10:00"));
        scheduler.engine().advance("job-d");
        assertEquals("job-d:2", awaitPublished(Topics.SCHEDULER_TO_DEPLOYER, 3).get(2).json().path("run_id").asText());
    }

    @Test
    public void aPeriodicRunIsSkippedAndRecordedWhileThePreviousOneIsStillRunning() throws Exception {
        TestClock clock = clock("2025-06-02T10:00");
        SchedulerComponent scheduler = component(clock);
        deliverStart("job-p", "r-1", repeat("", "", "", "30"), clock);
        assertEquals("job-p:1", awaitPublished(Topics.SCHEDULER_TO_DEPLOYER, 1).get(0).json().path("run_id").asText());
        await("first run recorded", () -> date("2025-06-02T10:30").equals(doc("job-p").getDate("next_run")));

        instances.set(INSTANCE, InstanceState.RUNNING);
        clock.set(t("2025-06-02T10:30"));
        scheduler.engine().advance("job-p");
        assertEquals(1, messaging.published(Topics.SCHEDULER_TO_DEPLOYER).size());
        Document job = doc("job-p");
        List<Document> runs = job.getList("runs", Document.class);
        assertEquals(2, runs.size());
        assertEquals("job-p:2", runs.get(1).getString("run_id"));
        assertEquals("skipped", runs.get(1).getString("outcome"));
        assertEquals(date("2025-06-02T10:30"), runs.get(1).getDate("at"));
        assertEquals(date("2025-06-02T11:00"), job.getDate("next_run"));
        assertEquals("ACTIVE", job.getString("state"));

        instances.set(INSTANCE, InstanceState.STOPPED);
        clock.set(t("2025-06-02T11:00"));
        scheduler.engine().advance("job-p");
        JsonNode third = awaitPublished(Topics.SCHEDULER_TO_DEPLOYER, 2).get(1).json();
        assertEquals("job-p:3", third.path("run_id").asText());
        assertEquals("scheduled", third.path("trigger").asText());
        assertEquals(List.of("started", "skipped", "started"), doc("job-p").getList("runs", Document.class).stream()
                .map(r -> r.getString("outcome")).toList());
    }

    @Test
    public void aRunWhosePublishingFailsIsStoredAndPublishedLater() throws Exception {
        TestClock clock = clock("2025-06-02T09:00");
        SchedulerComponent scheduler = component(clock, Settings.defaults(ZONE).withResync(Duration.ZERO)
                .withRetryDelay(Duration.ofMillis(200)));
        messaging.failTopic(Topics.SCHEDULER_TO_DEPLOYER);
        deliverStart("job-f", "r-1", once("", ""), clock);
        await("the run stored with its message in the outbox", () -> doc("job-f").getList("outbox", Document.class)
                .size() == 1);
        assertEquals("job-f:1", doc("job-f").getList("runs", Document.class).get(0).getString("run_id"));
        assertEquals(List.of(), messaging.published(Topics.SCHEDULER_TO_DEPLOYER));

        messaging.recover(Topics.SCHEDULER_TO_DEPLOYER);
        clock.advance(Duration.ofMillis(200)); // the retry is due on the clock
        Published start = awaitPublished(Topics.SCHEDULER_TO_DEPLOYER, 1).get(0);
        assertEquals("job-f:1", start.json().path("run_id").asText());
        await("outbox emptied", () -> doc("job-f").getList("outbox", Document.class).isEmpty());
        await("no timer left for the finished job", () -> scheduler.engine().timerAt("job-f").isEmpty());
        assertEquals(1, messaging.published(Topics.SCHEDULER_TO_DEPLOYER).size());
    }

    // ------------------------------------------------------------ stop and run now

    @Test
    public void aStopByJobIdUnschedulesMarksStoppedAndPublishesTheStop() throws Exception {
        TestClock clock = clock("2025-06-02T09:00");
        SchedulerComponent scheduler = component(clock);
        deliverStart("job-s", "r-1", repeat("10:00", "12:00", "", ""), clock);
        assertTrue(scheduler.engine().timerAt("job-s").isPresent());

        deliver("job-s", "{\"request_id\":\"r-2\",\"op\":\"stop\",\"job_id\":\"job-s\"}", 10);

        assertTrue(scheduler.engine().timerAt("job-s").isEmpty());
        Document job = doc("job-s");
        assertEquals("STOPPED", job.getString("state"));
        assertNull(job.get("next_run"));
        JsonNode stop = only(Topics.SCHEDULER_TO_DEPLOYER).json();
        assertEquals(INSTANCE, only(Topics.SCHEDULER_TO_DEPLOYER).key());
        assertEquals("stop", stop.path("op").asText());
        assertEquals("stopped", stop.path("reason").asText());
        assertEquals("job-s", stop.path("job_id").asText());
        assertEquals(INSTANCE, stop.path("instance_id").asText());
        assertTrue(stop.has("run_id"));
        JsonNode answer = messaging.published(Topics.DEPLOYMENT_EVENTS).get(1).json();
        assertEquals("r-2", answer.path("request_id").asText());
        assertEquals("ok", answer.path("status").asText());
        assertEquals("STOPPED", answer.path("state").asText());
        assertTrue(answer.path("next_run").isNull());

        // redelivered: the same answer, still stopped
        deliver("job-s", "{\"request_id\":\"r-2\",\"op\":\"stop\",\"job_id\":\"job-s\"}", 10);
        assertEquals("STOPPED", state("job-s"));
        assertEquals(answer, messaging.published(Topics.DEPLOYMENT_EVENTS).get(2).json());
        // nothing runs any more, whatever the clock says
        clock.set(t("2025-06-02T10:00"));
        scheduler.engine().advance("job-s");
        assertEquals(2, messaging.published(Topics.SCHEDULER_TO_DEPLOYER).size()); // the two stops
        assertEquals("STOPPED", scheduler.deployment("job-s").orElseThrow().state());
    }

    @Test
    public void aStopOfARunningJobNamesItsRun() throws Exception {
        TestClock clock = clock("2025-06-02T09:00");
        component(clock);
        deliverStart("job-r", "r-1", once("", "18:00"), clock);
        awaitPublished(Topics.SCHEDULER_TO_DEPLOYER, 1);
        await("window end stored", () -> doc("job-r").getDate("window_end") != null);
        deliver("job-r", "{\"request_id\":\"r-2\",\"op\":\"stop\",\"job_id\":\"job-r\"}", 10);
        JsonNode stop = messaging.published(Topics.SCHEDULER_TO_DEPLOYER).get(1).json();
        assertEquals("job-r:1", stop.path("run_id").asText());
        assertEquals("stopped", stop.path("reason").asText());
        assertNull(doc("job-r").get("window_end"));
    }

    @Test
    public void aStopOfAnUnknownJobIsNotFound() throws Exception {
        component(clock("2025-06-02T09:00"));
        deliver("job-none", "{\"request_id\":\"r-9\",\"op\":\"stop\",\"job_id\":\"job-none\"}", 10);
        JsonNode answer = only(Topics.DEPLOYMENT_EVENTS).json();
        assertEquals("not_found", answer.path("status").asText());
        assertEquals("r-9", answer.path("request_id").asText());
        assertEquals("/job_id", answer.path("errors").path(0).path("path").asText());
        assertEquals(List.of(), messaging.published(Topics.SCHEDULER_TO_DEPLOYER));
    }

    @Test
    public void runNowPublishesARunNowOnceAndIsRefusedForStoppedOrUnknownJobs() throws Exception {
        TestClock clock = clock("2025-06-02T09:00");
        SchedulerComponent scheduler = component(clock);
        deliverStart("job-n", "r-1", repeat("2025-06-02T16:00:00", "", "", "60"), clock);

        long ts = t("2025-06-02T09:05").toEpochMilli();
        deliver("job-n", "{\"request_id\":\"r-2\",\"op\":\"run\",\"job_id\":\"job-n\"}", ts);
        JsonNode run = only(Topics.SCHEDULER_TO_DEPLOYER).json();
        assertEquals("start", run.path("op").asText());
        assertEquals("run-now", run.path("trigger").asText());
        assertEquals("job-n:now-" + ts, run.path("run_id").asText());
        assertEquals("fareCalculator", run.path("deploy").path("algorithm_name").asText());
        assertTrue(run.path("window_end").isNull());
        JsonNode answer = messaging.published(Topics.DEPLOYMENT_EVENTS).get(1).json();
        assertEquals("ok", answer.path("status").asText());
        assertEquals("job-n:now-" + ts, answer.path("run_id").asText());
        assertEquals(t("2025-06-02T16:00").toString(), answer.path("next_run").asText());

        // redelivered: the same run, recorded once
        deliver("job-n", "{\"request_id\":\"r-2\",\"op\":\"run\",\"job_id\":\"job-n\"}", ts);
        List<Document> runs = doc("job-n").getList("runs", Document.class);
        assertEquals(1, runs.size());
        assertEquals("run-now", runs.get(0).getString("trigger"));
        assertEquals("started", runs.get(0).getString("outcome"));
        assertEquals(new Date(ts), runs.get(0).getDate("at"));
        assertEquals(date("2025-06-02T16:00"), doc("job-n").getDate("next_run")); // the schedule is unchanged
        assertEquals(t("2025-06-02T16:00"), scheduler.engine().timerAt("job-n").orElseThrow());

        deliver("job-none", "{\"request_id\":\"r-3\",\"op\":\"run\",\"job_id\":\"job-none\"}", ts);
        assertEquals("not_found", messaging.published(Topics.DEPLOYMENT_EVENTS).get(3).json().path("status").asText());

        deliver("job-n", "{\"request_id\":\"r-4\",\"op\":\"stop\",\"job_id\":\"job-n\"}", ts + 1);
        int published = messaging.published(Topics.SCHEDULER_TO_DEPLOYER).size();
        deliver("job-n", "{\"request_id\":\"r-5\",\"op\":\"run\",\"job_id\":\"job-n\"}", ts + 2);
        JsonNode conflict = messaging.published(Topics.DEPLOYMENT_EVENTS).get(5).json();
        assertEquals("r-5", conflict.path("request_id").asText());
        assertEquals("conflict", conflict.path("status").asText());
        assertEquals(published, messaging.published(Topics.SCHEDULER_TO_DEPLOYER).size());
    }

    // ------------------------------------------------------------ restart

    @Test
    public void afterARestartDueStartsRunAsRecoveredPassedEndsStopAndClosedWindowsAreMissed() throws Exception {
        TestClock before = clock("2025-06-02T09:00");
        SchedulerComponent first = component(before);
        deliverStart("job-pending", "r-1", once("10:00", "12:00"), before);
        deliverStart("job-running", "r-2", once("", "10:30"), before);
        deliverStart("job-closed", "r-3", once("10:00", "10:30"), before);
        deliverStart("job-later", "r-4", once("14:00", "15:00"), before);
        awaitPublished(Topics.SCHEDULER_TO_DEPLOYER, 1);
        await("running job's window end stored", () -> doc("job-running").getDate("window_end") != null);
        first.deactivate();
        components.remove(first);
        messaging.clear();

        TestClock after = clock("2025-06-02T10:45");
        SchedulerComponent second = component(after);
        // the recovery runs on a timer thread right after activation
        await("recovery done", () -> "FINISHED".equals(state("job-running")) && "FINISHED".equals(state("job-closed"))
                && second.engine().timerAt("job-later").isPresent() && second.engine().timerAt("job-pending").isPresent()
                && messaging.published(Topics.SCHEDULER_TO_DEPLOYER).size() >= 2);

        // the pending start fell due while down, its window is open: it runs now, recovered
        List<Published> toDeployer = messaging.published(Topics.SCHEDULER_TO_DEPLOYER);
        JsonNode recovered = toDeployer.stream().map(Published::json)
                .filter(j -> j.path("job_id").asText().equals("job-pending")).findFirst().orElseThrow();
        assertEquals("start", recovered.path("op").asText());
        assertEquals("recovered", recovered.path("trigger").asText());
        assertEquals("job-pending:1", recovered.path("run_id").asText());
        assertEquals(t("2025-06-02T12:00").toString(), recovered.path("window_end").asText());
        Document pending = doc("job-pending");
        assertEquals("recovered", pending.getList("runs", Document.class).get(0).getString("trigger"));
        assertEquals(date("2025-06-02T10:00"), pending.getList("runs", Document.class).get(0).getDate("at"));
        assertEquals("ACTIVE", pending.getString("state"));
        assertEquals(t("2025-06-02T12:00"), second.engine().timerAt("job-pending").orElseThrow());

        // the running one's end passed while down: stopped
        JsonNode stop = toDeployer.stream().map(Published::json)
                .filter(j -> j.path("job_id").asText().equals("job-running")).findFirst().orElseThrow();
        assertEquals("stop", stop.path("op").asText());
        assertEquals("end_time", stop.path("reason").asText());
        assertEquals("job-running:1", stop.path("run_id").asText());
        assertEquals("FINISHED", state("job-running"));

        // a window that opened and closed while down: missed, nothing published
        assertTrue(toDeployer.stream().noneMatch(p -> p.json().path("job_id").asText().equals("job-closed")));
        Document closed = doc("job-closed");
        assertEquals("FINISHED", closed.getString("state"));
        assertEquals("missed", closed.getList("runs", Document.class).get(0).getString("outcome"));

        // a start still ahead is simply scheduled again
        assertTrue(toDeployer.stream().noneMatch(p -> p.json().path("job_id").asText().equals("job-later")));
        assertEquals(t("2025-06-02T14:00"), second.engine().timerAt("job-later").orElseThrow());
        assertEquals(2, toDeployer.size());
        assertEquals(List.of(), messaging.published(Topics.INSTANCE_EVENTS));
        assertEquals(4, second.deployments().size());
    }

    @Test
    public void aRunStoredButNotPublishedBeforeARestartIsPublishedAfterIt() throws Exception {
        TestClock clock = clock("2025-06-02T09:00");
        SchedulerComponent first = component(clock);
        messaging.failTopic(Topics.SCHEDULER_TO_DEPLOYER);
        deliverStart("job-o", "r-1", once("", ""), clock);
        await("the run stored, unpublished", () -> doc("job-o").getList("outbox", Document.class).size() == 1);
        first.deactivate();
        components.remove(first);

        messaging.recover(Topics.SCHEDULER_TO_DEPLOYER);
        component(clock("2025-06-02T09:01"));
        awaitPublished(Topics.SCHEDULER_TO_DEPLOYER, 1);
        await("outbox emptied", () -> doc("job-o").getList("outbox", Document.class).isEmpty());
        JsonNode start = only(Topics.SCHEDULER_TO_DEPLOYER).json();
        assertEquals("job-o:1", start.path("run_id").asText());
        assertEquals("scheduled", start.path("trigger").asText()); // published as stored
        assertEquals(List.of(), doc("job-o").getList("outbox", Document.class));
        assertEquals("FINISHED", state("job-o"));
    }

    @Test
    public void deploymentsAreListedNewestFirstWithTheirRuns() throws Exception {
        TestClock clock = clock("2025-06-02T09:00");
        SchedulerComponent scheduler = component(clock);
        deliverStart("job-1", "r-1", once("10:00", ""), clock);
        clock.set(t("2025-06-02T09:01"));
        deliverStart("job-2", "r-2", once("11:00", ""), clock);
        List<DeploymentInfo> all = scheduler.deployments();
        assertEquals(List.of("job-2", "job-1"), all.stream().map(DeploymentInfo::jobId).toList());
    }

    // ------------------------------------------------------------ helpers

    private SchedulerComponent component(Clock clock) throws Exception {
        return component(clock, Settings.defaults(ZONE).withResync(Duration.ZERO));
    }

    private SchedulerComponent component(Clock clock, Settings settings) throws Exception {
        SchedulerComponent c = new SchedulerComponent(MONGO.client(), messaging, settings, clock, () -> instances);
        components.add(c);
        return c;
    }

    private void deliverStart(String jobId, String requestId, String scheduling, Clock clock) throws Exception {
        ObjectNode request = (ObjectNode) MAPPER.readTree("{\"op\":\"start\",\"deploy\":{\"application_name\":"
                + "\"Bus_management\",\"algorithm_name\":\"fareCalculator\",\"script_name\":[\"fareCalculator.py\"],"
                + "\"sensor_info\":[{\"sensor_type\":\"gps-sensor\",\"filter_sensors\":[{\"bus-id\":\"1\"}]}],"
                + "\"scheduling_info\":" + scheduling + ",\"environment\":{}},"
                + "\"app\":{\"application_id\":\"app-1\",\"version\":3,\"package_id\":\"6650a0b1c2d3e4f5a6b7c8d9\","
                + "\"root\":\"\",\"script\":\"fareCalculator.py\",\"runtime\":\"process\"},"
                + "\"sensors\":[{\"index\":0,\"sensor_instance_id\":\"si-0123456789abcdef\",\"sensor_type\":\"gps-sensor\","
                + "\"data_topic\":\"sensor_data_si-0123456789abcdef\",\"control_topic\":\"sensor_control_si-0123456789abcdef\"}]}");
        request.put("request_id", requestId);
        request.put("job_id", jobId);
        request.put("instance_id", INSTANCE);
        request.put("requested_at", clock.millis());
        deliver(jobId, request.toString(), clock.millis());
    }

    private void deliver(String key, String json, long timestamp) throws Exception {
        messaging.deliver(messaging.message(Topics.SENSOR_BINDER_TO_SCHEDULER, key, json, timestamp));
    }

    private static String once(String start, String end) {
        return "{\"request_type\":\"start\",\"start_time\":\"" + start + "\",\"end_time\":\"" + end
                + "\",\"days\":\"[]\",\"interval\":\"\",\"repeat\":\"no\"}";
    }

    private static String repeat(String start, String end, String days, String interval) {
        return "{\"request_type\":\"start\",\"start_time\":\"" + start + "\",\"end_time\":\"" + end + "\",\"days\":\""
                + days + "\",\"interval\":\"" + interval + "\",\"repeat\":\"yes\"}";
    }

    private Document doc(String jobId) {
        return jobs.find(Filters.eq("_id", jobId)).first();
    }

    private String state(String jobId) {
        Document d = doc(jobId);
        return d == null ? null : d.getString("state");
    }

    private Published only(String topic) {
        List<Published> on = messaging.published(topic);
        assertEquals(topic + ": " + on, 1, on.size());
        return on.get(0);
    }

    private List<Published> awaitPublished(String topic, int count) throws InterruptedException {
        await(count + " message(s) on " + topic, () -> messaging.published(topic).size() >= count);
        return messaging.published(topic);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10); // polling interval, not synchronisation: the condition decides
        }
    }

    private static TestClock clock(String local) {
        return new TestClock(t(local), ZONE);
    }

    private static Instant t(String local) {
        return LocalDateTime.parse(local).atZone(ZONE).toInstant();
    }

    private static Date date(String local) {
        return Date.from(t(local));
    }
}
