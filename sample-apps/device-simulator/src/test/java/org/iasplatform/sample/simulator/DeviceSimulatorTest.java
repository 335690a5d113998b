package org.iasplatform.sample.simulator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.Test;

public class DeviceSimulatorTest {
    @Test
    public void defaultsToTheFiveBusManagementDevices() {
        List<SimulatedDevice> devices = DeviceSimulator.busManagementDevices();
        assertEquals(List.of("gps-sensor@8766", "gps-sensor@8767", "biometric-sensor@8768", "light-sensor@8769",
                "temp-sensor@8770"), devices.stream().map(SimulatedDevice::name).toList());
        assertEquals("bus", devices.get(0).currentState().get("placeholder"));
        assertEquals("admin", devices.get(1).currentState().get("placeholder"));
    }

    @Test
    public void readsEveryFormOfSensorInstanceDocument() {
        assertEquals(1, DeviceSimulator.devices("{\"sensor_type\":\"light-sensor\",\"ip\":\"127.0.0.1\",\"port\":9001}").size());
        assertEquals(2, DeviceSimulator.devices("[{\"sensor_type\":\"light-sensor\",\"port\":\"9001\"},"
                + "{\"sensor_type\":\"temp-sensor\",\"port\":9002}]").size());
        try {
            DeviceSimulator.devices("[{\"sensor_type\":\"light-sensor\"}]");
            throw new AssertionError("a port is needed");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().contains("port"));
        }
    }

    @Test
    public void parsesTheCommandLine() {
        DeviceSimulator.Options options = DeviceSimulator.Options.parse(
                new String[] {"--instances", "x.json", "--period-ms=250", "--flood"});
        assertEquals("x.json", options.instances.toString());
        assertEquals(250, options.periodMillis);
        assertTrue(options.flood);
        try {
            DeviceSimulator.Options.parse(new String[] {"--period-ms", "soon"});
            throw new AssertionError("not a number");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().contains("--period-ms"));
        }
    }

    @Test
    public void jsonRoundTrips() {
        String text = "{\"a\":[1,-2.5,true,null,\"q\\\"\\n\\u00e9\"],\"b\":{},\"c\":12345678901234}";
        Object parsed = Json.parse(text);
        assertEquals(Map.of("x", 1L), Json.parse(" {\"x\" : 1} "));
        assertEquals(text.replace("\\u00e9", "\u00e9"), Json.write(parsed));
        for (String bad : new String[] {"{", "{\"a\":}", "[1,]", "{\"a\":1} x", "tru", "1.2.3", "\"\\x\""}) {
            try {
                Json.parse(bad);
                throw new AssertionError("accepted " + bad);
            } catch (IllegalArgumentException expected) {
                // refused
            }
        }
    }
}
