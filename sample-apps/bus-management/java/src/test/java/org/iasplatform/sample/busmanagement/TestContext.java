package org.iasplatform.sample.busmanagement;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.algorithm.AlgorithmContext;
import org.iasplatform.api.algorithm.SensorHandle;
import org.iasplatform.api.deploy.BoundSensor;
import org.iasplatform.api.sensor.Reading;

/** An AlgorithmContext for tests: sensors whose readings the test pushes, and a record of what the algorithm did. */
final class TestContext implements AlgorithmContext {
    final List<Sensor> sensors = new ArrayList<>();
    final List<Map<String, Object>> feed = new CopyOnWriteArrayList<>();
    final List<String> notifications = new CopyOnWriteArrayList<>();
    final List<String> log = new CopyOnWriteArrayList<>();
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile boolean stopped;

    TestContext sensor(String id, String type) {
        sensors.add(new Sensor(new BoundSensor(sensors.size(), id, type, "sensor_data_" + id, "sensor_control_" + id)));
        return this;
    }

    /** Requests the stop as the runtime does: marks the instance stopped, releases awaitStop. */
    void stop() {
        stopped = true;
        stop.countDown();
    }

    /** Waits (bounded) until every sensor has a subscriber. */
    void awaitSubscribed() throws InterruptedException {
        for (Sensor s : sensors) {
            if (!s.subscribed.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("sensor " + s.binding.index() + " was not subscribed");
            }
        }
    }

    @Override
    public String instanceId() {
        return "65f0c0ffee00000000000001";
    }

    @Override
    public String applicationName() {
        return "Bus_management_java";
    }

    @Override
    public String algorithmName() {
        return "test";
    }

    @Override
    public List<SensorHandle> sensors() {
        return Collections.unmodifiableList(sensors);
    }

    @Override
    public SensorHandle sensor(int index) throws IasException {
        if (index < 0 || index >= sensors.size()) {
            throw new IasException(ErrorKind.NOT_FOUND, "index", "no sensor bound at " + index);
        }
        return sensors.get(index);
    }

    @Override
    public void notify(String to, String message) {
        notifications.add(to + ": " + message);
    }

    @Override
    public void publishFeed(Map<String, Object> data) {
        feed.add(data);
    }

    @Override
    public void log(String message) {
        log.add(message);
    }

    @Override
    public boolean isStopped() {
        return stopped;
    }

    @Override
    public void awaitStop() throws InterruptedException {
        stop.await();
    }

    /** A bound sensor: pushes readings to its subscribers on the caller's thread, records control commands. */
    static final class Sensor implements SensorHandle {
        final BoundSensor binding;
        final List<Consumer<Reading>> subscribers = new CopyOnWriteArrayList<>();
        final List<String> controls = new CopyOnWriteArrayList<>();
        final CountDownLatch subscribed = new CountDownLatch(1);
        volatile IasException refuse;
        volatile int closed;

        Sensor(BoundSensor binding) {
            this.binding = binding;
        }

        void push(Map<String, Object> data, long timestamp) {
            Reading reading = new Reading(binding.sensorInstanceId(), timestamp, data);
            subscribers.forEach(s -> s.accept(reading));
        }

        @Override
        public BoundSensor binding() {
            return binding;
        }

        @Override
        public AutoCloseable subscribe(Consumer<Reading> consumer) {
            subscribers.add(consumer);
            subscribed.countDown();
            return () -> {
                subscribers.remove(consumer);
                closed++;
            };
        }

        @Override
        public void control(String function, Map<String, Object> params) throws IasException {
            if (refuse != null) {
                throw refuse;
            }
            controls.add(function + " " + params);
        }
    }
}
