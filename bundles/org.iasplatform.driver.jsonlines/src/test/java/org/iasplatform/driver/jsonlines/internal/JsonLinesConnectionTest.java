package org.iasplatform.driver.jsonlines.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.iasplatform.api.sensor.ControlCommand;
import org.iasplatform.api.sensor.SensorConnection;
import org.junit.After;
import org.junit.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

public class JsonLinesConnectionTest {
    private static final Settings FAST = new Settings(1000, 20, 200, 1024);
    private final ObjectMapper mapper = new ObjectMapper();
    private TestDevice device;
    private JsonLinesDriver driver = new JsonLinesDriver(FAST);
    private SensorConnection connection;

    @After
    public void tearDown() throws IOException {
        if (connection != null) {
            connection.close();
        }
        driver.deactivate();
        if (device != null) {
            device.close();
        }
    }

    private RecordingContext connect() {
        RecordingContext context = new RecordingContext(device.port());
        connection = driver.connect(context);
        return context;
    }

    @Test
    public void readingsFlowFromTheDevice() throws Exception {
        device = new TestDevice(0);
        RecordingContext context = connect();
        device.awaitClient(10_000);
        assertEquals("connected", RecordingContext.poll(context.events, "connected"));
        device.send("{\"lux\": 12}\n{\"placeholder\":\"bus\",\"x\":1.5,\"y\":-2}\r\n");
        assertEquals(Map.of("lux", 12), RecordingContext.poll(context.readings, "first reading"));
        assertEquals(Map.of("placeholder", "bus", "x", 1.5, "y", -2), RecordingContext.poll(context.readings, "second"));
    }

    @Test
    public void garbageAndOverlongLinesAreCountedInvalidAndReadingGoesOn() throws Exception {
        device = new TestDevice(0);
        RecordingContext context = connect();
        device.awaitClient(10_000);
        String overlong = "{\"lux\": \"" + "x".repeat(5000) + "\"}";
        device.send("garbage\n[1,2]\n{\"lux\": 1} trailing\n" + overlong + "\n\n{\"lux\": 7}\n");
        // a 4 MB line with no newline yet must not be buffered nor stop the reading
        String chunk = "y".repeat(64 * 1024);
        for (int i = 0; i < 64; i++) {
            device.send(chunk);
        }
        device.send("\n{\"lux\": 8}\n");
        assertEquals(Map.of("lux", 7), RecordingContext.poll(context.readings, "reading after garbage"));
        assertEquals(Map.of("lux", 8), RecordingContext.poll(context.readings, "reading after a 4 MB line"));
        assertTrue(RecordingContext.poll(context.invalid, "garbage").startsWith("not JSON"));
        assertTrue(RecordingContext.poll(context.invalid, "array").startsWith("not a JSON object"));
        assertTrue(RecordingContext.poll(context.invalid, "trailing tokens").startsWith("not JSON"));
        assertTrue(RecordingContext.poll(context.invalid, "overlong").contains("longer than 1024 bytes"));
        assertTrue(RecordingContext.poll(context.invalid, "4 MB line").contains("4194304 bytes"));
        assertTrue("the blank line is not counted: " + context.invalid, context.invalid.isEmpty());
    }

    @Test
    public void controlCommandReachesTheDeviceAsOneLine() throws Exception {
        device = new TestDevice(0);
        RecordingContext context = connect();
        device.awaitClient(10_000);
        RecordingContext.poll(context.events, "connected");
        connection.control(new ControlCommand("switchOnLight", Map.of("level", 3)));
        String line = RecordingContext.poll(device.received, "control line");
        assertEquals(mapper.readTree("{\"function\":\"switchOnLight\",\"params\":{\"level\":3}}"), mapper.readTree(line));
    }

    @Test
    public void controlWithoutDeviceFailsAndDisconnectionIsReported() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        RecordingContext context = new RecordingContext(port);
        connection = driver.connect(context);
        assertTrue(context.awaitEvent("disconnected").contains("cannot connect to 127.0.0.1:" + port));
        try {
            connection.control(new ControlCommand("switchOnLight", Map.of("level", 1)));
            fail("control without a device must fail");
        } catch (IOException e) {
            assertEquals("device not connected", e.getMessage());
        }
    }

    @Test
    public void reconnectsWhenTheDeviceComesBackOnTheSamePort() throws Exception {
        device = new TestDevice(0);
        int port = device.port();
        RecordingContext context = connect();
        device.awaitClient(10_000);
        assertEquals("connected", RecordingContext.poll(context.events, "connected"));
        device.send("{\"lux\": 1}\n");
        RecordingContext.poll(context.readings, "reading before restart");

        device.close();
        assertTrue(context.awaitEvent("disconnected").startsWith("disconnected"));
        device = TestDevice.rebind(port, 10_000);
        device.awaitClient(10_000);
        context.awaitEvent("connected");
        device.send("{\"lux\": 2}\n");
        assertEquals(Map.of("lux", 2), RecordingContext.poll(context.readings, "reading after restart"));
        connection.control(new ControlCommand("switchOnLight", Map.of()));
        assertTrue(RecordingContext.poll(device.received, "control after restart").contains("switchOnLight"));
    }

    @Test
    public void aConnectionThatMetItselfIsRecognised() throws Exception {
        // reproduce the self-connection deterministically: bind the client to the port it connects to
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            int port = socket.getLocalPort();
            socket.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 2000);
            assertTrue(JsonLinesConnection.isSelfConnection(socket));
        }
        try (TestDevice real = new TestDevice(0); java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), real.port()), 2000);
            assertTrue(!JsonLinesConnection.isSelfConnection(socket));
        }
    }

    @Test
    public void closeEndsPromptlyAndStopsReporting() throws Exception {
        device = new TestDevice(0);
        RecordingContext context = connect();
        device.awaitClient(10_000);
        RecordingContext.poll(context.events, "connected");
        long start = System.nanoTime();
        connection.close();
        long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue("close took " + closeMs + " ms", closeMs < 1000);
        assertEquals("<EOF>", RecordingContext.poll(device.received, "device sees the connection closed"));
        assertEquals(0, driver.openConnections());
        int calls = context.calls.get();
        device.send("{\"lux\": 3}\n");
        assertFalse(context.events.stream().anyMatch(e -> e.startsWith("disconnected")));
        assertEquals(calls, context.calls.get());
    }

    @Test
    public void closeDuringBackoffEndsPromptly() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        JsonLinesDriver slow = new JsonLinesDriver(new Settings(1000, 60_000, 60_000, 1024));
        RecordingContext context = new RecordingContext(port);
        SensorConnection c = slow.connect(context);
        context.awaitEvent("disconnected");
        long start = System.nanoTime();
        c.close();
        long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue("close took " + closeMs + " ms", closeMs < 1000);
        assertEquals(0, slow.openConnections());
    }

    @Test
    public void reconnectBackoffDoublesUpToItsMaximum() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        JsonLinesDriver backoff = new JsonLinesDriver(new Settings(1000, 40, 160, 1024));
        RecordingContext context = new RecordingContext(port);
        SensorConnection c = backoff.connect(context);
        try {
            long[] at = new long[6];
            for (int i = 0; i < at.length; i++) {
                context.awaitEvent("disconnected");
                at[i] = System.nanoTime();
            }
            long[] minimum = {40, 80, 160, 160, 160};
            for (int i = 0; i < minimum.length; i++) {
                long gapMs = TimeUnit.NANOSECONDS.toMillis(at[i + 1] - at[i]);
                assertTrue("attempt " + (i + 2) + " came after " + gapMs + " ms, expected >= " + minimum[i],
                        gapMs >= minimum[i]);
            }
        } finally {
            c.close();
        }
    }
}
