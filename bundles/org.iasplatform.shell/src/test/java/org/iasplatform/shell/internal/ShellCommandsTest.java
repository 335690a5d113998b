package org.iasplatform.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.security.auth.Subject;

import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.shell.api.console.CommandLine;
import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.app.AlgorithmDescriptor;
import org.iasplatform.api.app.AppRepository;
import org.iasplatform.api.app.AppVersion;
import org.iasplatform.api.deploy.BoundSensor;
import org.iasplatform.api.deploy.DeploymentInfo;
import org.iasplatform.api.deploy.DeploymentOutcome;
import org.iasplatform.api.deploy.Deployments;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceLogLine;
import org.iasplatform.api.deploy.InstanceRegistry;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.manager.PlatformManager;
import org.iasplatform.api.manager.RegistrationOutcome;
import org.iasplatform.api.messaging.SubscriptionInfo;
import org.iasplatform.api.node.NodeState;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.api.node.Nodes;
import org.iasplatform.api.sensor.ConnectionState;
import org.iasplatform.api.sensor.ControlCommand;
import org.iasplatform.api.sensor.SensorConnections;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorStatus;
import org.iasplatform.api.sensor.SensorType;
import org.iasplatform.api.service.PlatformServices;
import org.iasplatform.api.service.ServiceEvent;
import org.iasplatform.api.service.ServiceEventKind;
import org.iasplatform.api.service.ServiceHealth;
import org.iasplatform.api.service.ServiceStatus;
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

        @Override
        public DeploymentOutcome deploy(JsonNode document) throws IasException {
            check();
            calls.add(document);
            boolean done = document.has("noOfAlgo");
            return new DeploymentOutcome("r-3", done, List.of(new DeploymentOutcome.Deployed("Bus_management", "lightControl",
                    "65f0aa", "job-0123456789abcdef", done ? "SCHEDULED" : null, done ? "2025-06-01T08:00:00Z" : null)));
        }

        @Override
        public void stopDeployment(String jobId) throws IasException {
            check();
            calls.add("stop " + jobId);
        }

        @Override
        public void runDeployment(String jobId) throws IasException {
            check();
            calls.add("run " + jobId);
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

    // ---- applications, deployments, instances, nodes ----------------------------------------------------------------

    private final AppVersion busV1 = appVersion("Bus_management", 1, "alice");
    private final AppVersion busV2 = appVersion("Bus_management", 2, "bob");

    private static AppVersion appVersion(String name, int version, String by) {
        return new AppVersion("2", name, version, "869", by, Instant.parse("2025-06-01T08:0" + version + ":00Z"), 35660,
                "ab12cd34ef56ab12cd34ef56", "pkg-" + version, "", version > 1,
                List.of(new AlgorithmDescriptor("fareCalculator", "fareCalculator.py", "process",
                        List.of("gps-sensor", "biometric-sensor", "gps-sensor")),
                        new AlgorithmDescriptor("lightControl", "lightControl.py", "process", List.of("light-sensor", "gps-sensor"))),
                null);
    }

    private final AppRepository apps = new AppRepository() {
        @Override
        public AppVersion upload(InputStream zip, String applicationId, String uploadedBy) throws IasException {
            if (failure != null) {
                throw failure;
            }
            try {
                calls.add(new String(zip.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            calls.add(applicationId);
            calls.add(uploadedBy);
            return appVersion("Bus_management", 3, uploadedBy);
        }

        @Override
        public List<AppVersion> apps() {
            return List.of(busV2);
        }

        @Override
        public List<AppVersion> versions(String idOrName) {
            return idOrName.equals("2") || idOrName.equals("Bus_management") ? List.of(busV1, busV2) : List.of();
        }

        @Override
        public Optional<AppVersion> latest(String idOrName) {
            return versions(idOrName).stream().reduce((a, b) -> b);
        }

        @Override
        public Optional<AppVersion> version(String idOrName, int version) {
            return versions(idOrName).stream().filter(v -> v.version() == version).findFirst();
        }

        @Override
        public void download(String idOrName, int version, OutputStream out) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void delete(String idOrName) throws IasException {
            if (failure != null) {
                throw failure;
            }
            calls.add("delete " + idOrName);
        }
    };

    private final DeploymentInfo job1 = new DeploymentInfo("job-1", "inst-1", "Bus_management", "lightControl", "ACTIVE",
            Shell.mapper().createObjectNode().put("request_type", "start").put("start_time", "08:00").put("end_time", "18:00")
                    .put("days", "[mon, fri]").put("repeat", "yes").put("interval", "30"),
            Instant.parse("2025-06-02T08:00:00Z"), null, Instant.parse("2025-06-01T07:00:00Z"),
            List.of(new DeploymentInfo.Run("job-1:1", Instant.parse("2025-06-01T08:00:00Z"), "scheduled", "started"),
                    new DeploymentInfo.Run("job-1:2", Instant.parse("2025-06-01T08:30:00Z"), "scheduled", "skipped"),
                    new DeploymentInfo.Run("job-1:3", Instant.parse("2025-06-01T09:00:00Z"), "run-now", "started")));
    private final DeploymentInfo job2 = new DeploymentInfo("job-2", "inst-2", "Bus_management", "fareCalculator", "STOPPED",
            null, null, null, Instant.parse("2025-06-01T07:00:00Z"), List.of());

    private final Deployments deployments = new Deployments() {
        @Override
        public List<DeploymentInfo> deployments() {
            return List.of(job1, job2);
        }

        @Override
        public Optional<DeploymentInfo> deployment(String jobId) {
            return deployments().stream().filter(d -> d.jobId().equals(jobId)).findFirst();
        }
    };

    private final InstanceInfo inst1 = new InstanceInfo("inst-1", "Bus_management", "2", 2, "lightControl", "job-1", "process",
            "node-1", InstanceState.RUNNING, 1, 3, Instant.parse("2025-06-01T09:00:00Z"), null, null, null,
            List.of(new BoundSensor(0, "si-light", "light-sensor", "sensor_data_si-light", "sensor_control_si-light")));
    private final InstanceInfo inst2 = new InstanceInfo("inst-2", "Bus_management_java", "bm-java", 1, "fareCalculator", "job-2",
            "bundle", "node-2", InstanceState.FAILED, 5, 1, null, null, 1, "gave up after 5 restarts", List.of());

    private final InstanceRegistry instances = new InstanceRegistry() {
        @Override
        public List<InstanceInfo> instances() {
            return List.of(inst1, inst2);
        }

        @Override
        public Optional<InstanceInfo> instance(String id) {
            return instances().stream().filter(i -> i.instanceId().equals(id)).findFirst();
        }

        @Override
        public List<InstanceLogLine> logs(String id, int tail) throws IasException {
            if (instance(id).isEmpty()) {
                throw new IasException(ErrorKind.NOT_FOUND, "id", "no instance with id '" + id + "'");
            }
            calls.add("logs " + id + " " + tail);
            return id.equals("inst-2") ? List.of() : List.of(new InstanceLogLine(1748768400000L, "platform", "started pid 42"),
                    new InstanceLogLine(1748768401000L, "stdout", "lightControl: lux 33 < 40"));
        }

        @Override
        public Optional<InstanceInfo> authenticate(String id, String token) {
            return Optional.empty();
        }

        @Override
        public Optional<InstanceInfo> authenticate(String token) {
            return Optional.empty();
        }
    };

    private final Nodes nodes = new Nodes() {
        @Override
        public List<NodeStatus> nodes() {
            return List.of(new NodeStatus("node-1", "host-a", NodeState.UP, 0.25, 0.5, 2, List.of("bundle", "process"), 7,
                    1748768400000L), new NodeStatus("node-2", "host-b", NodeState.DOWN, 0.0, 0.1, 0, List.of(), 3, 0));
        }

        @Override
        public Optional<NodeStatus> node(String id) {
            return nodes().stream().filter(n -> n.nodeId().equals(id)).findFirst();
        }

        @Override
        public String strategy() {
            return "seed-load";
        }

        @Override
        public List<String> strategies() {
            return List.of("fewest-instances", "seed-load", "ssh-probe");
        }
    };

    private static List<String> complete(org.apache.karaf.shell.api.console.Completer completer, String typed) {
        CommandLine line = new CommandLine() {
            @Override
            public int getCursorArgumentIndex() {
                return 1;
            }

            @Override
            public String getCursorArgument() {
                return typed;
            }

            @Override
            public int getArgumentPosition() {
                return typed.length();
            }

            @Override
            public String[] getArguments() {
                return new String[] {"ias:x", typed};
            }

            @Override
            public int getBufferPosition() {
                return 6 + typed.length();
            }

            @Override
            public String getBuffer() {
                return "ias:x " + typed;
            }
        };
        List<String> candidates = new ArrayList<>();
        completer.complete(null, line, candidates);
        return candidates.stream().map(String::trim).sorted().toList();
    }

    @Test
    public void appUploadSendsTheFileUnderTheGivenIdAsTheSessionsUser() throws Exception {
        Path zip = Files.createTempFile("app", ".zip");
        Files.writeString(zip, "PK-zip-bytes");
        AppUploadCommand c = wire(new AppUploadCommand());
        c.apps = apps;
        c.file = zip.toString();
        c.id = "bm";
        Subject alice = new Subject();
        alice.getPrincipals().add(new UserPrincipal("alice"));
        Subject.doAs(alice, (PrivilegedExceptionAction<Object>) c::execute);
        assertEquals(List.of("PK-zip-bytes", "bm", "alice"), calls);
        String out = out();
        assertTrue(out, out.contains("Uploaded Bus_management as application 2, version 3 (35660 bytes, sha256 ab12cd34ef56, with ui/):"));
        assertTrue(out, out.contains("lightControl") && out.contains("lightControl.py") && out.contains("light-sensor, gps-sensor"));
        assertEquals("", err());

        calls.clear();
        c = wire(new AppUploadCommand());
        c.apps = apps;
        c.file = zip.toString();
        c.execute();
        assertEquals("PK-zip-bytes", calls.get(0));
        assertNull("no --id: the repository decides", calls.get(1));
        assertEquals("no JAAS user: recorded as the shell", "shell", calls.get(2));
    }

    @Test
    public void appUploadRefusalsArePrintedAsPathAndMessage() throws Exception {
        AppUploadCommand c = wire(new AppUploadCommand());
        c.apps = apps;
        c.file = "/no/such/app.zip";
        c.execute();
        assertEquals("/no/such/app.zip: no such file (/no/such/app.zip)\n", err().replace("\r", ""));

        errBytes.reset();
        Path zip = Files.createTempFile("app", ".zip");
        failure = new IasException(ErrorKind.INVALID, "/algorithm_list/0/script/name", "fareCalculator.py is not in the zip");
        c = wire(new AppUploadCommand());
        c.apps = apps;
        c.file = zip.toString();
        c.execute();
        assertEquals("/algorithm_list/0/script/name: fareCalculator.py is not in the zip\n", err().replace("\r", ""));
        assertEquals("", out());
    }

    @Test
    public void appsListsLatestVersionsAndAppShowsEveryVersion() throws Exception {
        AppsCommand list = wire(new AppsCommand());
        list.apps = apps;
        list.execute();
        String table = out();
        assertTrue(table, table.contains("Bus_management") && table.contains("fareCalculator (process), lightControl (process)"));
        assertTrue(table, table.contains("bob") && table.contains("2025-06-01T08:02:00Z"));

        outBytes.reset();
        AppCommand one = wire(new AppCommand());
        one.apps = apps;
        one.name = "Bus_management";
        one.execute();
        String versions = out();
        assertTrue(versions, versions.startsWith("Bus_management (id 2, developer 869): 2 version(s)"));
        assertTrue(versions, versions.contains("alice") && versions.contains("bob") && versions.contains("ab12cd34ef56"));
        assertTrue(versions, versions.contains("Algorithms of version 2:"));

        one = wire(new AppCommand());
        one.apps = apps;
        one.name = "nope";
        one.execute();
        assertEquals("name: no application with id or name 'nope' is uploaded\n", err().replace("\r", ""));
    }

    @Test
    public void appDeleteAndItsConflict() throws Exception {
        AppDeleteCommand c = wire(new AppDeleteCommand());
        c.apps = apps;
        c.id = "2";
        c.execute();
        assertEquals(List.of("delete 2"), calls);
        assertTrue(out(), out().contains("Deleted application 2"));
        failure = new IasException(ErrorKind.CONFLICT, "id", "instance inst-1 of Bus_management is RUNNING; stop job-1 first");
        c = wire(new AppDeleteCommand());
        c.apps = apps;
        c.id = "2";
        c.execute();
        assertEquals("id: instance inst-1 of Bus_management is RUNNING; stop job-1 first\n", err().replace("\r", ""));
    }

    @Test
    public void missingServicesAreReportedNotThrown() throws Exception {
        AppsCommand c = wire(new AppsCommand());
        c.execute();
        assertEquals("AppRepository: the application repository is not available: no AppRepository service is running on "
                + "this platform\n", err().replace("\r", ""));
        errBytes.reset();
        NodesCommand n = wire(new NodesCommand());
        n.execute();
        assertTrue(err(), err().startsWith("Nodes: "));
    }

    @Test
    public void deployReadsTheFileAndPrintsJobsAndInstances() throws Exception {
        Path file = Files.createTempFile("deploy", ".json");
        Files.writeString(file, "{\"noOfAlgo\": 1, \"1\": {}}");
        DeployCommand c = wire(new DeployCommand());
        c.platformManager = manager;
        c.file = file.toString();
        c.execute();
        String out = out();
        assertTrue(out, out.startsWith("Deployed 1 algorithm(s):"));
        assertTrue(out, out.contains("job-0123456789abcdef") && out.contains("65f0aa") && out.contains("SCHEDULED"));

        outBytes.reset();
        Files.writeString(file, "{\"algorithms\": []}");
        c = wire(new DeployCommand());
        c.platformManager = manager;
        c.file = file.toString();
        c.execute();
        assertTrue(out(), out().startsWith("Accepted as request r-3, still under way; see ias:deployments"));

        failure = new IasException(ErrorKind.UNPROCESSABLE, "/1/sensor_info/0", "no light-sensor has bus-id=9");
        c = wire(new DeployCommand());
        c.platformManager = manager;
        c.file = file.toString();
        c.execute();
        assertEquals("/1/sensor_info/0: no light-sensor has bus-id=9\n", err().replace("\r", ""));
    }

    @Test
    public void deploymentsTableSummarisesSchedulesAndRuns() throws Exception {
        DeploymentsCommand c = wire(new DeploymentsCommand());
        c.deployments = deployments;
        c.execute();
        String table = out();
        assertTrue(table, table.contains("job-1") && table.contains("inst-1") && table.contains("ACTIVE"));
        assertTrue(table, table.contains("mon,fri 08:00-18:00, every 30 min"));
        assertTrue(table, table.contains("2 (+1 skipped)"));
        assertTrue(table, table.contains("2025-06-02T08:00:00Z"));
        assertTrue(table, table.contains("job-2") && table.contains("STOPPED"));

        com.fasterxml.jackson.databind.ObjectMapper m = Shell.mapper();
        assertEquals("once now", DeploymentsCommand.schedule(m.readTree("{\"request_type\": \"start\", \"start_time\": \"\", "
                + "\"days\": \"[]\", \"repeat\": \"no\", \"interval\": \"30\"}")));
        assertEquals("daily 08:00-09:00, every 15 min", DeploymentsCommand.schedule(m.readTree(
                "{\"start_time\": \"08:00\", \"end_time\": \"09:00\", \"repeat\": true, \"interval\": 15}")));
        assertEquals("next monday", DeploymentsCommand.schedule(m.readTree("{\"days\": [\"monday\"], \"repeat\": \"no\"}")));
        assertEquals("once 2025-06-01T08:00:00Z-2025-06-01T09:00:00Z", DeploymentsCommand.schedule(m.readTree(
                "{\"start_time\": \"2025-06-01T08:00:00Z\", \"end_time\": \"2025-06-01T09:00:00Z\"}")));
        assertEquals("", DeploymentsCommand.schedule(null));
    }

    @Test
    public void stopAndRunGoThroughThePlatformManager() throws Exception {
        StopCommand stop = wire(new StopCommand());
        stop.platformManager = manager;
        stop.job = "job-1";
        stop.execute();
        RunCommand run = wire(new RunCommand());
        run.platformManager = manager;
        run.job = "job-1";
        run.execute();
        assertEquals(List.of("stop job-1", "run job-1"), calls);
        assertTrue(out(), out().contains("Stopped and unscheduled job job-1") && out().contains("Started a run of job job-1"));

        failure = new IasException(ErrorKind.CONFLICT, "job_id", "job-1 is stopped; deploy it again to run it");
        run = wire(new RunCommand());
        run.platformManager = manager;
        run.job = "job-1";
        run.execute();
        assertEquals("job_id: job-1 is stopped; deploy it again to run it\n", err().replace("\r", ""));
    }

    @Test
    public void instancesTableWithFilters() throws Exception {
        InstancesCommand c = wire(new InstancesCommand());
        c.instances = instances;
        c.execute();
        String table = out();
        assertTrue(table, table.contains("inst-1") && table.contains("node-1") && table.contains("RUNNING"));
        assertTrue(table, table.contains("inst-2") && table.contains("gave up after 5 restarts") && table.contains("bundle"));

        outBytes.reset();
        c = wire(new InstancesCommand());
        c.instances = instances;
        c.state = "failed";
        c.execute();
        assertTrue(out(), out().contains("inst-2") && !out().contains("inst-1"));

        outBytes.reset();
        c = wire(new InstancesCommand());
        c.instances = instances;
        c.app = "Bus_management";
        c.state = "FAILED";
        c.execute();
        assertTrue(out(), out().contains("no instances match"));

        c = wire(new InstancesCommand());
        c.instances = instances;
        c.state = "DANCING";
        c.execute();
        assertTrue(err(), err().startsWith("--state: unknown state 'DANCING'; expected one of SCHEDULED, STARTING, RUNNING"));
    }

    @Test
    public void instanceLogsPrintsTheTailOldestFirst() throws Exception {
        InstanceLogsCommand c = wire(new InstanceLogsCommand());
        c.instances = instances;
        c.id = "inst-1";
        c.tail = 2;
        c.execute();
        assertEquals(List.of("logs inst-1 2"), calls);
        assertEquals("2025-06-01T09:00:00Z platform started pid 42\n2025-06-01T09:00:01Z stdout   lightControl: lux 33 < 40\n",
                out().replace("\r", ""));

        outBytes.reset();
        c = wire(new InstanceLogsCommand());
        c.instances = instances;
        c.id = "inst-2";
        c.execute();
        assertEquals(List.of("logs inst-1 2", "logs inst-2 100"), calls);
        assertEquals("no log lines yet\n", out().replace("\r", ""));

        c = wire(new InstanceLogsCommand());
        c.instances = instances;
        c.id = "inst-1";
        c.tail = 0;
        c.execute();
        c = wire(new InstanceLogsCommand());
        c.instances = instances;
        c.id = "nope";
        c.execute();
        assertEquals("--tail: expected an integer from 1 to 10000, got 0\nid: no instance with id 'nope'\n", err().replace("\r", ""));
    }

    @Test
    public void nodesShowTheStrategyInForceAndTheirFigures() throws Exception {
        NodesCommand c = wire(new NodesCommand());
        c.nodes = nodes;
        c.execute();
        String out = out();
        assertTrue(out, out.startsWith("Placement strategy: seed-load (registered: fewest-instances, seed-load, ssh-probe)"));
        assertTrue(out, out.contains("node-1") && out.contains("host-a") && out.contains("UP") && out.contains("25%")
                && out.contains("38%") && out.contains("bundle, process") && out.contains("2025-06-01T09:00:00Z"));
        assertTrue(out, out.contains("node-2") && out.contains("DOWN"));
    }

    @Test
    public void completersOfferJobsInstancesAndApplications() {
        JobIdCompleter jobs = new JobIdCompleter();
        jobs.deployments = deployments;
        assertEquals(List.of("job-1", "job-2"), complete(jobs, "job"));
        assertEquals(List.of("job-2"), complete(jobs, "job-2"));
        InstanceIdCompleter ids = new InstanceIdCompleter();
        ids.instances = instances;
        assertEquals(List.of("inst-1", "inst-2"), complete(ids, "in"));
        AppIdCompleter appIds = new AppIdCompleter();
        appIds.apps = apps;
        assertEquals(List.of("Bus_management"), complete(appIds, "Bus"));
        assertEquals(List.of(), complete(new JobIdCompleter(), ""));
    }

    // ---- platform components (service lifecycle) ---------------------------------------------------------------------

    private final List<Object> servicesAsked = new ArrayList<>();

    private static final ServiceEvent RECOVERED = new ServiceEvent("root@host-a",
            "org.iasplatform.binder.internal.SensorBinderComponent", "org.iasplatform.binder", ServiceEventKind.RECOVERED,
            "ACTIVE, 1 consumer(s) alive after: its Kafka consumer ias-sensor-binder-3 died", 1, 1_748_768_400_000L);

    private final PlatformServices platformServices = new PlatformServices() {
        @Override
        public String platformId() {
            return "root@host-a";
        }

        @Override
        public List<ServiceHealth> services() {
            return List.of(
                    new ServiceHealth("org.iasplatform.binder.internal.SensorBinderComponent", "org.iasplatform.binder", 40,
                            "ACTIVE", ServiceStatus.OK, null, 1, null, RECOVERED, "root@host-a",
                            List.of(new SubscriptionInfo("ias-sensor-binder-4", "sensor-binder",
                                    List.of("pm_to_sensor_binder"), true, 0L, "org.iasplatform.binder", List.of(), 1, 2))),
                    new ServiceHealth("org.iasplatform.deployer.internal.DeployerComponent", "org.iasplatform.deployer", 41,
                            "FAILED_ACTIVATION", ServiceStatus.FAILED, "activation failed: boom", 0, 1_748_768_460_000L,
                            null, "root@host-a", List.of(new SubscriptionInfo("ias-deployer-5", "deployer",
                                    List.of("scheduler_to_deployer"), false, null, "org.iasplatform.deployer", List.of(),
                                    1, 2))));
        }

        @Override
        public List<ServiceEvent> events(String component, String platform, int limit) {
            servicesAsked.addAll(Arrays.asList(component, platform, limit));
            return List.of(RECOVERED);
        }
    };

    @Test
    public void servicesPrintsThePlatformEachComponentItsConsumersAndWhatFailed() throws Exception {
        ServicesCommand c = wire(new ServicesCommand());
        c.services = platformServices;
        c.execute();
        String out = out();
        assertTrue(out, out.startsWith("Platform: root@host-a"));
        assertTrue(out, out.contains("SensorBinderComponent") && out.contains("org.iasplatform.binder")
                && out.contains("ACTIVE") && out.contains("sensor-binder: alive, lag 0")
                && out.contains("RECOVERED 2025-06-01T09:00:00Z"));
        assertTrue(out, out.contains("DeployerComponent") && out.contains("FAILED_ACTIVATION") && out.contains("deployer: DEAD"));
        assertTrue(out, out.contains("DeployerComponent: activation failed: boom (restart at 2025-06-01T09:01:00Z)"));
        assertEquals("", err());
    }

    @Test
    public void serviceEventsPassesItsFiltersAndChecksItsLimit() throws Exception {
        ServiceEventsCommand c = wire(new ServiceEventsCommand());
        c.services = platformServices;
        c.component = "org.iasplatform.binder.internal.SensorBinderComponent";
        c.limit = 5;
        c.execute();
        assertEquals(Arrays.asList("org.iasplatform.binder.internal.SensorBinderComponent", null, 5), servicesAsked);
        assertEquals("2025-06-01T09:00:00Z root@host-a RECOVERED SensorBinderComponent (org.iasplatform.binder): ACTIVE, "
                + "1 consumer(s) alive after: its Kafka consumer ias-sensor-binder-3 died\n",
                out().replace("\r", ""));

        servicesAsked.clear();
        c = wire(new ServiceEventsCommand());
        c.services = platformServices;
        c.limit = 0;
        c.execute();
        assertEquals(List.of(), servicesAsked);
        assertTrue(err(), err().startsWith("--limit: expected an integer from 1 to 1000, got 0"));
    }

    @Test
    public void withoutTheServiceLifecycleItSaysSo() throws Exception {
        wire(new ServicesCommand()).execute();
        assertTrue(err(), err().startsWith("PlatformServices: the service lifecycle is not available"));
    }
}
