package org.iasplatform.scheduler.internal;

import static org.iasplatform.scheduler.internal.JobStore.ACTIVE;
import static org.iasplatform.scheduler.internal.JobStore.FINISHED;
import static org.iasplatform.scheduler.internal.JobStore.STOPPED;
import static org.iasplatform.scheduler.internal.JobStore.date;
import static org.iasplatform.scheduler.internal.JobStore.instant;
import static org.iasplatform.scheduler.internal.JobStore.version;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.iasplatform.api.deploy.DeploymentInfo;
import org.iasplatform.api.deploy.InstanceRegistry;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.NotAJsonObjectException;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.scheduler.internal.InvalidScheduleException.Error;
import org.iasplatform.scheduler.internal.SchedulePlan.Decision;
import org.iasplatform.scheduler.internal.SchedulePlan.Run;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.model.PushOptions;
import com.mongodb.client.model.Updates;

/**
 * The scheduler's work (docs/pipeline-messages.md), independent of OSGi so that it can be driven directly in tests.
 *
 * <h2>Requests ({@code sensor_binder_to_scheduler}, keyed by job id)</h2>
 * <ul>
 * <li>{@code start}: plans the job ({@link SchedulePlan}, from the acceptance instant), stores it in
 * {@code scheduler_logs.deploy_configs} as ACTIVE with its first run as {@code next_run}, publishes the instance's
 * SCHEDULED event to {@code instance_events} and the outcome to {@code deployment_events}, then starts the first run if
 * it is due already (start time {@code ""} or passed, window open) and sets the job's timer to its next event. A
 * redelivered start finds the stored job and changes nothing: it answers again with the stored {@code next_run} (and
 * repeats the SCHEDULED event only while the job has not run yet). A schedule that cannot be planned (or has no run
 * left) is refused ({@code unprocessable}) and nothing is stored.</li>
 * <li>{@code stop}: marks the job STOPPED (nothing more is planned, unpublished messages are dropped), removes its timer,
 * publishes a stop ({@code reason: stopped}) to {@code scheduler_to_deployer} and answers {@code ok}/STOPPED; an unknown
 * job: {@code not_found}.</li>
 * <li>{@code run}: a run now ({@code trigger: run-now}, run id {@code <job id>:now-<ms>} from the request's record
 * timestamp, so a redelivery is the same run): stored, then published; unknown job: {@code not_found}; stopped job:
 * {@code conflict}.</li>
 * </ul>
 * A handler returns only when its work is stored and its messages acknowledged by the broker; it throws when the store or
 * the broker fails, so that the request is delivered again. Malformed requests are logged and skipped.
 *
 * <h2>Events (the timer)</h2>
 * Each ACTIVE job has one timer trigger at its next event: {@code window_end} (stop the current run) or {@code next_run}
 * (start), whichever is earlier. When it fires, {@link SchedulePlan#decide} says what is due; the change (runs recorded:
 * {@code started}, {@code skipped}, {@code missed}, {@code stop}; the next run; the new window end; the messages to
 * publish, in an outbox) is stored with a compare-and-set on the job's version, then the outbox is published and emptied.
 * So a run is always stored before it is published, a crash in between publishes it later (the deployer is idempotent on
 * run ids), and two platform instances holding the same job record its runs once (both may publish the same stored
 * message; it carries the same run id). A due periodic run is skipped (and
 * recorded {@code skipped}) while the instance is still active according to the {@link InstanceRegistry}. A job with no
 * next run and no running window left becomes FINISHED (a once-only job: right after its start when it has no end, else
 * at its end).
 *
 * <h2>Recovery</h2>
 * {@link #start()} re-reads (on a timer thread) every ACTIVE job and any with unpublished messages, and processes what
 * fell due meanwhile: passed ends publish their stop, a due start whose window is still open runs now with
 * {@code trigger: recovered} (one run, the latest due, however many fell due; "recovered" is any run that fell due
 * before this engine was created), a start whose window has closed is recorded {@code missed}; then the timers are set.
 * The same re-synchronisation repeats periodically (jobs accepted or stopped by another platform instance, messages
 * whose publishing failed).
 */
final class SchedulerEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerEngine.class);
    static final String SOURCE = "scheduler";
    private static final int MAX_STEPS = 20;
    private static final JsonWriterSettings JSON = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    private final JobStore store;
    private final Messaging messaging;
    private final Supplier<InstanceRegistry> registry;
    private final Clock clock;
    private final Settings settings;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Object[] locks = new Object[64];
    private final Instant activatedAt;
    private final QuartzTimer timer;

    /**
     * @param mongo     the platform's MongoDB
     * @param messaging the message bus
     * @param registry  the instance registry if there is one now (null or a null result: none; then no run is skipped)
     * @param clock     the clock every decision is taken on
     * @param settings  the settings
     */
    SchedulerEngine(MongoClient mongo, Messaging messaging, Supplier<InstanceRegistry> registry, Clock clock,
            Settings settings) throws SchedulerException {
        this.store = new JobStore(mongo);
        this.messaging = Objects.requireNonNull(messaging, "messaging");
        this.registry = registry == null ? () -> null : registry;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
        this.activatedAt = clock.instant();
        store.createIndexes();
        this.timer = new QuartzTimer(settings.threads(), clock, this::onTimer, this::reconcile);
    }

    /**
     * Starts the re-synchronisation with the store: at once (the recovery of the stored jobs, see the class comment; on
     * a timer thread, so that activation does not wait for the store or the broker), then periodically.
     */
    void start() {
        timer.scheduleResync(settings.resync());
    }

    @Override
    public void close() {
        timer.close();
    }

    // ---------------------------------------------------------------- requests

    /** Handles one message of {@link Topics#SENSOR_BINDER_TO_SCHEDULER}. */
    void handle(Message message) throws Exception {
        JsonNode request;
        try {
            request = message.jsonObject(mapper);
        } catch (NotAJsonObjectException e) {
            LOG.warn("Skipping scheduler request {}: {}", message.position(), e.getMessage());
            return;
        }
        String jobId = text(request, "job_id");
        if (jobId == null) {
            jobId = message.key();
        }
        String op = request.path("op").asText("");
        if (jobId == null || jobId.isBlank()) {
            LOG.warn("Skipping scheduler request '{}' without job_id (request {})", op, text(request, "request_id"));
            return;
        }
        switch (op) {
            case "start" -> start(jobId, request);
            case "stop" -> stop(jobId, request);
            case "run" -> runNow(jobId, request, message);
            default -> LOG.warn("Skipping scheduler request for job {} with unknown op '{}'", jobId, op);
        }
    }

    private void start(String jobId, JsonNode request) throws Exception {
        String requestId = text(request, "request_id");
        synchronized (lock(jobId)) {
            Document job = store.find(jobId).orElse(null);
            if (job == null) {
                String instanceId = text(request, "instance_id");
                JsonNode deploy = request.path("deploy");
                List<Error> errors = new ArrayList<>();
                if (instanceId == null) {
                    errors.add(new Error("/instance_id", "the start names no instance_id (the sensor binder assigns it)"));
                }
                if (!deploy.isObject()) {
                    errors.add(new Error("/deploy", "the start carries no deploy config object"));
                }
                Instant accepted = Instant.ofEpochMilli(clock.millis());
                Optional<Run> first = Optional.empty();
                if (errors.isEmpty()) {
                    try {
                        SchedulePlan plan = SchedulePlan.of(deploy.get("scheduling_info"), settings.zone(), accepted);
                        first = plan.first();
                        if (first.isEmpty()) {
                            errors.add(new Error("/scheduling_info/end_time", "the schedule has no run left: its end time "
                                    + "has passed; give a later end_time, or \"\" for none"));
                        }
                    } catch (InvalidScheduleException e) {
                        errors.addAll(e.errors());
                    }
                }
                if (!errors.isEmpty()) {
                    LOG.warn("Job {} refused: {}", jobId, errors);
                    reply(requestId, jobId, instanceId, "unprocessable", errors, null, null, null);
                    return;
                }
                job = newJob(jobId, requestId, instanceId, request, first.get(), accepted);
                if (!store.insert(job)) {
                    job = store.find(jobId).orElseThrow(() -> new IllegalStateException("job " + jobId + " vanished"));
                } else {
                    LOG.info("Job {} ({}/{}, instance {}) scheduled, first run at {}", jobId,
                            deploy.path("application_name").asText(), deploy.path("algorithm_name").asText(), instanceId,
                            first.get().at());
                }
            }
            String state = job.getString("state");
            if (ACTIVE.equals(state) && runs(job).isEmpty()) {
                publishScheduled(job);
            }
            reply(requestId, jobId, job.getString("instance_id"), "ok", List.of(), replyState(state),
                    instant(job, "next_run"), null);
            // a run due now is stored and published right here, after the answer; later events are left to the timer
            advance(jobId);
        }
    }

    private Document newJob(String jobId, String requestId, String instanceId, JsonNode request, Run first,
            Instant accepted) {
        return new Document("_id", jobId)
                .append("request_id", requestId)
                .append("instance_id", instanceId)
                .append("deploy", toBson(request.get("deploy")))
                .append("app", toBson(request.get("app")))
                .append("sensors", toBson(request.get("sensors")))
                .append("state", ACTIVE)
                .append("next_run", date(first.at()))
                .append("next_window_end", date(first.windowEnd()))
                .append("window_end", null)
                .append("current_run_id", null)
                .append("run_count", 0)
                .append("runs", new ArrayList<>())
                .append("outbox", new ArrayList<>())
                .append("version", 0L)
                .append("created_at", date(accepted))
                .append("updated_at", date(accepted));
    }

    private void stop(String jobId, JsonNode request) throws Exception {
        String requestId = text(request, "request_id");
        synchronized (lock(jobId)) {
            Document job = storedOrNotFound(requestId, jobId);
            if (job == null) {
                return;
            }
            for (int attempt = 0; attempt < MAX_STEPS && !STOPPED.equals(job.getString("state")); attempt++) {
                Instant now = Instant.ofEpochMilli(clock.millis());
                String runId = job.getString("current_run_id");
                Bson update = Updates.combine(Updates.set("state", STOPPED), Updates.set("next_run", null),
                        Updates.set("next_window_end", null), Updates.set("window_end", null),
                        Updates.set("outbox", new ArrayList<>()), Updates.set("stopped_at", date(now)),
                        pushRuns(List.of(runEntry(runId == null ? jobId + ":stop" : runId, now, "request", "stopped"))));
                boolean done = store.update(jobId, version(job), update, now);
                job = store.find(jobId).orElseThrow(() -> new IllegalStateException("job " + jobId + " vanished"));
                if (done) {
                    LOG.info("Job {} stopped by request {}", jobId, requestId);
                }
            }
            timer.cancel(jobId);
            // published on every delivery: the deployer and server-lifecycle treat a repeated stop as a no-op
            publish(Topics.SCHEDULER_TO_DEPLOYER, job.getString("instance_id"),
                    stopMessage(job, job.getString("current_run_id"), "stopped"));
            reply(requestId, jobId, job.getString("instance_id"), "ok", List.of(), "STOPPED", null, null);
        }
    }

    /** The stored job, or null once the request is answered {@code not_found} (there is no such job). */
    private Document storedOrNotFound(String requestId, String jobId) throws Exception {
        Document job = store.find(jobId).orElse(null);
        if (job == null) {
            reply(requestId, jobId, null, "not_found", List.of(new Error("/job_id", "there is no deployment job \""
                    + jobId + "\"; expected the job_id of a deployment (GET /deployments lists them)")), null, null, null);
        }
        return job;
    }

    private void runNow(String jobId, JsonNode request, Message message) throws Exception {
        String requestId = text(request, "request_id");
        synchronized (lock(jobId)) {
            Document job = storedOrNotFound(requestId, jobId);
            if (job == null) {
                return;
            }
            if (STOPPED.equals(job.getString("state"))) {
                reply(requestId, jobId, job.getString("instance_id"), "conflict", List.of(new Error("/job_id",
                        "deployment job \"" + jobId + "\" is stopped; deploy the algorithm again to run it")), "STOPPED",
                        null, null);
                return;
            }
            long ms = message.timestamp() > 0 ? message.timestamp() : clock.millis();
            String runId = jobId + ":now-" + ms;
            Instant at = Instant.ofEpochMilli(ms);
            for (int attempt = 0; attempt < MAX_STEPS && !hasRun(job, runId); attempt++) {
                Bson update = Updates.combine(Updates.set("current_run_id", runId),
                        pushRuns(List.of(runEntry(runId, at, "run-now", "started"))));
                if (store.update(jobId, version(job), update, Instant.ofEpochMilli(clock.millis()))) {
                    LOG.info("Job {}: run {} now, on request {}", jobId, runId, requestId);
                }
                job = store.find(jobId).orElseThrow(() -> new IllegalStateException("job " + jobId + " vanished"));
            }
            if (!hasRun(job, runId)) {
                throw new IllegalStateException("job " + jobId + " kept changing; run " + runId + " not recorded");
            }
            publish(Topics.SCHEDULER_TO_DEPLOYER, job.getString("instance_id"), startMessage(job, runId, "run-now", null));
            reply(requestId, jobId, job.getString("instance_id"), "ok", List.of(), replyState(job.getString("state")),
                    instant(job, "next_run"), runId);
        }
    }

    // ---------------------------------------------------------------- events

    /** The timer fired for a job: does what is due; on failure tries again after the retry delay. */
    void onTimer(String jobId) {
        try {
            advance(jobId);
        } catch (RuntimeException e) {
            LOG.warn("Job {}: processing its due events failed, retrying in {}: {}", jobId, settings.retryDelay(),
                    e.toString());
            retryLater(jobId);
        }
    }

    /**
     * Processes every event of the job that is due on the clock (stop, start, skip, miss; in time order), publishes what
     * that produced, and sets the job's timer to its next event. Safe to call at any time.
     */
    void advance(String jobId) {
        synchronized (lock(jobId)) {
            for (int step = 0; step < MAX_STEPS; step++) {
                Document job = store.find(jobId).orElse(null);
                if (job == null) {
                    timer.cancel(jobId);
                    return;
                }
                if (!flushOutbox(job)) {
                    retryLater(jobId);
                    return;
                }
                if (!ACTIVE.equals(job.getString("state"))) {
                    timer.cancel(jobId);
                    return;
                }
                Instant now = clock.instant();
                SchedulePlan plan = plan(job);
                if (plan == null) {
                    store.update(jobId, version(job), Updates.combine(Updates.set("state", FINISHED),
                            Updates.set("next_run", null), Updates.set("next_window_end", null)), now);
                    continue;
                }
                Decision d = plan.decide(instant(job, "next_run"), instant(job, "next_window_end"),
                        instant(job, "window_end"), now);
                if (!d.stop() && !d.startDue()) {
                    planTimer(job);
                    return;
                }
                if (store.update(jobId, version(job), changes(job, plan, d, now), now)) {
                    continue; // publish what was stored, then look again: nothing else due means the timer is set
                }
                LOG.debug("Job {} changed meanwhile; deciding again", jobId);
            }
            LOG.warn("Job {}: still changing after {} steps; trying again later", jobId, MAX_STEPS);
            retryLater(jobId);
        }
    }

    /** The stored change a decision makes: runs recorded, messages for the outbox, next run, window end, state. */
    private Bson changes(Document job, SchedulePlan plan, Decision d, Instant now) {
        String jobId = job.getString("_id");
        String instanceId = job.getString("instance_id");
        List<Document> runs = new ArrayList<>();
        List<Document> outbox = new ArrayList<>();
        String currentRunId = job.getString("current_run_id");
        Instant windowEnd = instant(job, "window_end");
        int runCount = job.getInteger("run_count", 0);
        boolean stoppedNow = false;
        if (d.stop()) {
            String runId = currentRunId == null ? jobId + ":end" : currentRunId;
            runs.add(runEntry(runId, windowEnd, trigger(windowEnd), "stop"));
            outbox.add(outboxEntry(runId + ":stop@" + windowEnd.toEpochMilli(), Topics.SCHEDULER_TO_DEPLOYER, instanceId,
                    stopMessage(job, currentRunId, "end_time")));
            LOG.info("Job {}: end time {} of run {} reached, stopping instance {}", jobId, windowEnd, runId, instanceId);
            windowEnd = null;
            stoppedNow = true;
        }
        Instant nextRun = instant(job, "next_run");
        Instant nextWindowEnd = instant(job, "next_window_end");
        if (d.startDue()) {
            if (d.start() != null) {
                Run run = d.start();
                String runId = jobId + ":" + (++runCount);
                String trigger = trigger(run.at());
                if (plan.periodic() && !stoppedNow && instanceActive(instanceId)) {
                    runs.add(runEntry(runId, run.at(), trigger, "skipped"));
                    LOG.info("Job {}: run {} due at {} skipped, instance {} is still running", jobId, runId, run.at(),
                            instanceId);
                } else {
                    runs.add(runEntry(runId, run.at(), trigger, "started"));
                    outbox.add(outboxEntry(runId + ":start", Topics.SCHEDULER_TO_DEPLOYER, instanceId,
                            startMessage(job, runId, trigger, run.windowEnd())));
                    currentRunId = runId;
                    windowEnd = run.windowEnd();
                    LOG.info("Job {}: run {} ({}) due at {} starts instance {}, window end {}", jobId, runId, trigger,
                            run.at(), instanceId, run.windowEnd());
                }
            } else if (d.missed() != null) {
                String runId = jobId + ":" + (++runCount);
                runs.add(runEntry(runId, d.missed().at(), trigger(d.missed().at()), "missed"));
                LOG.info("Job {}: run {} due at {} missed, its window closed at {}", jobId, runId, d.missed().at(),
                        d.missed().windowEnd());
            }
            nextRun = d.next() == null ? null : d.next().at();
            nextWindowEnd = d.next() == null ? null : d.next().windowEnd();
        }
        String state = nextRun == null && windowEnd == null ? FINISHED : ACTIVE;
        if (FINISHED.equals(state)) {
            LOG.info("Job {} finished: no run is due any more", jobId);
        }
        List<Bson> updates = new ArrayList<>(List.of(Updates.set("state", state), Updates.set("next_run", date(nextRun)),
                Updates.set("next_window_end", date(nextWindowEnd)), Updates.set("window_end", date(windowEnd)),
                Updates.set("current_run_id", currentRunId), Updates.set("run_count", runCount)));
        if (!runs.isEmpty()) {
            updates.add(pushRuns(runs));
        }
        if (!outbox.isEmpty()) {
            updates.add(Updates.pushEach("outbox", outbox));
        }
        return Updates.combine(updates);
    }

    /** Re-reads every job the timer must hold and processes it; drops timers of jobs that are no longer active. */
    void reconcile() {
        Set<String> pending = new HashSet<>();
        List<Document> jobs;
        try {
            jobs = store.pending();
        } catch (RuntimeException e) {
            LOG.warn("Scheduler cannot read its jobs now ({}); trying again at the next re-synchronisation", e.toString());
            return;
        }
        for (Document job : jobs) {
            String jobId = job.getString("_id");
            pending.add(jobId);
            onTimer(jobId);
        }
        for (String jobId : timer.scheduledJobs()) {
            if (!pending.contains(jobId)) {
                onTimer(jobId); // stopped or finished meanwhile (e.g. by another platform instance): cancels its timer
            }
        }
    }

    /** When the job's timer fires next (on the clock), if it has one. For tests and diagnostics. */
    Optional<Instant> timerAt(String jobId) {
        return timer.scheduledAt(jobId);
    }

    private void planTimer(Document job) {
        String jobId = job.getString("_id");
        Instant nextRun = instant(job, "next_run");
        Instant windowEnd = instant(job, "window_end");
        Instant next = nextRun == null ? windowEnd : windowEnd == null || nextRun.isBefore(windowEnd) ? nextRun : windowEnd;
        if (next == null) {
            timer.cancel(jobId);
        } else {
            timer.schedule(jobId, next);
        }
    }

    private void retryLater(String jobId) {
        try {
            timer.schedule(jobId, clock.instant().plus(settings.retryDelay()));
        } catch (RuntimeException e) {
            LOG.warn("Job {}: cannot set its retry timer (the next re-synchronisation will): {}", jobId, e.toString());
        }
    }

    /** Publishes the job's outbox in order, removing each message once acknowledged; false at the first failure. */
    private boolean flushOutbox(Document job) {
        String jobId = job.getString("_id");
        for (Document entry : job.getList("outbox", Document.class, List.of())) {
            try {
                publishText(entry.getString("topic"), entry.getString("key"), entry.getString("value"));
            } catch (Exception e) {
                LOG.warn("Job {}: publishing {} failed, retrying in {}: {}", jobId, entry.getString("id"),
                        settings.retryDelay(), e.toString());
                return false;
            }
            store.removeFromOutbox(jobId, entry.getString("id"));
        }
        return true;
    }

    private boolean instanceActive(String instanceId) {
        InstanceRegistry instances = registry.get();
        if (instances == null) {
            return false;
        }
        try {
            return instances.instance(instanceId).map(i -> i.state() != null && i.state().isActive()).orElse(false);
        } catch (RuntimeException e) {
            LOG.warn("Cannot ask the instance registry about {} ({}); not skipping", instanceId, e.toString());
            return false;
        }
    }

    private String trigger(Instant dueAt) {
        return dueAt.isBefore(activatedAt) ? "recovered" : "scheduled";
    }

    private SchedulePlan plan(Document job) {
        JsonNode deploy = json(job.get("deploy"));
        Instant created = instant(job, "created_at");
        try {
            return SchedulePlan.of(deploy.get("scheduling_info"), settings.zone(), created == null ? activatedAt : created);
        } catch (InvalidScheduleException e) {
            LOG.error("Job {}: its stored scheduling_info cannot be planned ({}); nothing more will run",
                    job.getString("_id"), e.getMessage());
            return null;
        }
    }

    // ---------------------------------------------------------------- reads (Deployments)

    List<DeploymentInfo> deployments() {
        return store.all().stream().map(this::info).toList();
    }

    Optional<DeploymentInfo> deployment(String jobId) {
        return store.find(jobId).map(this::info);
    }

    private DeploymentInfo info(Document job) {
        JsonNode deploy = json(job.get("deploy"));
        List<DeploymentInfo.Run> runs = runs(job).stream().map(r -> new DeploymentInfo.Run(r.getString("run_id"),
                instant(r, "at"), r.getString("trigger"), r.getString("outcome"))).toList();
        JsonNode scheduling = deploy.get("scheduling_info");
        return new DeploymentInfo(job.getString("_id"), job.getString("instance_id"),
                deploy.path("application_name").asText(null), deploy.path("algorithm_name").asText(null),
                job.getString("state"), scheduling, instant(job, "next_run"), instant(job, "window_end"),
                instant(job, "created_at"), runs);
    }

    // ---------------------------------------------------------------- messages

    private void publishScheduled(Document job) throws Exception {
        JsonNode deploy = json(job.get("deploy"));
        Instant nextRun = instant(job, "next_run");
        ObjectNode event = mapper.createObjectNode();
        event.put("instance_id", job.getString("instance_id"));
        event.putNull("node");
        event.put("generation", 0);
        event.putNull("run_id");
        event.put("state", "SCHEDULED");
        event.putNull("exit_code");
        event.put("reason", nextRun == null ? "scheduled" : "scheduled, next run at " + nextRun);
        event.put("timestamp", clock.millis());
        event.put("job_id", job.getString("_id"));
        event.set("application_name", deploy.path("application_name").isMissingNode() ? NullNode.getInstance()
                : deploy.get("application_name"));
        event.set("algorithm_name", deploy.path("algorithm_name").isMissingNode() ? NullNode.getInstance()
                : deploy.get("algorithm_name"));
        event.set("sensors", json(job.get("sensors")));
        publish(Topics.INSTANCE_EVENTS, job.getString("instance_id"), event);
    }

    private void reply(String requestId, String jobId, String instanceId, String status, List<Error> errors, String state,
            Instant nextRun, String runId) throws Exception {
        ObjectNode event = mapper.createObjectNode();
        event.put("request_id", requestId);
        event.put("job_id", jobId);
        event.put("source", SOURCE);
        event.put("status", status);
        ArrayNode list = event.putArray("errors");
        errors.forEach(e -> list.addObject().put("path", e.path()).put("message", e.message()));
        event.put("instance_id", instanceId);
        event.put("state", state);
        event.put("next_run", nextRun == null ? null : nextRun.toString());
        if (runId != null) {
            event.put("run_id", runId);
        }
        publish(Topics.DEPLOYMENT_EVENTS, requestId == null ? jobId : requestId, event);
    }

    private ObjectNode startMessage(Document job, String runId, String trigger, Instant windowEnd) {
        ObjectNode m = mapper.createObjectNode();
        m.put("op", "start");
        m.put("run_id", runId);
        m.put("trigger", trigger);
        m.put("job_id", job.getString("_id"));
        m.put("instance_id", job.getString("instance_id"));
        m.set("deploy", json(job.get("deploy")));
        m.set("app", json(job.get("app")));
        m.set("sensors", json(job.get("sensors")));
        m.put("window_end", windowEnd == null ? null : windowEnd.toString());
        return m;
    }

    private ObjectNode stopMessage(Document job, String runId, String reason) {
        ObjectNode m = mapper.createObjectNode();
        m.put("op", "stop");
        m.put("run_id", runId);
        m.put("reason", reason);
        m.put("job_id", job.getString("_id"));
        m.put("instance_id", job.getString("instance_id"));
        return m;
    }

    private Document outboxEntry(String id, String topic, String key, ObjectNode message) {
        return new Document("id", id).append("topic", topic).append("key", key).append("value", message.toString());
    }

    private static Document runEntry(String runId, Instant at, String trigger, String outcome) {
        return new Document("run_id", runId).append("at", date(at)).append("trigger", trigger).append("outcome", outcome);
    }

    private Bson pushRuns(List<Document> entries) {
        return Updates.pushEach("runs", entries, new PushOptions().slice(-settings.maxRuns()));
    }

    private void publish(String topic, String key, ObjectNode message) throws Exception {
        publishText(topic, key, message.toString());
    }

    /** Publishes and waits for the broker's acknowledgement (only then may the caller's work count as done). */
    private void publishText(String topic, String key, String value) throws Exception {
        try {
            messaging.publish(topic, key, value).toCompletableFuture()
                    .get(settings.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            throw new TimeoutException("no acknowledgement for " + topic + " within " + settings.publishTimeout());
        }
    }

    // ---------------------------------------------------------------- helpers

    private Object lock(String jobId) {
        return locks[Math.floorMod(jobId.hashCode(), locks.length)];
    }

    private static List<Document> runs(Document job) {
        return job.getList("runs", Document.class, List.of());
    }

    private static boolean hasRun(Document job, String runId) {
        return runs(job).stream().anyMatch(r -> runId.equals(r.getString("run_id")));
    }

    private static String replyState(String state) {
        return STOPPED.equals(state) ? "STOPPED" : "SCHEDULED";
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.asText().isBlank() ? null : value.asText();
    }

    /** A JSON value as BSON for storing (objects as documents, arrays as lists, null as null). */
    private static Object toBson(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        return Document.parse("{\"v\": " + value + "}").get("v");
    }

    /** A stored BSON value as JSON (null as JSON null). */
    private JsonNode json(Object value) {
        if (value == null) {
            return NullNode.getInstance();
        }
        try {
            return mapper.readTree(new Document("v", value).toJson(JSON)).get("v");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored value cannot be read as JSON", e);
        }
    }
}
