package org.iasplatform.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.manager.PlatformManager;
import org.iasplatform.api.manager.RegistrationOutcome;
import org.iasplatform.api.sensor.ConnectionState;
import org.iasplatform.api.sensor.ControlCommand;
import org.iasplatform.api.sensor.SensorConnections;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorStatus;
import org.iasplatform.api.sensor.SensorType;
import org.iasplatform.api.validation.ValidationError;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

public class ShellCommandsTest {
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final List<Object> calls = new ArrayList<>();
    private IasException failure;

    private final SensorInstance si1 = new SensorInstance("si-1", "gps", "10.0.0.5", 5001, null, Map.of("bus-id", "7"),
            "sensor_data_si-1", "sensor_control_si-1");
    private final SensorInstance si2 = new SensorInstance("si-2", "temp", "10.0.0.6", 5002, null, Map.of("bus-id", "8"),
            "sensor_data_si-2", "sensor_control_si-2");

    private final PlatformManager manager = new PlatformManager() {
        @Override
        public RegistrationOutcome<String> registerSensorTypes(JsonNode document) throws IasException {
            check();
            calls.add(document);
            return new RegistrationOutcome<>("r-1", true, List.of("gps", "temp"));
        }

        @Override
        public void deleteSensorType(String name) throws IasException {
            check();
            calls.add(name);
        }

        @Override
        public RegistrationOutcome<SensorInstance> registerSensorInstances(JsonNode document) throws IasException {
            check();
            return new RegistrationOutcome<>("r-2", false, List.of());
        }

        @Override
        public void deleteSensorInstance(String id) throws IasException {
            check();
        }

        @Override
        public void sendControl(String id, ControlCommand command) throws IasException {
            check();
            calls.add(id);
            calls.add(command);
        }

        private void check() throws IasException {
            if (failure != null) {
                throw failure;
            }
        }
    };

    private final SensorRegistry registry = new SensorRegistry() {
        @Override
        public List<SensorType> sensorTypes() {
            return List.of(new SensorType("gps", "acme", Map.of(), null));
        }

        @Override
        public Optional<SensorType> sensorType(String name) {
            return sensorTypes().stream().filter(t -> t.name().equals(name)).findFirst();
        }

        @Override
        public List<SensorInstance> sensorInstances(String type, Map<String, String> tags) {
            return List.of(si1, si2).stream().filter(i -> type == null || i.sensorType().equals(type)).filter(i -> i.matches(tags))
                    .toList();
        }

        @Override
        public Optional<SensorInstance> sensorInstance(String id) {
            return sensorInstances(null, Map.of()).stream().filter(i -> i.id().equals(id)).findFirst();
        }
    };

    private <T extends IasAction> T wire(T action) {
        action.out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        action.err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        return action;
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    public void scalarsParseAsJsonWhenTheyCan() {
        ObjectMapper m = Shell.mapper();
        assertEquals(3, Shell.scalar(m, "3"));
        assertEquals(2.5, Shell.scalar(m, "2.5"));
        assertEquals(true, Shell.scalar(m, "true"));
        assertNull(Shell.scalar(m, "null"));
        assertEquals("quoted text", Shell.scalar(m, "\"quoted text\""));
        assertEquals("on", Shell.scalar(m, "on"));
        assertEquals("007", Shell.scalar(m, "007"));
        assertEquals("{\"a\":1}", Shell.scalar(m, "{\"a\":1}"));
        assertEquals("", Shell.scalar(m, ""));
    }

    @Test
    public void keyValues() throws Exception {
        assertEquals(Map.of("a", "1", "b", "x=y"), Shell.keyValues(List.of("a=1", "b=x=y"), "--tag"));
        assertEquals(Map.of(), Shell.keyValues(null, "--tag"));
        try {
            Shell.keyValues(List.of("novalue"), "--tag");
            fail();
        } catch (IasException e) {
            assertEquals("--tag", e.errors().get(0).path());
        }
    }

    @Test
    public void controlSendsTypedParams() throws Exception {
        SendControlCommand c = wire(new SendControlCommand());
        c.platformManager = manager;
        c.id = "si-1";
        c.function = "setLevel";
        c.params = List.of("level=3", "mode=eco", "on=true");
        c.execute();
        assertEquals("si-1", calls.get(0));
        ControlCommand sent = (ControlCommand) calls.get(1);
        assertEquals("setLevel", sent.function());
        assertEquals(Map.of("level", 3, "mode", "eco", "on", true), sent.params());
        assertTrue(out(), out().contains("Sent"));
    }

    @Test
    public void refusalsArePrintedAsPathAndMessage() throws Exception {
        failure = new IasException(ErrorKind.UNPROCESSABLE, List.of(new ValidationError("/params/level", "expected an int"),
                new ValidationError("", "whole document")));
        SendControlCommand c = wire(new SendControlCommand());
        c.platformManager = manager;
        c.id = "si-1";
        c.function = "setLevel";
        assertNull(c.execute());
        assertEquals("/params/level: expected an int\n(document): whole document\n", err().replace("\r", ""));
        assertFalse(err().contains("Exception"));
    }

    @Test
    public void registerReadsTheFileAndReportsMalformedJsonWithItsLocation() throws Exception {
        Path good = Files.createTempFile("types", ".json");
        Files.writeString(good, "{\"sensor_type_list\": [{\"sensor_type_name\": \"gps\"}]}");
        RegisterSensorTypesCommand c = wire(new RegisterSensorTypesCommand());
        c.platformManager = manager;
        c.file = good.toString();
        c.execute();
        assertTrue(out(), out().contains("Registered 2 sensor type(s): gps, temp"));

        Path bad = Files.createTempFile("types", ".json");
        Files.writeString(bad, "{\n  \"sensor_type_name\": \"gps\",\n}");
        c = wire(new RegisterSensorTypesCommand());
        c.platformManager = manager;
        c.file = bad.toString();
        c.execute();
        assertTrue(err(), err().startsWith(bad.toString() + ": malformed JSON at line 3, column 1"));

        c = wire(new RegisterSensorTypesCommand());
        c.platformManager = manager;
        c.file = bad + ".missing";
        c.execute();
        assertTrue(err(), err().contains("no such file"));
        assertEquals(1, calls.size());
    }

    @Test
    public void pendingRegistrationSaysWhereToLook() throws Exception {
        Path file = Files.createTempFile("instances", ".json");
        Files.writeString(file, "[]");
        RegisterSensorInstancesCommand c = wire(new RegisterSensorInstancesCommand());
        c.platformManager = manager;
        c.file = file.toString();
        c.execute();
        assertTrue(out(), out().contains("r-2") && out().contains("ias:sensor-instances"));
    }

    @Test
    public void sensorInstancesTableWithFiltersAndStatus() throws Exception {
        SensorInstancesCommand c = wire(new SensorInstancesCommand());
        c.registry = registry;
        c.connections = new SensorConnections() {
            @Override
            public List<SensorStatus> statuses() {
                return List.of(status("si-1").orElseThrow());
            }

            @Override
            public Optional<SensorStatus> status(String id) {
                return id.equals("si-1") ? Optional.of(new SensorStatus("si-1", ConnectionState.CONNECTED, "jsonlines 0.1", 42, 3, 0, ""))
                        : Optional.empty();
            }
        };
        c.tags = List.of("bus-id=7");
        c.execute();
        String table = out();
        assertTrue(table, table.contains("si-1"));
        assertTrue(table, table.contains("10.0.0.5:5001"));
        assertTrue(table, table.contains("bus-id=7"));
        assertTrue(table, table.contains("CONNECTED"));
        assertTrue(table, table.contains("42"));
        assertFalse(table, table.contains("si-2"));
    }

    @Test
    public void unknownSensorTypeIsReported() throws Exception {
        SensorTypeCommand c = wire(new SensorTypeCommand());
        c.registry = registry;
        c.name = "nope";
        c.execute();
        assertEquals("name: no sensor type named 'nope' is registered\n", err().replace("\r", ""));
        c = wire(new SensorTypeCommand());
        c.registry = registry;
        c.name = "gps";
        c.execute();
        assertTrue(out(), out().contains("\"sensor_type_name\" : \"gps\""));
    }
}
