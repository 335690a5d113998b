package org.iasplatform.alerts.internal;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.alert.Alert;
import org.iasplatform.api.alert.AlertFilter;
import org.iasplatform.api.alert.Alerts;
import org.iasplatform.api.app.AppRepository;
import org.iasplatform.api.deploy.InstanceRegistry;
import org.iasplatform.api.messaging.Leadership;
import org.iasplatform.api.messaging.LeadershipListener;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.sensor.SensorConnections;
import org.iasplatform.api.sensor.SensorRegistry;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.client.MongoClient;

/**
 * The alerts: stores them in {@code alerts.alerts} ({@link AlertStore}), serves them as {@link Alerts}, and — while this
 * platform instance leads the role {@value #ROLE} — runs the {@link AlertChecker} every {@code check_period_ms}, so that
 * each alert is raised once however many platform instances run. Every change of an alert is published on
 * {@link Alerts#TOPIC}.
 */
@Component(service = Alerts.class, immediate = true, configurationPid = "org.iasplatform.alerts",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = AlertsComponent.Config.class)
public class AlertsComponent implements Alerts {
    private static final Logger LOG = LoggerFactory.getLogger(AlertsComponent.class);
    static final String ROLE = "alerts";

    @ObjectClassDefinition(name = "IAS alerts", description = "Alerts on silent or disconnected sensors and failed "
            + "algorithm instances.")
    public @interface Config {
        @AttributeDefinition(name = "Check period (ms)", description = "How often the leader checks sensors and instances.",
                min = "100")
        long check__period__ms() default 5000;

        @AttributeDefinition(name = "Default silence limit (s)", description = "For sensor types without max_silence_seconds: "
                + "the longest a connected sensor may send no reading before an alert; 0: no limit.", min = "0")
        long default__max__silence__seconds() default 0;

        @AttributeDefinition(name = "Disconnect grace (s)", description = "How long a sensor must stay DISCONNECTED before "
                + "the alert (rides over a reconnect).", min = "0")
        long disconnect__grace__seconds() default 10;
    }

    private final AlertStore store;
    private final Messaging messaging;
    private final AlertJson json = new AlertJson();
    private final Clock clock = Clock.systemUTC();
    private final AlertChecker checker;
    private final long periodMs;
    private final ScheduledExecutorService executor;
    private final Leadership leadership;
    private ScheduledFuture<?> checks;

    @Activate
    public AlertsComponent(@Reference(target = "(ias.store=platform)") MongoClient mongo, @Reference Messaging messaging,
            @Reference SensorRegistry registry, @Reference SensorConnections connections,
            @Reference InstanceRegistry instances, @Reference AppRepository apps, Config config) {
        this.store = new AlertStore(mongo.getDatabase(AlertStore.DATABASE).getCollection(AlertStore.COLLECTION));
        this.messaging = messaging;
        this.periodMs = Math.max(100, config.check__period__ms());
        store.createIndexes();
        try {
            messaging.ensureTopics(List.of(TOPIC));
        } catch (MessagingException e) {
            LOG.warn("could not create the topic {} now ({}); the first alert published creates it", TOPIC, e.getMessage());
        }
        this.checker = new AlertChecker(store, registry, connections, instances, apps, clock,
                Math.max(0, config.default__max__silence__seconds()),
                Math.max(0, config.disconnect__grace__seconds()) * 1000, this::publish);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ias-alerts-checker");
            t.setDaemon(true);
            return t;
        });
        this.leadership = messaging.lead(ROLE, new LeadershipListener() {
            @Override
            public void elected() {
                startChecks();
            }

            @Override
            public void revoked() {
                stopChecks();
            }
        });
    }

    @Deactivate
    void deactivate() {
        leadership.close();
        stopChecks();
        executor.shutdownNow();
    }

    private synchronized void startChecks() {
        if (checks == null) {
            LOG.info("this platform instance leads the alerts: checking sensors and instances every {} ms", periodMs);
            checks = executor.scheduleWithFixedDelay(this::checkOnce, 0, periodMs, TimeUnit.MILLISECONDS);
        }
    }

    private void stopChecks() {
        ScheduledFuture<?> running;
        synchronized (this) {
            running = checks;
            checks = null;
        }
        if (running != null) {
            running.cancel(false);
            try {
                // the round under way ends before another leader's begins
                executor.submit(() -> { }).get(periodMs + 30_000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.debug("waiting for the last alert check: {}", e.toString());
            }
        }
    }

    private void checkOnce() {
        try {
            checker.check();
        } catch (RuntimeException e) {
            LOG.warn("alert check failed, trying again in {} ms: {}", periodMs, e.toString());
        }
    }

    private void publish(Alert alert) {
        messaging.publish(TOPIC, alert.id(), json.write(alert)).exceptionally(e -> {
            LOG.warn("alert {} is stored but could not be published on {}: {}", alert.id(), TOPIC, e.toString());
            return null;
        });
    }

    @Override
    public List<Alert> list(AlertFilter filter, String user, Collection<String> roles) {
        return store.list(filter, user, roles);
    }

    @Override
    public Optional<Alert> alert(String id, String user, Collection<String> roles) {
        return store.alert(id, user, roles);
    }

    @Override
    public Alert acknowledge(String id, String user, Collection<String> roles) throws IasException {
        if (user == null || user.isBlank()) {
            throw new IasException(ErrorKind.INVALID, "user", "an acknowledgement needs the user who gives it");
        }
        boolean before = store.alert(id, user, roles).map(a -> a.acknowledgedAt() == null).orElse(false);
        Alert alert = store.acknowledge(id, user, roles, clock.instant()).orElseThrow(() -> new IasException(
                ErrorKind.NOT_FOUND, "id", "no alert '" + id + "' is for you (" + user + " or your roles " + roles + ")"));
        if (before && alert.acknowledgedAt() != null) {
            publish(alert);
        }
        return alert;
    }
}
