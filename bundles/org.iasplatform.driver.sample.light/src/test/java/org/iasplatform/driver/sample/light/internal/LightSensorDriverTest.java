package org.iasplatform.driver.sample.light.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.iasplatform.api.sensor.ControlCommand;
import org.iasplatform.api.sensor.SensorConnection;
import org.iasplatform.api.sensor.SensorConnectionContext;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorType;
import org.junit.Test;

public class LightSensorDriverTest {
    private static final LightSensorDriver.Config CONFIG = new LightSensorDriver.Config() {
        @Override
        public Class<? extends Annotation> annotationType() {
            return LightSensorDriver.Config.class;
        }

        @Override
        public int connect__timeout__ms() {
            return 1000;
        }

        @Override
        public int reconnect__delay__ms() {
            return 20;
        }

        @Override
        public int reconnect__max__ms() {
            return 200;
        }

        @Override
        public int max__line__bytes() {
            return 64;
        }
    };

    private final BlockingQueue<Object> calls = new LinkedBlockingQueue<>();

    private SensorConnectionContext context(int port) {
        SensorInstance instance = new SensorInstance("si-light", "light-sensor", "127.0.0.1", port, 1, Map.of(), "d", "c");
        return new SensorConnectionContext() {
            @Override
            public SensorInstance instance() {
                return instance;
            }

            @Override
            public SensorType type() {
                return null;
            }

            @Override
            public boolean reading(Map<String, Object> data) {
                return calls.add(data);
            }

            @Override
            public void invalid(String reason) {
                calls.add("invalid: " + reason);
            }

            @Override
            public void connected() {
                calls.add("connected");
            }

            @Override
            public void disconnected(String reason) {
                calls.add("disconnected: " + reason);
            }
        };
    }

    private Object next() throws InterruptedException {
        Object call = calls.poll(10, TimeUnit.SECONDS);
        if (call == null) {
            throw new AssertionError("no call from the driver");
        }
        return call;
    }

    @Test
    public void readsLightReadingsAndSendsControlCommands() throws Exception {
        LightSensorDriver driver = new LightSensorDriver(CONFIG, "1.0.0.test");
        try (ServerSocket device = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            SensorConnection connection = driver.connect(context(device.getLocalPort()));
            try (Socket client = device.accept()) {
                assertEquals("connected", next());
                OutputStream out = client.getOutputStream();
                out.write(("{\"lux\": 5}\n42\ngarbage\n" + "9".repeat(200) + "\n{\"lux\": 6}\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                assertEquals(Map.of("lux", 5), next());
                assertEquals(Map.of("lux", 42), next());
                assertTrue(((String) next()).startsWith("invalid: not JSON"));
                assertEquals("invalid: line longer than 64 bytes", next());
                assertEquals(Map.of("lux", 6), next());

                connection.control(new ControlCommand("switchOnLight", Map.of("level", 4)));
                BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("{\"function\":\"switchOnLight\",\"params\":{\"level\":4}}", in.readLine());

                long start = System.nanoTime();
                driver.deactivate();
                assertTrue("closed promptly", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 1000);
                assertEquals("device sees the connection closed", null, in.readLine());
            }
        }
    }

    @Test
    public void reportsDisconnectionAndReconnects() throws Exception {
        LightSensorDriver driver = new LightSensorDriver(CONFIG, "1.0.0.test");
        try (ServerSocket device = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            SensorConnection connection = driver.connect(context(device.getLocalPort()));
            device.accept().close();
            assertEquals("connected", next());
            assertEquals("disconnected: device closed the connection", next());
            try (Socket again = device.accept()) {
                assertEquals("connected", next());
            }
            connection.close();
        }
    }
}
