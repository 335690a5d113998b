package org.iasplatform.sensor.manager.internal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.iasplatform.api.messaging.Leadership;
import org.iasplatform.api.messaging.LeadershipListener;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.SensorConnections;
import org.iasplatform.api.sensor.SensorDriver;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorStatus;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The sensor manager: hosts the {@link SensorDriver} whiteboard and keeps every registered sensor instance connected
 * through the driver chosen for its type. The work is done by {@link SensorManager}.
 * <p>
 * A device talks to one client at a time, so among the platform instances sharing a broker one serves every device: the
 * leader of the role {@value #ROLE} ({@link Messaging#lead}). It runs a {@link SensorManager} for as long as it leads and
 * publishes the statuses every status period on {@link Topics#SENSOR_STATUS}; the other instances answer status queries
 * from those ({@link SensorStatusBoard}) and take over when the leader stops or dies (after the messaging's leader
 * session time-out). Control commands wait in their topics meanwhile: the control subscription is the leader's.
 */
@Component(service = SensorConnections.class, configurationPid = SensorManagerComponent.PID)
@Designate(ocd = SensorManagerComponent.Config.class)
public class SensorManagerComponent implements SensorConnections, LeadershipListener {
    static final String PID = "org.iasplatform.sensor.manager";
    static final String ROLE = "sensor-manager";
    private static final Logger LOG = LoggerFactory.getLogger(SensorManagerComponent.class);

    @ObjectClassDefinition(name = "IAS sensor manager",
            description = "Connects registered sensor instances through their drivers, publishes readings, delivers control commands.")
    public @interface Config {
        @AttributeDefinition(name = "Control consumer group",
                description = "Kafka consumer group of the subscription to every sensor_control_* topic.")
        String control__group() default "ias-sensor-manager-control";

        @AttributeDefinition(name = "Retry interval (ms)",
                description = "How often a failed start or a driver that failed to connect is tried again.", min = "10")
        long retry__ms() default 10_000;

        @AttributeDefinition(name = "Status period (ms)", min = "100",
                description = "How often the platform instance serving the devices publishes their statuses for the "
                        + "others (a status not republished for three periods is no longer shown).")
        long status__period__ms() default 2000;
    }

    private final Messaging messaging;
    private final SensorRegistry registry;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final Map<Long, DriverEntry> drivers = new LinkedHashMap<>();
    /** Guarded by {@link #lock}: the manager while this instance leads. */
    private SensorManager active;
    /** Guarded by {@link #lock}. */
    private boolean deactivated;
    private SensorManager.Settings settings;
    private SensorStatusBoard board;
    private ScheduledExecutorService executor;
    private volatile Subscription boardSubscription;
    private volatile Leadership leadership;

    @Activate
    public SensorManagerComponent(@Reference(name = "messaging") Messaging messaging,
            @Reference(name = "registry") SensorRegistry registry) {
        this.messaging = messaging;
        this.registry = registry;
    }

    @Activate
    void activate(Config config) {
        activate(new SensorManager.Settings(config.control__group(), config.retry__ms()),
                Duration.ofMillis(Math.max(100, config.status__period__ms())));
    }

    /** Activation with explicit settings (tests). */
    void activate(SensorManager.Settings settings, Duration period) {
        this.settings = settings;
        board = new SensorStatusBoard(new ObjectMapper(), period, System::currentTimeMillis);
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ias-sensor-status");
            t.setDaemon(true);
            return t;
        });
        executor.execute(this::followStatuses);
        executor.scheduleWithFixedDelay(this::publishStatuses, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        leadership = messaging.lead(ROLE, this);
    }

    @Deactivate
    void deactivate() {
        synchronized (lock) {
            deactivated = true;
        }
        Leadership l = leadership;
        if (l != null) {
            l.close(); // stops the manager if it leads
        }
        revoked();
        executor.shutdownNow();
        Subscription s = boardSubscription;
        if (s != null) {
            s.close();
        }
    }

    // ---------------------------------------------------------------- leadership

    @Override
    public void elected() {
        synchronized (lock) {
            if (deactivated || active != null) {
                return;
            }
            SensorManager manager = new SensorManager(messaging, registry);
            drivers.values().forEach(manager::driverAdded);
            manager.start(settings);
            active = manager;
        }
        LOG.info("This platform instance serves the sensor devices");
    }

    @Override
    public void revoked() {
        SensorManager manager;
        synchronized (lock) {
            manager = active;
            active = null;
        }
        if (manager != null) {
            manager.stop();
            LOG.info("This platform instance no longer serves the sensor devices (another one takes over)");
        }
    }

    private SensorManager active() {
        synchronized (lock) {
            return active;
        }
    }

    /** Whether this instance serves the devices now. */
    boolean isServing() {
        return active() != null;
    }

    // ---------------------------------------------------------------- statuses shared between platform instances

    private void followStatuses() {
        try {
            boardSubscription = messaging.follow(List.of(Topics.SENSOR_STATUS), board::onStatus);
        } catch (RuntimeException e) {
            LOG.warn("Cannot follow {} yet (retrying in {} ms): {}", Topics.SENSOR_STATUS, settings.retryMs(), e.toString());
            try {
                executor.schedule(this::followStatuses, settings.retryMs(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException rejected) {
                // deactivated
            }
        }
    }

    private void publishStatuses() {
        SensorManager manager = active();
        if (manager == null) {
            return;
        }
        try {
            for (SensorStatus status : manager.statuses()) {
                messaging.publish(Topics.SENSOR_STATUS, status.sensorInstanceId(), board.json(status));
            }
        } catch (Exception e) {
            LOG.debug("Publishing the sensor statuses failed (next period): {}", e.toString());
        }
    }

    // ---------------------------------------------------------------- drivers

    @Reference(service = SensorDriver.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, updated = "updatedDriver", unbind = "unbindDriver")
    void bindDriver(SensorDriver driver, ServiceReference<SensorDriver> reference) {
        addDriver(entry(driver, reference));
    }

    /** A driver service (tests add drivers directly). */
    void addDriver(DriverEntry entry) {
        synchronized (lock) {
            drivers.put(entry.serviceId(), entry);
            if (active != null) {
                active.driverAdded(entry);
            }
        }
    }

    void updatedDriver(SensorDriver driver, ServiceReference<SensorDriver> reference) {
        DriverEntry entry = entry(driver, reference);
        synchronized (lock) {
            drivers.put(entry.serviceId(), entry);
            if (active != null) {
                active.driverModified(entry);
            }
        }
    }

    void unbindDriver(SensorDriver driver, ServiceReference<SensorDriver> reference) {
        long id = serviceId(reference);
        synchronized (lock) {
            drivers.remove(id);
            if (active != null) {
                active.driverRemoved(id);
            }
        }
    }

    private static DriverEntry entry(SensorDriver driver, ServiceReference<SensorDriver> reference) {
        Object ranking = reference.getProperty(Constants.SERVICE_RANKING);
        Bundle bundle = reference.getBundle();
        String name = bundle == null ? driver.getClass().getName() : bundle.getSymbolicName() + " " + bundle.getVersion();
        return new DriverEntry(driver, serviceId(reference), ranking instanceof Integer i ? i : 0,
                DriverEntry.typesOf(reference.getProperty(SensorDriver.PROPERTY_SENSOR_TYPES)), name);
    }

    private static long serviceId(ServiceReference<?> reference) {
        return (Long) reference.getProperty(Constants.SERVICE_ID);
    }

    // ---------------------------------------------------------------- SensorConnections

    @Override
    public List<SensorStatus> statuses() {
        SensorManager manager = active();
        return manager != null ? manager.statuses() : board.statuses();
    }

    @Override
    public Optional<SensorStatus> status(String sensorInstanceId) {
        SensorManager manager = active();
        return manager != null ? manager.status(sensorInstanceId) : board.status(sensorInstanceId);
    }
}
