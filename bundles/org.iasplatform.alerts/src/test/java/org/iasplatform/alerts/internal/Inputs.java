package org.iasplatform.alerts.internal;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.iasplatform.api.IasException;
import org.iasplatform.api.app.AppRepository;
import org.iasplatform.api.app.AppVersion;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceLogLine;
import org.iasplatform.api.deploy.InstanceRegistry;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.sensor.ConnectionState;
import org.iasplatform.api.sensor.SensorConnections;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorStatus;
import org.iasplatform.api.sensor.SensorType;

/**
 * What the alert checker reads, held in memory: the sensor registry, the sensor manager's statuses, the instance
 * records and the app repository (the checker's inputs, owned by other bundles), and a clock the test moves.
 */
final class Inputs implements SensorRegistry, SensorConnections, InstanceRegistry, AppRepository {
    final Map<String, SensorType> types = new LinkedHashMap<>();
    final Map<String, SensorInstance> sensors = new LinkedHashMap<>();
    final Map<String, SensorStatus> statuses = new LinkedHashMap<>();
    final Map<String, InstanceInfo> instances = new LinkedHashMap<>();
    final Map<String, AppVersion> apps = new LinkedHashMap<>();
    final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));

    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void advanceSeconds(long s) {
            now = now.plusSeconds(s);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    void type(String name, Long maxSilenceSeconds) {
        types.put(name, new SensorType(name, "acme", Map.of(), null, maxSilenceSeconds));
    }

    void sensor(String id, String type) {
        sensors.put(id, new SensorInstance(id, type, "127.0.0.1", 5000, null, Map.of(), "sensor_data_" + id, "sensor_control_" + id));
    }

    void status(String id, ConnectionState state, long lastReadingAt) {
        statuses.put(id, new SensorStatus(id, state, "driver", 0, 0, lastReadingAt,
                state == ConnectionState.DISCONNECTED ? "connection refused" : ""));
    }

    void instance(String id, String app, InstanceState state, String reason) {
        instances.put(id, new InstanceInfo(id, app, app + "-id", 1, "algo", "job-" + id, "process", "node-a", state, 0, 1,
                null, null, null, reason, List.of()));
    }

    void app(String name, String uploadedBy) {
        apps.put(name + "-id", new AppVersion(name + "-id", name, 1, null, uploadedBy, Instant.EPOCH, 0, "", "", "", false,
                List.of(), null));
    }

    @Override
    public List<SensorType> sensorTypes() {
        return new ArrayList<>(types.values());
    }

    @Override
    public Optional<SensorType> sensorType(String name) {
        return Optional.ofNullable(types.get(name));
    }

    @Override
    public List<SensorInstance> sensorInstances(String sensorType, Map<String, String> tags) {
        return sensors.values().stream().filter(s -> sensorType == null || s.sensorType().equals(sensorType)).toList();
    }

    @Override
    public Optional<SensorInstance> sensorInstance(String id) {
        return Optional.ofNullable(sensors.get(id));
    }

    @Override
    public List<SensorStatus> statuses() {
        return new ArrayList<>(statuses.values());
    }

    @Override
    public Optional<SensorStatus> status(String sensorInstanceId) {
        return Optional.ofNullable(statuses.get(sensorInstanceId));
    }

    @Override
    public List<InstanceInfo> instances() {
        return new ArrayList<>(instances.values());
    }

    @Override
    public Optional<InstanceInfo> instance(String instanceId) {
        return Optional.ofNullable(instances.get(instanceId));
    }

    @Override
    public List<InstanceLogLine> logs(String instanceId, int tail) {
        return List.of();
    }

    @Override
    public Optional<InstanceInfo> authenticate(String instanceId, String token) {
        return Optional.empty();
    }

    @Override
    public Optional<InstanceInfo> authenticate(String token) {
        return Optional.empty();
    }

    @Override
    public AppVersion upload(InputStream zip, String applicationId, String uploadedBy) throws IasException {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<AppVersion> apps() {
        return new ArrayList<>(apps.values());
    }

    @Override
    public List<AppVersion> versions(String applicationIdOrName) {
        return latest(applicationIdOrName).map(List::of).orElse(List.of());
    }

    @Override
    public Optional<AppVersion> latest(String applicationIdOrName) {
        return apps.values().stream().filter(a -> a.applicationId().equals(applicationIdOrName)
                || a.applicationName().equals(applicationIdOrName)).findFirst();
    }

    @Override
    public Optional<AppVersion> version(String applicationIdOrName, int version) {
        return latest(applicationIdOrName).filter(a -> version <= 0 || a.version() == version);
    }

    @Override
    public void download(String applicationIdOrName, int version, OutputStream out) throws IasException {
        throw new UnsupportedOperationException();
    }

    @Override
    public void delete(String applicationIdOrName) throws IasException {
        throw new UnsupportedOperationException();
    }
}
