package org.iasplatform.scheduler.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's timer: a private Quartz scheduler (RAMJobStore, its own thread pool {@link ExecutorThreadPool}, no
 * update check, no JMX) holding at most one trigger per job — the job's next event (a start or an end) as planned — plus
 * one repeating trigger for the periodic re-synchronisation with the store. Durability is not Quartz's business here: the jobs live in MongoDB and the
 * triggers are rebuilt from it on activation.
 * <p>
 * Instants are taken on the injected {@link Clock}: a trigger fires after the delay between the clock's now and the
 * event, so a test clock that stands still never makes an event due early or late by wall time.
 */
final class QuartzTimer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QuartzTimer.class);
    private static final String JOBS = "ias-jobs";
    private static final String SYSTEM = "ias-system";
    private static final String RESYNC = "resync";
    private static final String AT = "at";

    private final Scheduler scheduler;
    private final Clock clock;
    private final Map<String, Instant> planned = new ConcurrentHashMap<>();

    /** The Job class Quartz records for every trigger; instances come from this timer's job factory. */
    @DisallowConcurrentExecution
    static final class Fire implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            throw new IllegalStateException("created by the timer's job factory only");
        }
    }

    /**
     * Creates and starts the Quartz scheduler.
     *
     * @param threads  size of its thread pool
     * @param clock    the clock events are planned on
     * @param onEvent  called (on a Quartz thread) with the job id when a job's trigger fires; never concurrently for one job
     * @param onResync called (on a Quartz thread) when the re-synchronisation trigger fires
     */
    QuartzTimer(int threads, Clock clock, Consumer<String> onEvent, Runnable onResync) throws SchedulerException {
        this.clock = clock;
        String name = "ias-scheduler-" + UUID.randomUUID(); // Quartz keeps schedulers by name, JVM-wide: one per instance
        Properties p = new Properties();
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, name);
        p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, "NON_CLUSTERED");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
        p.setProperty("org.quartz.scheduler.threadsInheritContextClassLoaderOfInitializer", "true");
        p.setProperty("org.quartz.scheduler.jmx.export", "false");
        p.setProperty("org.quartz.scheduler.interruptJobsOnShutdown", "false");
        p.setProperty("org.quartz.threadPool.class", ExecutorThreadPool.class.getName());
        p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(Math.max(1, threads)));
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        // Quartz loads its job store, thread pool and helpers by class name through the context class loader: in OSGi
        // that must be this bundle's loader (Quartz is embedded here), also for the threads it starts.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(QuartzTimer.class.getClassLoader());
        try {
            this.scheduler = new StdSchedulerFactory(p).getScheduler();
            scheduler.setJobFactory((bundle, s) -> {
                JobKey key = bundle.getJobDetail().getKey();
                Object at = bundle.getTrigger().getJobDataMap().get(AT);
                return context -> {
                    try {
                        if (SYSTEM.equals(key.getGroup())) {
                            onResync.run();
                        } else {
                            if (at instanceof Long ms) {
                                planned.remove(key.getName(), Instant.ofEpochMilli(ms));
                            }
                            onEvent.accept(key.getName());
                        }
                    } catch (RuntimeException e) {
                        LOG.warn("Scheduler timer event {} failed", key, e);
                    }
                };
            });
            scheduler.start();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** (Re)places the job's trigger so that it fires at {@code at} (on the clock); at once when that has passed. */
    void schedule(String jobId, Instant at) {
        Instant when = Instant.ofEpochMilli(at.toEpochMilli());
        if (when.equals(planned.get(jobId))) {
            return;
        }
        long delay = Math.max(0, Duration.between(clock.instant(), when).toMillis());
        JobDetail detail = JobBuilder.newJob(Fire.class).withIdentity(jobId, JOBS).storeDurably().build();
        Trigger trigger = TriggerBuilder.newTrigger().withIdentity(jobId, JOBS).forJob(detail)
                .startAt(new Date(System.currentTimeMillis() + delay))
                .usingJobData(AT, when.toEpochMilli())
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow()).build();
        try {
            planned.put(jobId, when);
            scheduler.scheduleJob(detail, Set.of(trigger), true);
        } catch (SchedulerException e) {
            planned.remove(jobId, when);
            throw new IllegalStateException("cannot schedule job " + jobId + " at " + when, e);
        }
    }

    /** Removes the job's trigger, if any. */
    void cancel(String jobId) {
        planned.remove(jobId);
        try {
            scheduler.deleteJob(new JobKey(jobId, JOBS));
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot unschedule job " + jobId, e);
        }
    }

    /** When the job's trigger fires (on the clock), if it has one. */
    Optional<Instant> scheduledAt(String jobId) {
        return Optional.ofNullable(planned.get(jobId));
    }

    /** The ids of the jobs that have a trigger. */
    Set<String> scheduledJobs() {
        return Set.copyOf(planned.keySet());
    }

    /** Starts the re-synchronisation: at once, then every {@code period} (zero: only once). */
    void scheduleResync(Duration period) {
        JobDetail detail = JobBuilder.newJob(Fire.class).withIdentity(RESYNC, SYSTEM).storeDurably().build();
        SimpleScheduleBuilder schedule = period.isZero() ? SimpleScheduleBuilder.simpleSchedule()
                .withMisfireHandlingInstructionFireNow()
                : SimpleScheduleBuilder.simpleSchedule().withIntervalInMilliseconds(period.toMillis()).repeatForever()
                        .withMisfireHandlingInstructionNextWithRemainingCount();
        Trigger trigger = TriggerBuilder.newTrigger().withIdentity(RESYNC, SYSTEM).forJob(detail).startNow()
                .withSchedule(schedule).build();
        try {
            scheduler.scheduleJob(detail, Set.of(trigger), true);
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot schedule the re-synchronisation", e);
        }
    }

    /** Stops the scheduler, waiting for running events to finish. */
    @Override
    public void close() {
        try {
            scheduler.shutdown(true);
        } catch (SchedulerException e) {
            LOG.warn("Quartz did not shut down cleanly", e);
        }
        planned.clear();
    }
}
