package org.iasplatform.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.SensorInstance;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Infrastructure faults on the platform distribution, pointed at a Kafka broker and a Mongo-wire store that run in the
 * test driver's JVM and are stopped and started again (same ports, same data) while the platform serves:
 * <ul>
 * <li>a broker restart in the middle of a burst of sensor registrations and deployments: every request answered 2xx
 * is there afterwards (registered whole, deployed and RUNNING exactly once), the others were refused with 503, and
 * {@code /health} is UP again by itself;</li>
 * <li>the store unreachable: the API answers 503 with a clear message (reads and writes, without hanging), nothing is
 * published or half-written, {@code /health} says the store is DOWN; once it is back, everything works again with no
 * restart, including a registration that was on its way through the pipeline when the store went away.</li>
 * </ul>
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class InfraFaultsIT extends PlatformTestSupport {
    private static final String TYPES = "bus-management/sensorTypeRegistration.json";
    private static final String APP = "Steady";
    private static final Duration RECOVERY = Duration.ofSeconds(120);
    private static final int REGISTRATIONS = 16;
    private static final int INSTANCES_PER_REGISTRATION = 3;
    private static final int DEPLOYMENTS = 6;

    private int logStart;

    @Configuration
    @Override
    public Option[] config() {
        String[] infra;
        try {
            infra = RestartableInfrastructure.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start the test's Kafka broker and store: " + e, e);
        }
        List<Option> options = new ArrayList<>(List.of(super.config()));
        options.add(editConfigurationFilePut("etc/org.iasplatform.infra.cfg", "kafka_bootstrap_servers", infra[0]));
        options.add(editConfigurationFilePut("etc/org.iasplatform.infra.cfg", "mongo_uri", infra[1]));
        options.add(systemProperty("ias.test.infra.control").value(infra[2]));
        return options.toArray(new Option[0]);
    }

    // ---- the tests ----

    @Test
    public void aBrokerRestartInTheMiddleOfABurstLosesNoAcceptedRegistrationOrDeployment() throws Exception {
        prepare("kafka", 9);
        int jobsBefore = get("user", "/deployments").json().size();
        List<Sent> burst = new ArrayList<>();
        for (int i = 0; i < REGISTRATIONS; i++) {
            burst.add(new Sent("registration", i));
            if (i % 3 == 2 && burst.stream().filter(s -> s.kind.equals("deployment")).count() < DEPLOYMENTS) {
                burst.add(new Sent("deployment", i / 3));
            }
        }
        while (burst.stream().filter(s -> s.kind.equals("deployment")).count() < DEPLOYMENTS) {
            burst.add(new Sent("deployment", (int) burst.stream().filter(s -> s.kind.equals("deployment")).count()));
        }
        AtomicInteger answered = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(3);
        List<Future<Answer>> futures = new ArrayList<>();
        try {
            for (Sent sent : burst) {
                futures.add(clients.submit(() -> {
                    sent.sentAt = System.nanoTime();
                    Answer answer = sent.kind.equals("registration")
                            ? post("configurator", "/sensor-instances", registration("kafka-" + sent.index, sent.index))
                            : post("configurator", "/deployments", deployConfig("kafka"));
                    sent.answer = answer;
                    answered.incrementAndGet();
                    return answer;
                }));
            }
            await("a third of the burst answered", Duration.ofSeconds(120), () -> answered.get() >= burst.size() / 3);
            control("kafka/stop");
            long stopped = System.nanoTime(); // the broker is gone (its shutdown has completed)
            await("GET /health says Kafka is DOWN", Duration.ofSeconds(60),
                    () -> "DOWN".equals(component(get(null, "/health"), "kafka")));
            // down until a request sent to the platform after the broker went away is answered: calls get an answer
            // meanwhile, they do not hang (and the platform's Kafka clients wait, retry and give up as configured)
            await("a request sent while the broker is down answered", Duration.ofSeconds(120),
                    () -> burst.stream().anyMatch(sent -> sent.sentAt != 0 && sent.sentAt - stopped > 0 && sent.answer != null));
            control("kafka/start");
            long outage = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
            for (int k = 0; k < burst.size(); k++) {
                burst.get(k).answer = futures.get(k).get(3, TimeUnit.MINUTES);
            }
            System.out.println("InfraFaultsIT: broker down for " + outage + " ms in the middle of the burst; answers: "
                    + statuses(burst));
        } finally {
            clients.shutdownNow();
        }

        awaitHealthy(); // by itself: nothing was restarted but the broker
        for (Sent sent : burst) {
            int status = sent.answer.status();
            assertTrue("every request is accepted (2xx) or refused as unavailable (503), never anything else: " + sent,
                    status == 201 || status == 202 || status == 503);
            if (status == 503) {
                assertTrue("a 503 says the message bus is unavailable: " + sent, sent.answer.body().contains("message bus"));
            }
        }
        for (Sent sent : burst) {
            if (!sent.kind.equals("registration")) {
                continue;
            }
            String tag = "burst=kafka-" + sent.index;
            if (sent.answer.status() / 100 == 2) {
                await("every instance of accepted registration " + sent.index + " listed", RECOVERY,
                        () -> registered(tag) == INSTANCES_PER_REGISTRATION);
            } else {
                assertEquals("a refused registration (it says nothing was registered) left nothing: " + sent, 0,
                        registered(tag));
            }
        }
        List<String> jobs = new ArrayList<>();
        for (Sent sent : burst) {
            if (sent.kind.equals("deployment") && sent.answer.status() / 100 == 2) {
                jobs.add(sent.answer.json().path("deployments").get(0).path("job_id").asText());
            }
        }
        assertTrue("some deployments were accepted: " + statuses(burst), !jobs.isEmpty());
        assertEquals("a job for every accepted deployment, none for a refused one", jobsBefore + jobs.size(),
                get("user", "/deployments").json().size());
        Map<String, String> instances = new LinkedHashMap<>();
        for (String job : jobs) {
            await("accepted job " + job + " known to the scheduler with its instance", RECOVERY,
                    () -> !instanceOfJob(job).isEmpty());
            instances.put(job, instanceOfJob(job));
        }
        for (String instance : instances.values()) {
            await(instance + " RUNNING", RECOVERY, () -> "RUNNING".equals(state(instance)));
        }
        for (String instance : instances.values()) {
            assertEquals("one process of " + instance, 1, processesOf(instance));
        }

        for (String job : jobs) {
            assertTrue(delete("configurator", "/deployments/" + job).status() / 100 == 2);
        }
        for (String instance : instances.values()) {
            await(instance + " STOPPED", RECOVERY, () -> "STOPPED".equals(state(instance)));
        }
    }

    @Test
    public void anUnreachableStoreIsAnswered503WithNothingHalfWrittenAndEverythingRecoversByItself() throws Exception {
        prepare("store", 13);
        Messaging messaging = service(Messaging.class, null, Duration.ofSeconds(30));
        long registrationsBefore = topicEnd(Topics.PM_TO_SENSOR_INS_REG);
        long deploymentsBefore = topicEnd(Topics.PM_TO_SENSOR_BINDER);
        List<SensorInstance> onTheirWay = new ArrayList<>();
        control("mongo/stop");
        try {
            long start = System.nanoTime();
            Answer list = get("user", "/sensor-types");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.println("InfraFaultsIT: with the store stopped, GET /sensor-types answers after " + ms + " ms: " + list);
            assertUnavailable(list);
            assertTrue("answered within the store's server selection time-out, not hanging: " + ms + " ms", ms < 15_000);
            assertUnavailable(get("user", "/sensor-instances?bus-id=store"));
            assertUnavailable(post("configurator", "/sensor-instances", registration("store-during", 100)));
            Answer deploy = post("configurator", "/deployments", deployConfig("store"));
            assertEquals(deploy.toString(), 503, deploy.status());

            Answer health = get(null, "/health");
            System.out.println("InfraFaultsIT: with the store stopped, GET /health answers " + health);
            assertEquals(health.toString(), 503, health.status());
            assertEquals(health.body(), "DOWN", component(health, "store"));
            assertEquals(health.body(), "UP", component(health, "kafka"));

            // a registration accepted just before the store went away, on its way through the pipeline
            ObjectNode request = JSON.createObjectNode().put("request_id", "r-itest-" + System.nanoTime()).put("op", "register");
            for (int i = 0; i < INSTANCES_PER_REGISTRATION; i++) {
                String id = "si-" + HexFormat.of().toHexDigits(System.nanoTime() + i);
                SensorInstance instance = new SensorInstance(id, "light-sensor", "127.0.0.1", 32_000 + i, 1,
                        Map.of("burst", "store-pipeline"), Topics.dataTopic(id), Topics.controlTopic(id));
                onTheirWay.add(instance);
                request.withArray("sensor_instances").add(instance.toJson());
            }
            messaging.publish(Topics.PM_TO_SENSOR_INS_REG, request.path("request_id").asText(), request.toString())
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);

            assertEquals("the refused registration published nothing", registrationsBefore + 1,
                    topicEnd(Topics.PM_TO_SENSOR_INS_REG));
            assertEquals("the refused deployment published nothing", deploymentsBefore, topicEnd(Topics.PM_TO_SENSOR_BINDER));
        } finally {
            control("mongo/start");
        }

        awaitHealthy(); // by itself: nothing was restarted but the store
        Answer types = get("user", "/sensor-types/light-sensor");
        assertEquals("what was stored before is still there: " + types, 200, types.status());
        assertEquals("nothing of the refused registration, then or later", 0, registered("burst=store-during"));
        await("the registration that was on its way is stored whole", RECOVERY,
                () -> registered("burst=store-pipeline") == INSTANCES_PER_REGISTRATION);

        Answer after = post("configurator", "/sensor-instances", registration("store-after", 101));
        assertEquals(after.toString(), 201, after.status());
        assertEquals(INSTANCES_PER_REGISTRATION, registered("burst=store-after"));
        Answer deployed = post("configurator", "/deployments", deployConfig("store"));
        assertEquals(deployed.toString(), 202, deployed.status());
        String job = deployed.json().path("deployments").get(0).path("job_id").asText();
        await("the job's instance known", RECOVERY, () -> !instanceOfJob(job).isEmpty());
        String instance = instanceOfJob(job);
        await(instance + " RUNNING", RECOVERY, () -> "RUNNING".equals(state(instance)));
        assertTrue(delete("configurator", "/deployments/" + job).status() / 100 == 2);
        await(instance + " STOPPED", RECOVERY, () -> "STOPPED".equals(state(instance)));
    }

    /** What the platform logged at WARN or ERROR during the test, by logger (for the reader of the test's output). */
    @After
    public void printProblemsLogged() {
        Map<String, Integer> byLogger = new java.util.TreeMap<>();
        Map<String, String> first = new LinkedHashMap<>();
        String log = karafLog();
        for (String line : log.substring(Math.min(logStart, log.length())).split("\n")) {
            String[] fields = line.split(" \\| ");
            if (fields.length > 4 && (fields[1].trim().equals("WARN") || fields[1].trim().equals("ERROR"))) {
                String key = fields[1].trim() + " " + fields[3].trim();
                byLogger.merge(key, 1, Integer::sum);
                first.putIfAbsent(key, fields[fields.length - 1].trim());
            }
        }
        StringBuilder report = new StringBuilder("InfraFaultsIT: WARN/ERROR lines in karaf.log during the test:");
        byLogger.forEach((key, n) -> report.append("\n  ").append(n).append(" x ").append(key).append(": ")
                .append(first.get(key), 0, Math.min(200, first.get(key).length())));
        System.out.println(report);
    }

    // ---- helpers ----

    /** One request of a burst and what it was answered. */
    private static final class Sent {
        final String kind;
        final int index;
        volatile long sentAt;
        volatile Answer answer;

        Sent(String kind, int index) {
            this.kind = kind;
            this.index = index;
        }

        @Override
        public String toString() {
            return kind + " " + index + ": " + answer;
        }
    }

    private static Map<Integer, Integer> statuses(List<Sent> burst) {
        Map<Integer, Integer> count = new java.util.TreeMap<>();
        burst.forEach(s -> count.merge(s.answer == null ? -1 : s.answer.status(), 1, Integer::sum));
        return count;
    }

    /** The sensor types, the app, and the light sensor its deployments bind to (tag bus-id = {@code bus}). */
    private void prepare(String bus, int port) throws IOException {
        awaitHealthy();
        logStart = karafLog().length();
        Answer types = post("configurator", "/sensor-types", fixture(TYPES));
        assertEquals(types.toString(), 201, types.status());
        Answer light = post("configurator", "/sensor-instances", "{\"sensor_type\":\"light-sensor\",\"ip\":\"127.0.0.1\","
                + "\"port\":" + port + ",\"bus-id\":\"" + bus + "\"}");
        assertEquals(light.toString(), 201, light.status());
        String appConfig = "{\"application_name\":\"" + APP + "\",\"application_id\":\"steady\",\"algorithm_list\":["
                + "{\"algorithm_name\":\"idle\",\"script\":{\"name\":\"idle.sh\"},\"input_sensors\":[{\"sensor_type\":"
                + "\"light-sensor\"}]}]}";
        Answer uploaded = upload("developer", "/apps", "steady.zip", zip(Map.of("appConfig.json", appConfig,
                "idle.sh", "sleep 600 &\nwait\n"))); // bash stays, with the instance id in its command line
        assertEquals(uploaded.toString(), 201, uploaded.status());
    }

    /** Three light sensors at closed ports of 127.0.0.1 in one request (their own for each slot), tagged burst = {@code tag}. */
    private static String registration(String tag, int slot) {
        int base = 31_000 + slot * INSTANCES_PER_REGISTRATION;
        StringBuilder list = new StringBuilder("[");
        for (int i = 0; i < INSTANCES_PER_REGISTRATION; i++) {
            list.append(i == 0 ? "" : ",").append("{\"sensor_type\":\"light-sensor\",\"ip\":\"127.0.0.1\",\"port\":")
                    .append(base + i).append(",\"burst\":\"").append(tag).append("\"}");
        }
        return list.append("]").toString();
    }

    private static String deployConfig(String bus) {
        return "{\"noOfAlgo\":1,\"1\":{\"application_name\":\"" + APP + "\",\"algorithm_name\":\"idle\",\"sensor_info\":"
                + "[{\"sensor_type\":\"light-sensor\",\"filter_sensors\":[{\"bus-id\":\"" + bus + "\"}]}],"
                + "\"scheduling_info\":{\"request_type\":\"start\",\"start_time\":\"\",\"end_time\":\"\",\"days\":\"\","
                + "\"interval\":\"\",\"repeat\":\"no\"},\"environment\":{\"lang\":\"bash\"}}}";
    }

    /** How many sensor instances GET /sensor-instances lists with this tag ({@code key=value}); -1 when it fails. */
    private int registered(String tag) {
        Answer answer = get("user", "/sensor-instances?" + tag);
        return answer.status() == 200 ? answer.json().size() : -1;
    }

    private String instanceOfJob(String job) {
        Answer answer = get("user", "/deployments/" + job);
        return answer.status() == 200 ? answer.json().path("instance_id").asText("") : "";
    }

    private String state(String instance) {
        Answer answer = get("user", "/instances/" + instance);
        return answer.status() == 200 ? answer.json().path("state").asText() : "";
    }

    private static String component(Answer health, String name) {
        try {
            return health.json().path("components").path(name).path("status").asText();
        } catch (AssertionError notJson) {
            return "";
        }
    }

    private static void assertUnavailable(Answer answer) {
        assertEquals(answer.toString(), 503, answer.status());
        JsonNode errors = answer.json().path("errors");
        assertTrue("the API's error shape: " + answer, errors.isArray() && errors.size() == 1);
        assertTrue("says the store cannot be reached: " + answer,
                errors.get(0).path("message").asText().contains("store (MongoDB) cannot be reached"));
    }

    /** The processes (descendants of this Karaf) of an algorithm instance. */
    private static long processesOf(String instance) {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().orElse("").contains(instance)).count();
    }

    /** Stops or starts the test's broker or store ({@link RestartableInfrastructure}), e.g. "kafka/stop". */
    private static void control(String action) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + System.getProperty("ias.test.infra.control") + "/" + action)).timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            fail(action + " failed: " + response.body());
        }
    }
}
