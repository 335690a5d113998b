package org.iasplatform.scheduler.internal;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.iasplatform.api.deploy.DeploymentInfo;
import org.iasplatform.api.deploy.Deployments;
import org.iasplatform.api.deploy.InstanceRegistry;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.api.messaging.Topics;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.quartz.SchedulerException;

import com.mongodb.client.MongoClient;

/**
 * The platform's scheduler (the seed's scheduler service): consumes {@link Topics#SENSOR_BINDER_TO_SCHEDULER} in a
 * consumer group shared by every platform instance, keeps the jobs in {@code scheduler_logs.deploy_configs}, times their
 * runs with Quartz and publishes them to {@link Topics#SCHEDULER_TO_DEPLOYER}; serves {@link Deployments} reads from
 * the same collection. The work itself is {@link SchedulerEngine}'s; on activation it first recovers the stored jobs
 * (starts and ends that fell due while the platform was down), then starts consuming.
 */
@Component(service = Deployments.class, immediate = true, configurationPid = "org.iasplatform.scheduler",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = SchedulerComponent.Config.class)
public class SchedulerComponent implements Deployments {

    @ObjectClassDefinition(name = "IAS scheduler", description = "Schedules deployed algorithms: when their instances "
            + "start and stop.")
    public @interface Config {
        @AttributeDefinition(name = "Time zone", description = "The platform time zone: times of day (HH:MM) and local "
                + "date-times of scheduling_info are in it. A region such as Europe/Berlin, an offset such as +05:30, "
                + "or empty for the system's zone.")
        String time__zone() default "";

        @AttributeDefinition(name = "Consumer group", description = "Kafka consumer group shared by every platform "
                + "instance's scheduler.")
        String consumer__group() default "scheduler";

        @AttributeDefinition(name = "Timer threads", description = "Threads of the scheduler's Quartz pool (runs are "
                + "published from them).")
        int thread__count() default 4;

        @AttributeDefinition(name = "Re-synchronisation (s)", description = "How often the timers are re-synchronised "
                + "with the stored jobs (jobs of other platform instances, retries of failed publishing); 0: never.")
        int resync__seconds() default 10;

        @AttributeDefinition(name = "Publish time-out (s)", description = "How long a publish waits for the broker's "
                + "acknowledgement before it counts as failed.")
        int publish__timeout__seconds() default 30;

        @AttributeDefinition(name = "Retry delay (s)", description = "How long after a failed publish or store access a "
                + "job's due event is tried again.")
        int retry__seconds() default 5;

        @AttributeDefinition(name = "Runs kept", description = "How many entries of a job's runs list are kept (the "
                + "oldest go first).")
        int max__runs() default 500;
    }

    /** Optional: without it no periodic run is skipped for a still running instance. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile InstanceRegistry instanceRegistry;

    private final SchedulerEngine engine;
    private final Subscription subscription;

    @Activate
    public SchedulerComponent(@Reference(target = "(ias.store=platform)") MongoClient mongo, @Reference Messaging messaging,
            Config config) throws SchedulerException {
        this(mongo, messaging, Settings.from(config), null, null);
    }

    /**
     * The component with an explicit clock and instance registry (tests).
     *
     * @param clock    the clock (null: the system clock in the settings' zone)
     * @param registry where the instance registry comes from (null: the component's optional reference)
     */
    SchedulerComponent(MongoClient mongo, Messaging messaging, Settings settings, Clock clock,
            Supplier<InstanceRegistry> registry) throws SchedulerException {
        this.engine = new SchedulerEngine(mongo, messaging, registry != null ? registry : () -> instanceRegistry,
                clock != null ? clock : Clock.system(settings.zone()), settings);
        try {
            engine.start();
            this.subscription = messaging.subscribe(settings.consumerGroup(), List.of(Topics.SENSOR_BINDER_TO_SCHEDULER),
                    engine::handle);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    @Deactivate
    void deactivate() {
        try {
            subscription.close();
        } finally {
            engine.close();
        }
    }

    /** The engine (tests: timer events). */
    SchedulerEngine engine() {
        return engine;
    }

    @Override
    public List<DeploymentInfo> deployments() {
        return engine.deployments();
    }

    @Override
    public Optional<DeploymentInfo> deployment(String jobId) {
        return engine.deployment(jobId);
    }
}
