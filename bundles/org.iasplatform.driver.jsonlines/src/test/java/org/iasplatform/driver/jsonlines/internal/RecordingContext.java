package org.iasplatform.driver.jsonlines.internal;

import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.iasplatform.api.sensor.SensorConnectionContext;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorType;

/** Records every call a driver makes. */
final class RecordingContext implements SensorConnectionContext {
    private final SensorInstance instance;
    final BlockingQueue<Map<String, Object>> readings = new LinkedBlockingQueue<>();
    final BlockingQueue<String> invalid = new LinkedBlockingQueue<>();
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    final AtomicInteger calls = new AtomicInteger();

    RecordingContext(int port) {
        this.instance = new SensorInstance("si-test", "light-sensor", "127.0.0.1", port, 1, Map.of(), "sensor_data_si-test",
                "sensor_control_si-test");
    }

    @Override
    public SensorInstance instance() {
        return instance;
    }

    @Override
    public SensorType type() {
        return new SensorType("light-sensor", "philips", Map.of(), null);
    }

    @Override
    public boolean reading(Map<String, Object> data) {
        calls.incrementAndGet();
        readings.add(data);
        return true;
    }

    @Override
    public void invalid(String reason) {
        calls.incrementAndGet();
        invalid.add(reason);
    }

    @Override
    public void connected() {
        calls.incrementAndGet();
        events.add("connected");
    }

    @Override
    public void disconnected(String reason) {
        calls.incrementAndGet();
        events.add("disconnected: " + reason);
    }

    static <T> T poll(BlockingQueue<T> queue, String what) throws InterruptedException {
        T value = queue.poll(10, TimeUnit.SECONDS);
        if (value == null) {
            throw new AssertionError("timed out waiting for " + what);
        }
        return value;
    }

    /** Waits for the next event starting with {@code prefix}, skipping others. */
    String awaitEvent(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String event = events.poll(100, TimeUnit.MILLISECONDS);
            if (event != null && event.startsWith(prefix)) {
                return event;
            }
        }
        throw new AssertionError("no event " + prefix);
    }
}
