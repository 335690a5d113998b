package org.iasplatform.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.OutputStream;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.app.AlgorithmDescriptor;
import org.iasplatform.api.app.AppRepository;
import org.iasplatform.api.app.AppVersion;
import org.iasplatform.api.deploy.DeploymentInfo;
import org.iasplatform.api.deploy.DeploymentOutcome;
import org.iasplatform.api.deploy.Deployments;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorType;
import org.iasplatform.api.validation.ConfigKind;
import org.iasplatform.api.validation.ConfigValidator;
import org.iasplatform.api.validation.ValidationError;
import org.iasplatform.testsupport.RecordingMessaging;
import org.iasplatform.testsupport.RecordingMessaging.Published;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Deploy, stop and run: the checks before anything is sent, the messages sent, and how the pipeline's answers end a call. */
public class DeployRulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RecordingMessaging messaging = new RecordingMessaging();
    private final Map<String, SensorType> types = new LinkedHashMap<>();
    private final List<SensorInstance> instances = new ArrayList<>();
    private final List<Map<String, String>> filtersAsked = new ArrayList<>();
    private final Map<String, AppVersion> apps = new LinkedHashMap<>();
    private final Map<String, DeploymentInfo> jobs = new LinkedHashMap<>();
    private final List<JsonNode> validated = new ArrayList<>();
    private List<ValidationError> validatorErrors = List.of();

    private final PlatformManagerComponent manager;

    public DeployRulesTest() {
        this(2000);
    }

    private DeployRulesTest(long timeoutMillis) {
        manager = new PlatformManagerComponent(messaging, registry, repository, timeoutMillis, 10);
        manager.addValidator((kind, item) -> {
            validated.add(item);
            return validatorErrors;
        }, Map.of(ConfigValidator.PROPERTY_KIND, ConfigKind.DEPLOY_CONFIG.id()));
        manager.setDeployments(deployments);
        types.put("gps-sensor", new SensorType("gps-sensor", "acme", Map.of(), null));
        types.put("light-sensor", new SensorType("light-sensor", "acme", Map.of(), null));
        sensor("si-gps1", "gps-sensor", Map.of("placeholder", "bus", "bus-id", "1"));
        sensor("si-light1", "light-sensor", Map.of("bus-id", "1"));
        apps.put("Bus_management", new AppVersion("bus", "Bus_management", 3, "869", "dev", Instant.EPOCH, 100, "ab",
                "pkg-3", "top/", false, List.of(
                        new AlgorithmDescriptor("fareCalculator", "algos/fareCalculator.py", null, List.of("gps-sensor")),
                        new AlgorithmDescriptor("lightControl", "lightControl.jar", "bundle", List.of("light-sensor"))), null));
    }

    // ---- the checks ----

    @Test
    public void theWholeDocumentGoesToTheValidatorsAndTheirErrorsRefuseIt() throws Exception {
        JsonNode doc = seed(algorithm("Bus_management", "fareCalculator", gps("1")));
        validatorErrors = List.of(new ValidationError("/1/scheduling_info/start_time", "not a time; expected HH:MM"));
        IasException e = expect(ErrorKind.INVALID, () -> manager.deploy(doc));
        assertEquals("/1/scheduling_info/start_time", e.errors().get(0).path());
        assertEquals(List.of(doc), validated);
        assertTrue(messaging.published().isEmpty());
    }

    @Test
    public void withoutAnyDeployConfigValidatorNothingIsAccepted() throws Exception {
        PlatformManagerComponent bare = new PlatformManagerComponent(new RecordingMessaging(), registry, repository, 100, 10);
        IasException e = expect(ErrorKind.UNAVAILABLE, () -> bare.deploy(seed(algorithm("Bus_management", "fareCalculator", gps("1")))));
        assertTrue(e.errors().get(0).message(), e.errors().get(0).message().contains("deploy-config"));
    }

    @Test
    public void everyFailedCheckIsReportedAtOnceWithPointersIntoTheDocumentAndNothingIsSent() throws Exception {
        JsonNode doc = seed(
                algorithm("NoSuchApp", "fareCalculator", gps("1")),
                algorithm("Bus_management", "nope", gps("1")),
                algorithm("Bus_management", "fareCalculator", gps("1"), gps("9")),
                algorithm("Bus_management", "lightControl", "{\"sensor_type\": \"sonar\"}"));
        IasException e = expect(ErrorKind.UNPROCESSABLE, () -> manager.deploy(doc));
        Map<String, String> byPath = e.errors().stream().collect(Collectors.toMap(ValidationError::path, ValidationError::message));
        assertEquals(byPath.toString(), 4, byPath.size());
        assertTrue(byPath.get("/1/application_name"), byPath.get("/1/application_name").contains("application \"NoSuchApp\" is not uploaded"));
        assertTrue(byPath.get("/2/algorithm_name"), byPath.get("/2/algorithm_name").contains("\"nope\""));
        assertTrue(byPath.get("/2/algorithm_name"), byPath.get("/2/algorithm_name").contains("[fareCalculator, lightControl]"));
        String unbound = byPath.get("/3/sensor_info/1");
        assertTrue(unbound, unbound.contains("\"gps-sensor\"") && unbound.contains("\"bus-id\": \"9\"")
                && unbound.contains("POST /sensor-instances"));
        assertTrue(byPath.get("/4/sensor_info/0"), byPath.get("/4/sensor_info/0").contains("sensor type \"sonar\" is not registered"));
        assertTrue(messaging.published().isEmpty());
    }

    @Test
    public void filtersAreMergedAndTheirValuesComparedAsText() throws Exception {
        pipelineAnswers();
        manager.deploy(seed(algorithm("Bus_management", "fareCalculator",
                "{\"sensor_type\": \"gps-sensor\", \"filter_sensors\": [{\"placeholder\": \"bus\"}, {\"bus-id\": 1}]}")));
        assertEquals(Map.of("placeholder", "bus", "bus-id", "1"), filtersAsked.get(0));

        IasException e = expect(ErrorKind.UNPROCESSABLE, () -> manager.deploy(seed(algorithm("Bus_management", "fareCalculator",
                "{\"sensor_type\": \"gps-sensor\", \"filter_sensors\": [{\"bus-id\": \"1\"}, {\"bus-id\": \"2\"}]}"))));
        assertEquals("/1/sensor_info/0/filter_sensors/1/bus-id", e.errors().get(0).path());
        assertTrue(e.errors().get(0).message(), e.errors().get(0).message().contains("one value per tag"));

        // no filter: any instance of the type will do
        manager.deploy(seed(algorithm("Bus_management", "lightControl", "{\"sensor_type\": \"light-sensor\"}")));
        assertEquals(Map.of(), filtersAsked.get(filtersAsked.size() - 1));
    }

    @Test
    public void theAlgorithmsFormReportsPointersUnderAlgorithms() throws Exception {
        ObjectNode doc = JSON.createObjectNode();
        doc.putArray("algorithms").add(JSON.readTree(algorithm("Bus_management", "fareCalculator", gps("7"))));
        IasException e = expect(ErrorKind.UNPROCESSABLE, () -> manager.deploy(doc));
        assertEquals("/algorithms/0/sensor_info/0", e.errors().get(0).path());
    }

    @Test
    public void aStopNeedsAJobIdOfAKnownJob() throws Exception {
        IasException e = expect(ErrorKind.INVALID, () -> manager.deploy(seed(stop(null))));
        assertEquals("/1/scheduling_info/job_id", e.errors().get(0).path());
        e = expect(ErrorKind.NOT_FOUND, () -> manager.deploy(seed(stop("job-0000000000000000"))));
        assertEquals("/1/scheduling_info/job_id", e.errors().get(0).path());
        assertTrue(e.errors().get(0).message(), e.errors().get(0).message().contains("job-0000000000000000"));
        // a malformed entry makes the whole refusal a 400, every problem listed
        e = expect(ErrorKind.INVALID, () -> manager.deploy(seed(stop("job-0000000000000000"), stop(null))));
        assertEquals(2, e.errors().size());

        manager.unsetDeployments(deployments);
        e = expect(ErrorKind.UNAVAILABLE, () -> manager.deploy(seed(stop("job-1"))));
        assertTrue(e.errors().get(0).message(), e.errors().get(0).message().contains("scheduler"));
        assertTrue(messaging.published().isEmpty());
    }

    // ---- what is sent and what the call answers ----

    @Test
    public void aRestartPolicyTravelsWithTheDeployment() throws Exception {
        pipelineAnswers();
        String withPolicy = algorithm("Bus_management", "fareCalculator", gps("1"))
                .replaceFirst("}$", ", \"restart_policy\": {\"max_failures\": 3, \"window_seconds\": 60}}");
        manager.deploy(seed(withPolicy));
        JsonNode deploy = JSON.readTree(messaging.published().get(0).value()).get("deploy");
        assertEquals("{\"max_failures\":3,\"window_seconds\":60}", deploy.get("restart_policy").toString());
    }

    @Test
    public void oneStartPerAlgorithmKeyedByItsNewJobAndTheSchedulersAnswerCompletesTheCall() throws Exception {
        pipelineAnswers();
        DeploymentOutcome outcome = manager.deploy(seed(
                algorithm("Bus_management", "fareCalculator", gps("1")),
                algorithm("bus", "lightControl", "{\"sensor_type\": \"light-sensor\", \"filter_sensors\": [{\"bus-id\": \"1\"}]}")));
        assertTrue(outcome.completed());
        assertEquals(2, messaging.published().size());
        assertEquals(2, outcome.deployments().size());

        Published first = messaging.published().get(0);
        JsonNode m = JSON.readTree(first.value());
        DeploymentOutcome.Deployed d = outcome.deployments().get(0);
        assertEquals(Topics.PM_TO_SENSOR_BINDER, first.topic());
        assertTrue(d.jobId(), d.jobId().matches("job-[0-9a-f]{16}"));
        assertEquals(d.jobId(), first.key());
        assertEquals(d.jobId(), m.get("job_id").asText());
        assertEquals("start", m.get("op").asText());
        assertTrue(m.get("requested_at").asLong() > 0);
        assertEquals(outcome.requestId() + "-1", m.get("request_id").asText());
        JsonNode deploy = m.get("deploy");
        assertEquals("Bus_management", deploy.get("application_name").asText());
        assertEquals("fareCalculator", deploy.get("algorithm_name").asText());
        assertEquals("[\"fareCalculator.py\"]", deploy.get("script_name").toString());
        assertEquals("gps-sensor", deploy.get("sensor_info").get(0).get("sensor_type").asText());
        assertEquals("start", deploy.get("scheduling_info").get("request_type").asText());
        assertEquals("{}", deploy.get("environment").toString());
        assertFalse("no restart policy given, none sent", deploy.has("restart_policy"));
        assertEquals("{\"application_id\":\"bus\",\"version\":3,\"package_id\":\"pkg-3\",\"root\":\"top/\","
                + "\"script\":\"algos/fareCalculator.py\",\"runtime\":\"process\"}", m.get("app").toString());

        assertEquals("SCHEDULED", d.state());
        assertEquals("inst-" + d.jobId(), d.instanceId());
        assertEquals("2030-01-01T08:00:00Z", d.nextRun());
        assertEquals("Bus_management", d.applicationName());
        assertEquals("fareCalculator", d.algorithmName());

        JsonNode second = JSON.readTree(messaging.published().get(1).value());
        DeploymentOutcome.Deployed d2 = outcome.deployments().get(1);
        assertNotEquals(d.jobId(), d2.jobId());
        assertEquals("Bus_management", second.get("deploy").get("application_name").asText()); // named by id, carried by name
        assertEquals("[\"lightControl.jar\"]", second.get("deploy").get("script_name").toString());
        assertEquals("bundle", second.get("app").get("runtime").asText());
        assertEquals("Bus_management", d2.applicationName());
    }

    @Test
    public void aStopEntryIsSentToTheBinderAndAnswersStopped() throws Exception {
        jobs.put("job-1", new DeploymentInfo("job-1", "inst-9", "Bus_management", "fareCalculator", DeploymentInfo.ACTIVE,
                null, null, null, Instant.EPOCH, List.of()));
        pipelineAnswers();
        DeploymentOutcome outcome = manager.deploy(seed(stop("job-1")));
        JsonNode m = JSON.readTree(messaging.published().get(0).value());
        assertEquals("job-1", messaging.published().get(0).key());
        assertEquals(List.of("request_id", "op", "job_id"), fieldNames(m));
        assertEquals("stop", m.get("op").asText());
        DeploymentOutcome.Deployed d = outcome.deployments().get(0);
        assertEquals("STOPPED", d.state());
        assertEquals("inst-9", d.instanceId());
        assertEquals("fareCalculator", d.algorithmName());
        assertNull(d.nextRun());
    }

    @Test
    public void aBinderRefusalAnswersWithItsStatusAndPathsInTheDocumentAndSaysWhatElseWasAccepted() throws Exception {
        answer(message -> {
            JsonNode m = read(message);
            boolean light = m.path("deploy").path("algorithm_name").asText().equals("lightControl");
            return light ? List.of(event(m, "sensor-binder", "unprocessable", "/sensor_info/0", "sensor si-light1 was deleted"))
                    : okEvents(m);
        });
        IasException e = expect(ErrorKind.UNPROCESSABLE, () -> manager.deploy(seed(
                algorithm("Bus_management", "fareCalculator", gps("1")),
                algorithm("Bus_management", "lightControl", "{\"sensor_type\": \"light-sensor\"}"))));
        assertEquals("/2/sensor_info/0", e.errors().get(0).path());
        assertEquals("sensor si-light1 was deleted", e.errors().get(0).message());
        assertEquals("/1", e.errors().get(1).path());
        assertTrue(e.errors().get(1).message(), e.errors().get(1).message().contains("DELETE /deployments/job-"));

        answer(message -> List.of(event(read(message), "scheduler", "conflict", null, null)));
        e = expect(ErrorKind.CONFLICT, () -> manager.deploy(seed(algorithm("Bus_management", "fareCalculator", gps("1")))));
        assertEquals("/1", e.errors().get(0).path());
        assertTrue(e.errors().get(0).message(), e.errors().get(0).message().contains("scheduler"));
    }

    @Test
    public void withoutTheSchedulersAnswerInTimeTheIdsAreGivenAndTheStateIsPending() throws Exception {
        DeployRulesTest slow = new DeployRulesTest(300);
        slow.answer(message -> List.of(okEvents(read(message)).get(0))); // the binder's "ok" only
        long start = System.nanoTime();
        DeploymentOutcome outcome = slow.manager.deploy(seed(algorithm("Bus_management", "fareCalculator", gps("1"))));
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 250);
        assertFalse(outcome.completed());
        DeploymentOutcome.Deployed d = outcome.deployments().get(0);
        assertEquals(PlatformManagerComponent.PENDING, d.state());
        assertEquals("the binder's instance id is known", "inst-" + d.jobId(), d.instanceId());
        assertEquals(outcome.requestId(), JSON.readTree(slow.messaging.published().get(0).value()).get("request_id").asText());
    }

    @Test
    public void anAcknowledgementLaterThanThePipelineTimeOutIsWaitedForAndTheDeploymentAnswered() throws Exception {
        DeployRulesTest slow = new DeployRulesTest(300);
        slow.pipelineAnswers();
        slow.messaging.holdAcknowledgements(); // a broker restarting: the producer retries, nothing is answered yet
        CompletableFuture<DeploymentOutcome> call = CompletableFuture.supplyAsync(() -> {
            try {
                return slow.manager.deploy(seed(algorithm("Bus_management", "fareCalculator", gps("1"))));
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        try {
            call.get(1, TimeUnit.SECONDS);
            fail("answered before the message bus acknowledged or refused: " + call.get());
        } catch (TimeoutException expected) {
            // still waiting for the acknowledgement, well past the pipeline's time-out
        }
        slow.messaging.acknowledgeHeld();
        DeploymentOutcome outcome = call.get(10, TimeUnit.SECONDS);
        assertTrue(outcome.completed());
        assertEquals("SCHEDULED", outcome.deployments().get(0).state());
    }

    @Test
    public void aBusThatDoesNotAcknowledgeIsUnavailableAndNothingIsDeployed() throws Exception {
        messaging.failPublishing(new IllegalStateException("broker down"));
        IasException e = expect(ErrorKind.UNAVAILABLE, () -> manager.deploy(seed(algorithm("Bus_management", "fareCalculator", gps("1")))));
        assertTrue(e.errors().get(0).message(), e.errors().get(0).message().contains("nothing was deployed"));
    }

    @Test
    public void stopAndRunOfAJob() throws Exception {
        expect(ErrorKind.NOT_FOUND, () -> manager.stopDeployment("job-unknown"));
        expect(ErrorKind.NOT_FOUND, () -> manager.runDeployment("job-unknown"));
        expect(ErrorKind.INVALID, () -> manager.stopDeployment(" "));
        assertTrue(messaging.published().isEmpty());

        jobs.put("job-1", new DeploymentInfo("job-1", "inst-1", "Bus_management", "fareCalculator", DeploymentInfo.ACTIVE,
                null, null, null, Instant.EPOCH, List.of()));
        jobs.put("job-2", new DeploymentInfo("job-2", "inst-2", "Bus_management", "fareCalculator", DeploymentInfo.STOPPED,
                null, null, null, Instant.EPOCH, List.of()));
        IasException e = expect(ErrorKind.CONFLICT, () -> manager.runDeployment("job-2"));
        assertTrue(e.errors().get(0).message(), e.errors().get(0).message().contains("stopped"));
        assertTrue(messaging.published().isEmpty());

        pipelineAnswers();
        manager.runDeployment("job-1");
        manager.stopDeployment("job-1");
        assertEquals(List.of("job-1", "job-1"), messaging.published().stream().map(Published::key).toList());
        assertEquals("run", read(messaging.published().get(0)).get("op").asText());
        assertEquals("stop", read(messaging.published().get(1)).get("op").asText());

        answer(message -> List.of(event(read(message), "scheduler", "not_found", "", "job-1 is gone")));
        e = expect(ErrorKind.NOT_FOUND, () -> manager.stopDeployment("job-1"));
        assertEquals("job-1 is gone", e.errors().get(0).message());

        DeployRulesTest slow = new DeployRulesTest(100);
        slow.jobs.putAll(jobs);
        slow.answer(message -> List.of());
        e = expect(ErrorKind.UNAVAILABLE, () -> slow.manager.stopDeployment("job-1"));
        assertTrue(e.errors().get(0).message(), e.errors().get(0).message().contains("GET /deployments/job-1"));
    }

    @Test
    public void oneFollowerAnswersRegistrationsAndDeploymentsAndSkipsWhatIsNotJson() throws Exception {
        assertEquals(List.of(Topics.SENSOR_REGISTRY_EVENTS, Topics.DEPLOYMENT_EVENTS), messaging.followed());
        // thrown, the follower would be handed the same record again and again
        manager.onEvent(new Message(Topics.DEPLOYMENT_EVENTS, "r-1", "{not json", 0, 0, 0));
        pipelineAnswers();
        assertTrue(manager.deploy(seed(algorithm("Bus_management", "fareCalculator", gps("1")))).completed());
    }

    // ---- helpers ----

    private void sensor(String id, String type, Map<String, String> tags) {
        instances.add(new SensorInstance(id, type, "10.0.0.1", 5000, null, tags, Topics.dataTopic(id), Topics.controlTopic(id)));
    }

    /** The pipeline answers every publish: the events {@code events} makes of it go to the follower. */
    private void answer(Function<Published, List<ObjectNode>> events) {
        messaging.onPublish(published -> {
            for (ObjectNode event : events.apply(published)) {
                messaging.deliver(Topics.DEPLOYMENT_EVENTS, event.path("request_id").asText(), event.toString());
            }
        });
    }

    /** The binder's "ok" (with the instance id) and the scheduler's SCHEDULED for every start; STOPPED for a stop. */
    private void pipelineAnswers() {
        answer(message -> okEvents(read(message)));
    }

    private static List<ObjectNode> okEvents(JsonNode request) {
        String job = request.path("job_id").asText();
        ObjectNode binder = event(request, "sensor-binder", "ok", null, null);
        binder.put("instance_id", "inst-" + job);
        ObjectNode scheduler = event(request, "scheduler", "ok", null, null);
        scheduler.put("instance_id", "inst-" + job);
        boolean start = request.path("op").asText().equals("start");
        scheduler.put("state", start ? "SCHEDULED" : "STOPPED");
        if (start) {
            scheduler.put("next_run", "2030-01-01T08:00:00Z");
        } else {
            scheduler.remove("instance_id");
            scheduler.putNull("next_run");
        }
        return List.of(binder, scheduler);
    }

    private static ObjectNode event(JsonNode request, String source, String status, String path, String message) {
        ObjectNode e = JSON.createObjectNode();
        e.put("request_id", request.path("request_id").asText());
        e.put("job_id", request.path("job_id").asText());
        e.put("source", source);
        e.put("status", status);
        if (path != null) {
            e.putArray("errors").addObject().put("path", path).put("message", message);
        }
        return e;
    }

    private static JsonNode read(Published message) {
        try {
            return JSON.readTree(message.value());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String gps(String bus) {
        return "{\"sensor_type\": \"gps-sensor\", \"filter_sensors\": [{\"placeholder\": \"bus\", \"bus-id\": \"" + bus + "\"}]}";
    }

    private static String algorithm(String app, String algorithm, String... sensors) {
        return "{\"application_name\": \"" + app + "\", \"algorithm_name\": \"" + algorithm + "\", \"sensor_info\": ["
                + String.join(", ", sensors) + "], \"scheduling_info\": {\"request_type\": \"start\", \"start_time\": \"\"}}";
    }

    private static String stop(String job) {
        return "{\"application_name\": \"Bus_management\", \"algorithm_name\": \"fareCalculator\", \"sensor_info\": [], "
                + "\"scheduling_info\": {\"request_type\": \"stop\"" + (job == null ? "" : ", \"job_id\": \"" + job + "\"") + "}}";
    }

    private static JsonNode seed(String... algorithms) throws Exception {
        StringBuilder sb = new StringBuilder("{\"noOfAlgo\": " + algorithms.length);
        for (int i = 0; i < algorithms.length; i++) {
            sb.append(", \"").append(i + 1).append("\": ").append(algorithms[i]);
        }
        return JSON.readTree(sb.append('}').toString());
    }

    interface Call {
        void run() throws Exception;
    }

    private static IasException expect(ErrorKind kind, Call call) throws Exception {
        try {
            call.run();
        } catch (IasException e) {
            assertEquals(e.toString(), kind, e.kind());
            assertFalse(e.errors().isEmpty());
            return e;
        }
        fail("expected " + kind);
        return null;
    }

    // ---- fakes ----

    private final SensorRegistry registry = new SensorRegistry() {
        @Override
        public List<SensorType> sensorTypes() {
            return List.copyOf(types.values());
        }

        @Override
        public Optional<SensorType> sensorType(String name) {
            return Optional.ofNullable(types.get(name));
        }

        @Override
        public List<SensorInstance> sensorInstances(String sensorType, Map<String, String> tags) {
            filtersAsked.add(Map.copyOf(tags));
            return instances.stream().filter(i -> i.sensorType().equals(sensorType) && i.matches(tags)).toList();
        }

        @Override
        public Optional<SensorInstance> sensorInstance(String id) {
            return instances.stream().filter(i -> i.id().equals(id)).findFirst();
        }
    };

    private final AppRepository repository = new AppRepository() {
        @Override
        public AppVersion upload(InputStream zip, String applicationId, String uploadedBy) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<AppVersion> apps() {
            return List.copyOf(apps.values());
        }

        @Override
        public List<AppVersion> versions(String applicationIdOrName) {
            return latest(applicationIdOrName).stream().toList();
        }

        @Override
        public Optional<AppVersion> latest(String idOrName) {
            return apps.values().stream().filter(a -> a.applicationId().equals(idOrName)).findFirst()
                    .or(() -> Optional.ofNullable(apps.get(idOrName)));
        }

        @Override
        public Optional<AppVersion> version(String applicationIdOrName, int version) {
            return latest(applicationIdOrName);
        }

        @Override
        public void download(String applicationIdOrName, int version, OutputStream out) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void delete(String applicationIdOrName) {
            throw new UnsupportedOperationException();
        }
    };

    private final Deployments deployments = new Deployments() {
        @Override
        public List<DeploymentInfo> deployments() {
            return List.copyOf(jobs.values());
        }

        @Override
        public Optional<DeploymentInfo> deployment(String jobId) {
            return Optional.ofNullable(jobs.get(jobId));
        }
    };
}
