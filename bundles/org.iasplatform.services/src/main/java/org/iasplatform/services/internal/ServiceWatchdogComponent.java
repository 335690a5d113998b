package org.iasplatform.services.internal;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.iasplatform.api.IasException;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.service.PlatformServices;
import org.iasplatform.api.service.ServiceEvent;
import org.iasplatform.api.service.ServiceHealth;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.client.MongoClient;

/**
 * Service lifecycle: the watchdog of the platform's own components ({@link Watchdog}), checking them periodically, and
 * {@link PlatformServices} over it. Messaging and the store are optional, dynamic references, so that the watchdog keeps
 * running (and can restart them) while either is away.
 */
@Component(service = PlatformServices.class, immediate = true, configurationPid = ServiceWatchdogComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ServiceWatchdogComponent.Config.class)
public class ServiceWatchdogComponent implements PlatformServices {
    static final String PID = "org.iasplatform.services";
    private static final Logger LOG = LoggerFactory.getLogger(ServiceWatchdogComponent.class);

    @ObjectClassDefinition(name = "IAS service lifecycle",
            description = "Watches the platform's components (Declarative Services state, Kafka consumers) and restarts "
                    + "failed ones with back-off.")
    public @interface Config {
        @AttributeDefinition(name = "Check period (ms)", min = "50",
                description = "How often every component is looked at.")
        long check__period__ms() default 2000;

        @AttributeDefinition(name = "First restart back-off (ms)", min = "0",
                description = "The wait before restarting a failed component; doubled for every restart within the window.")
        long restart__backoff__initial__ms() default 1000;

        @AttributeDefinition(name = "Longest restart back-off (ms)", min = "0",
                description = "The longest wait before a restart.")
        long restart__backoff__max__ms() default 60_000;

        @AttributeDefinition(name = "Restarts within the window", min = "0",
                description = "How often a component is restarted within the window; failing again after that, it is "
                        + "given up (left as it is until it is healthy again, e.g. after bundle:restart).")
        int restart__max() default 5;

        @AttributeDefinition(name = "Restart window (s)", min = "1",
                description = "The window restarts are counted in.")
        long restart__window__seconds() default 600;

        @AttributeDefinition(name = "Watched bundles",
                description = "Symbolic name prefixes of the bundles whose components are watched.")
        String[] bundle__prefixes() default { "org.iasplatform" };

        @AttributeDefinition(name = "Lag time-out (ms)", min = "100",
                description = "How long asking Kafka for the consumers' lag may take (GET /services).")
        long lag__timeout__ms() default 3000;

        @AttributeDefinition(name = "Platform id",
                description = "How this platform instance is named in events and lists; empty: its Karaf instance "
                        + "name and host name (name@host).")
        String platform__id() default "";
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Messaging messaging;
    @Reference(target = "(ias.store=platform)", cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile MongoClient mongo;

    private final ServiceEventStore events;
    private final Watchdog watchdog;
    private final ScheduledExecutorService timer;

    @Activate
    public ServiceWatchdogComponent(@Reference ServiceComponentRuntime scr, Config config) {
        Settings settings = settings(config);
        String platformId = platformId(config.platform__id());
        this.events = new ServiceEventStore(() -> mongo, settings.checkPeriod());
        this.watchdog = new Watchdog(scr, () -> messaging, events, settings, Clock.systemUTC(), platformId,
                ServiceWatchdogComponent.class.getName());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ias-service-watchdog");
            t.setDaemon(true);
            return t;
        });
        schedule(settings.checkPeriod());
        LOG.info("Service lifecycle on {}: watching the components of bundles {} every {} ms; restarts after {}..{} ms, "
                + "at most {} within {} s", platformId, settings.bundlePrefixes(), settings.checkPeriod().toMillis(),
                settings.backoffInitial().toMillis(), settings.backoffMax().toMillis(), settings.maxRestarts(),
                settings.window().toSeconds());
    }

    @Modified
    void modified(Config config) {
        watchdog.configure(settings(config));
        LOG.info("Service lifecycle reconfigured: {}", watchdog.settings());
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        events.close();
    }

    private void schedule(Duration delay) {
        try {
            timer.schedule(this::checkAndReschedule, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // deactivated
        }
    }

    private void checkAndReschedule() {
        try {
            watchdog.check();
        } catch (RuntimeException e) {
            LOG.warn("Checking the platform components failed (trying again at the next check): {}", e.toString(), e);
        } finally {
            schedule(watchdog.settings().checkPeriod());
        }
    }

    static Settings settings(Config config) {
        return new Settings(Duration.ofMillis(config.check__period__ms()),
                Duration.ofMillis(config.restart__backoff__initial__ms()),
                Duration.ofMillis(config.restart__backoff__max__ms()), config.restart__max(),
                Duration.ofSeconds(config.restart__window__seconds()),
                config.bundle__prefixes() == null ? List.of() : Arrays.asList(config.bundle__prefixes()),
                Duration.ofMillis(config.lag__timeout__ms()));
    }

    /** The configured id, else {@code <karaf.name>@<host name>}. */
    static String platformId(String configured) {
        if (configured != null && !configured.isBlank()) {
            return configured.strip();
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return System.getProperty("karaf.name", "platform") + "@" + host;
    }

    @Override
    public String platformId() {
        return watchdog.platformId();
    }

    @Override
    public List<ServiceHealth> services() {
        return watchdog.services();
    }

    @Override
    public List<ServiceEvent> events(String component, String platform, int limit) throws IasException {
        return events.events(component, platform, limit);
    }
}
