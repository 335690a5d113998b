package org.iasplatform.sample.simulator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.junit.After;
import org.junit.Test;

public class SimulatedDeviceTest {
    private final List<SimulatedDevice> devices = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();

    @After
    public void tearDown() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        devices.forEach(SimulatedDevice::close);
    }

    private SimulatedDevice device(String type, Map<String, String> tags, long periodMs) throws IOException {
        SimulatedDevice device = new SimulatedDevice(type, 0, tags);
        device.setLog(log::add);
        device.setPeriodMillis(periodMs);
        devices.add(device.start());
        return device;
    }

    private final class TestClient {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        TestClient(SimulatedDevice device) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), device.port());
            socket.setSoTimeout(10_000);
            sockets.add(socket);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> reading() throws IOException {
            String line = in.readLine();
            if (line == null) {
                throw new AssertionError("device closed the connection");
            }
            return (Map<String, Object>) Json.parse(line);
        }

        void send(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
        }
    }

    @Test
    public void clientsGetReadingsOfTheirTypesShape() throws IOException {
        Map<String, Object> gps = new TestClient(device("gps-sensor", Map.of("placeholder", "bus"), 5)).reading();
        assertEquals(Set.of("placeholder", "x", "y"), gps.keySet());
        assertEquals("bus", gps.get("placeholder"));
        assertTrue(gps.get("x") instanceof Double && gps.get("y") instanceof Double);

        TestClient admin = new TestClient(device("gps-sensor", Map.of("placeholder", "admin"), 5));
        assertEquals("admin", admin.reading().get("placeholder"));

        TestClient biometricClient = new TestClient(device("biometric-sensor", Map.of(), 1));
        for (int i = 0; i < 20; i++) {
            Map<String, Object> biometric = biometricClient.reading();
            assertEquals(Set.of("person_id", "event"), biometric.keySet());
            assertTrue(biometric.get("person_id").toString().matches("P\\d{3}"));
            assertTrue(Set.of("board", "alight").contains(biometric.get("event")));
        }

        Map<String, Object> light = new TestClient(device("light-sensor", Map.of(), 5)).reading();
        assertEquals(Set.of("lux"), light.keySet());
        assertTrue(light.get("lux") instanceof Long);

        Map<String, Object> temp = new TestClient(device("temp-sensor", Map.of(), 5)).reading();
        assertEquals(Set.of("temperature"), temp.keySet());
        assertTrue(temp.get("temperature") instanceof Long);
    }

    @Test
    public void theBusMovesAlongItsRoute() throws IOException {
        TestClient bus = new TestClient(device("gps-sensor", Map.of("placeholder", "bus"), 1));
        Map<String, Object> first = bus.reading();
        Map<String, Object> second = bus.reading();
        assertTrue(!first.get("x").equals(second.get("x")) || !first.get("y").equals(second.get("y")));
    }

    @Test
    public void switchOnLightBringsDuskLuxBackAbove40() throws IOException {
        SimulatedDevice light = device("light-sensor", Map.of(), 1);
        TestClient client = new TestClient(light);
        await("dusk", () -> ((Number) light.currentState().get("lux")).intValue() < 40);
        client.send("{\"function\":\"switchOnLight\",\"params\":{\"level\":2}}");
        await("the command", () -> light.receivedCommands().size() == 1);
        assertEquals(new SimulatedDevice.Command("switchOnLight", Map.of("level", 2L),
                "{\"function\":\"switchOnLight\",\"params\":{\"level\":2}}"), light.receivedCommands().get(0));
        assertTrue(((Number) light.currentState().get("lux")).intValue() >= 40);
        String prefix = "light-sensor@" + light.port() + ": switchOnLight level=2 -> lux=";
        await("the printed outcome", () -> log.stream().anyMatch(l -> l.startsWith(prefix)));
        while (((Number) client.reading().get("lux")).intValue() < 40) {
            // readings sent before the command
        }
        assertTrue(((Number) client.reading().get("lux")).intValue() >= 40);
    }

    @Test
    public void switchOnACCoolsAndUnknownCommandsAndGarbageAreIgnored() throws IOException {
        SimulatedDevice temp = device("temp-sensor", Map.of(), 1000);
        TestClient client = new TestClient(temp);
        await("connected", () -> temp.connectedClients() == 1);
        int before = ((Number) temp.currentState().get("temperature")).intValue();
        client.send("not json at all");
        client.send("{\"function\":\"selfDestruct\",\"params\":{}}");
        client.send("{\"function\":\"switchOnAC\",\"params\":{\"time\":5}}");
        await("commands", () -> temp.receivedCommands().size() == 2);
        assertEquals("selfDestruct", temp.receivedCommands().get(0).function());
        assertTrue(((Number) temp.currentState().get("temperature")).intValue() < before);
        String name = "temp-sensor@" + temp.port();
        await("printed", () -> log.stream().anyMatch(l -> l.startsWith(name + ": switchOnAC time=5 -> temperature=")));
        assertTrue(log.stream().anyMatch(l -> l.startsWith(name + ": unknown command selfDestruct")));
        assertTrue(log.stream().anyMatch(l -> l.startsWith(name + ": ignoring a line that is not JSON")));
        assertTrue("the new state is sent at once", ((Number) client.reading().get("temperature")).intValue() < before);
    }

    @Test
    public void garbageIsInjectedAndClientsComeAndGo() throws IOException {
        SimulatedDevice light = device("light-sensor", Map.of(), 5);
        TestClient first = new TestClient(light);
        TestClient second = new TestClient(light);
        await("two clients", () -> light.connectedClients() == 2);
        light.sendRaw("garbage {");
        for (TestClient client : List.of(first, second)) {
            String line;
            do {
                line = client.in.readLine();
            } while (line != null && !line.equals("garbage {"));
            assertEquals("garbage {", line);
        }
        first.socket.close();
        await("one client left", () -> light.connectedClients() == 1);
        second.reading();
        second.reading();
        TestClient third = new TestClient(light);
        third.reading();
        assertEquals(2, light.connectedClients());
    }

    @Test
    public void floodModeSendsAsFastAsTheClientReads() throws IOException {
        SimulatedDevice gps = device("gps-sensor", Map.of("placeholder", "bus"), 60_000);
        gps.setFlood(true);
        TestClient client = new TestClient(gps);
        for (int i = 0; i < 20_000; i++) {
            client.reading();
        }
        assertTrue(gps.readingsSent() >= 20_000);
    }

    @Test
    public void closeDisconnectsClients() throws IOException {
        SimulatedDevice light = device("light-sensor", Map.of(), 5);
        TestClient client = new TestClient(light);
        client.reading();
        light.close();
        String line;
        do {
            line = client.in.readLine();
        } while (line != null);
        try {
            new Socket(InetAddress.getLoopbackAddress(), light.port()).close();
            fail("no longer listening");
        } catch (IOException expected) {
            // refused
        }
    }
}
