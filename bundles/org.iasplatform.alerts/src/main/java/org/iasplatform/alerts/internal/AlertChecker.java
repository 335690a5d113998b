package org.iasplatform.alerts.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import org.iasplatform.api.alert.Alert;
import org.iasplatform.api.alert.AlertKind;
import org.iasplatform.api.app.AppRepository;
import org.iasplatform.api.app.AppVersion;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceRegistry;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.sensor.ConnectionState;
import org.iasplatform.api.sensor.SensorConnections;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorStatus;
import org.iasplatform.api.sensor.SensorType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round of checks, run by the leader of the role "alerts" only (so each alert is raised once across platform
 * instances): every registered sensor instance against its status (DISCONNECTED, or silent longer than its type's
 * {@code max_silence_seconds} or the configured default), every algorithm instance against FAILED. A condition that begins
 * raises an alert (unless one is ACTIVE for it), one that ended resolves it; each change is handed to {@code changed}.
 * Not thread-safe: one round at a time.
 */
final class AlertChecker {
    private static final Logger LOG = LoggerFactory.getLogger(AlertChecker.class);
    static final String CONFIGURATOR = "configurator";
    static final String DEVELOPER = "developer";

    private final AlertStore store;
    private final SensorRegistry registry;
    private final SensorConnections connections;
    private final InstanceRegistry instances;
    private final AppRepository apps;
    private final Clock clock;
    private final long defaultMaxSilenceSeconds;
    private final long disconnectGraceMs;
    private final Consumer<Alert> changed;
    /** When this checker first saw a sensor DISCONNECTED in the current spell (sensor id → ms). */
    private final Map<String, Long> disconnectedSince = new HashMap<>();
    /** When this checker first saw a sensor with no reading at all (sensor id → ms). */
    private final Map<String, Long> watchedSince = new HashMap<>();

    AlertChecker(AlertStore store, SensorRegistry registry, SensorConnections connections, InstanceRegistry instances,
            AppRepository apps, Clock clock, long defaultMaxSilenceSeconds, long disconnectGraceMs, Consumer<Alert> changed) {
        this.store = store;
        this.registry = registry;
        this.connections = connections;
        this.instances = instances;
        this.apps = apps;
        this.clock = clock;
        this.defaultMaxSilenceSeconds = defaultMaxSilenceSeconds;
        this.disconnectGraceMs = disconnectGraceMs;
        this.changed = changed;
    }

    /** One round: sensors, then algorithm instances. */
    void check() {
        checkSensors();
        checkInstances();
    }

    void checkSensors() {
        long now = clock.millis();
        Instant at = Instant.ofEpochMilli(now);
        Map<String, SensorType> types = new HashMap<>();
        registry.sensorTypes().forEach(t -> types.put(t.name(), t));
        Map<String, SensorStatus> statuses = new HashMap<>();
        connections.statuses().forEach(s -> statuses.put(s.sensorInstanceId(), s));
        Set<String> registered = new HashSet<>();
        for (SensorInstance sensor : registry.sensorInstances(null, Map.of())) {
            registered.add(sensor.id());
            SensorStatus status = statuses.get(sensor.id());
            if (status == null) {
                continue; // not served (yet), or its status not known here: nothing to conclude
            }
            if (status.state() == ConnectionState.DISCONNECTED) {
                watchedSince.remove(sensor.id());
                long since = disconnectedSince.computeIfAbsent(sensor.id(), id -> now);
                if (now - since >= disconnectGraceMs) {
                    String detail = status.detail() == null || status.detail().isBlank() ? "" : ": " + status.detail();
                    raise(AlertKind.SENSOR_DISCONNECTED, sensor.id(), "sensor instance " + sensor.id() + " (type "
                            + sensor.sensorType() + ", " + sensor.ip() + ":" + sensor.port() + ") is DISCONNECTED" + detail,
                            List.of(CONFIGURATOR), List.of(), at);
                }
                continue;
            }
            disconnectedSince.remove(sensor.id());
            resolve(AlertKind.SENSOR_DISCONNECTED, sensor.id(), at);
            long limitSeconds = silenceLimit(types.get(sensor.sensorType()));
            if (limitSeconds <= 0) {
                resolve(AlertKind.SENSOR_SILENT, sensor.id(), at);
                continue;
            }
            long last = status.lastReadingAt() > 0 ? status.lastReadingAt() : watchedSince.computeIfAbsent(sensor.id(), id -> now);
            if (status.lastReadingAt() > 0) {
                watchedSince.remove(sensor.id());
            }
            long silentMs = now - last;
            if (silentMs > limitSeconds * 1000) {
                raise(AlertKind.SENSOR_SILENT, sensor.id(), "sensor instance " + sensor.id() + " (type "
                        + sensor.sensorType() + ") sent no reading for " + silentMs / 1000 + " s"
                        + (status.lastReadingAt() > 0 ? " (last at " + Instant.ofEpochMilli(last) + ")" : " (none yet)")
                        + "; its type allows at most " + limitSeconds + " s", List.of(CONFIGURATOR), List.of(), at);
            } else {
                resolve(AlertKind.SENSOR_SILENT, sensor.id(), at);
            }
        }
        disconnectedSince.keySet().retainAll(registered);
        watchedSince.keySet().retainAll(registered);
        for (AlertKind kind : List.of(AlertKind.SENSOR_DISCONNECTED, AlertKind.SENSOR_SILENT)) {
            store.active(kind).stream().filter(a -> !registered.contains(a.subject()))
                    .forEach(a -> resolve(kind, a.subject(), at));
        }
    }

    void checkInstances() {
        Instant at = clock.instant();
        Set<String> failed = new HashSet<>();
        for (InstanceInfo instance : instances.instances()) {
            if (instance.state() != InstanceState.FAILED) {
                continue;
            }
            failed.add(instance.instanceId());
            if (store.active(AlertKind.INSTANCE_FAILED, instance.instanceId()).isPresent()) {
                continue;
            }
            Optional<String> uploader = uploader(instance);
            String message = "algorithm instance " + instance.instanceId() + " (" + instance.applicationName() + "/"
                    + instance.algorithmName() + ", job " + instance.jobId() + ") is FAILED"
                    + (instance.node() == null ? "" : " on node " + instance.node())
                    + (instance.reason() == null || instance.reason().isBlank() ? "" : ": " + instance.reason());
            raise(AlertKind.INSTANCE_FAILED, instance.instanceId(), message,
                    uploader.isPresent() ? List.of(CONFIGURATOR) : List.of(DEVELOPER, CONFIGURATOR),
                    uploader.map(List::of).orElse(List.of()), at);
        }
        store.active(AlertKind.INSTANCE_FAILED).stream().filter(a -> !failed.contains(a.subject()))
                .forEach(a -> resolve(AlertKind.INSTANCE_FAILED, a.subject(), at));
    }

    private long silenceLimit(SensorType type) {
        if (type != null && type.maxSilenceSeconds() != null && type.maxSilenceSeconds() > 0) {
            return type.maxSilenceSeconds();
        }
        return defaultMaxSilenceSeconds;
    }

    /** Who uploaded the app version the instance runs (else the latest version), if the repository knows. */
    private Optional<String> uploader(InstanceInfo instance) {
        String app = instance.applicationId() != null ? instance.applicationId() : instance.applicationName();
        if (app == null) {
            return Optional.empty();
        }
        try {
            Optional<AppVersion> version = instance.appVersion() > 0 ? apps.version(app, instance.appVersion())
                    : Optional.empty();
            return version.or(() -> apps.latest(app)).map(AppVersion::uploadedBy).filter(u -> !u.isBlank());
        } catch (RuntimeException e) {
            LOG.debug("the uploader of app {} is not known: {}", app, e.toString());
            return Optional.empty();
        }
    }

    private void raise(AlertKind kind, String subject, String message, List<String> roles, List<String> users, Instant at) {
        store.raise(kind, subject, message, roles, users, at).ifPresent(alert -> {
            LOG.info("alert {} raised: {} (for roles {}, users {})", alert.id(), message, roles, users);
            changed.accept(alert);
        });
    }

    private void resolve(AlertKind kind, String subject, Instant at) {
        store.resolve(kind, subject, at).ifPresent(alert -> {
            LOG.info("alert {} resolved: {} of {} ended", alert.id(), kind, subject);
            changed.accept(alert);
        });
    }
}
