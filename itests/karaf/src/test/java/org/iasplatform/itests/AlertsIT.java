package org.iasplatform.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.iasplatform.sample.simulator.SimulatedDevice;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Alerts on the platform distribution: a simulated device that stops raises a DISCONNECTED alert for configurators, seen
 * live on the alert stream and acknowledged; a crash-looping instance that ends FAILED raises one for its developer
 * (the app's uploader) and configurators; a sensor type's max_silence_seconds is validated.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AlertsIT extends PlatformTestSupport {
    private static final String TYPES = "bus-management/sensorTypeRegistration.json";
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Override
    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>(List.of(super.config()));
        options.add(editConfigurationFilePut("etc/org.iasplatform.alerts.cfg", "check_period_ms", "500"));
        options.add(editConfigurationFilePut("etc/org.iasplatform.alerts.cfg", "disconnect_grace_seconds", "1"));
        return options.toArray(new Option[0]);
    }

    private SimulatedDevice device(String type, Map<String, String> tags) throws Exception {
        SimulatedDevice device = new SimulatedDevice(type, 0, tags);
        device.setPeriodMillis(200);
        device.setLog(line -> { });
        device.start();
        return device;
    }

    private String register(SimulatedDevice device, Map<String, String> tags) {
        StringBuilder body = new StringBuilder("{\"sensor_type\":\"" + device.sensorType() + "\",\"ip\":\"127.0.0.1\",\"port\":"
                + device.port());
        tags.forEach((k, v) -> body.append(",\"").append(k).append("\":\"").append(v).append('"'));
        Answer answer = post("configurator", "/sensor-instances", body.append('}').toString());
        assertEquals(answer.toString(), 201, answer.status());
        return answer.json().path("registered").get(0).path("id").asText();
    }

    private JsonNode alerts(String user, String query) {
        Answer answer = get(user, "/alerts?" + query);
        assertEquals(answer.toString(), 200, answer.status());
        return answer.json().path("alerts");
    }

    /** The {@code data:} lines of a user's alert stream, as they arrive. */
    private CompletableFuture<HttpResponse<Stream<String>>> follow(String user, List<String> lines) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/ias/api/v1/alerts/stream"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + user)
                        .getBytes(StandardCharsets.UTF_8))).build();
        return HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofLines()).thenApply(r -> {
            CompletableFuture.runAsync(() -> r.body().filter(l -> l.startsWith("data:")).forEach(lines::add));
            return r;
        });
    }

    @Test
    public void aStoppedDeviceAlertsConfiguratorsLiveAndTheAlertIsAcknowledged() throws Exception {
        awaitHealthy();
        assertEquals(201, post("configurator", "/sensor-types", fixture(TYPES)).status());
        List<String> configuratorStream = new CopyOnWriteArrayList<>();
        List<String> userStream = new CopyOnWriteArrayList<>();
        HttpResponse<Stream<String>> conf = follow("configurator", configuratorStream).get();
        HttpResponse<Stream<String>> user = follow("user", userStream).get();
        assertEquals(200, conf.statusCode());
        assertEquals(200, user.statusCode());

        SimulatedDevice light = device("light-sensor", Map.of("bus-id", "alerts-it"));
        String id = register(light, Map.of("bus-id", "alerts-it"));
        await(id + " CONNECTED", WAIT, () -> "CONNECTED".equals(get("user", "/sensor-instances/" + id).json()
                .path("status").path("state").asText()));
        assertEquals("no alert while it is connected", 0, alerts("configurator", "subject=" + id).size());

        light.close();
        await("a DISCONNECTED alert for " + id, WAIT, () -> alerts("configurator", "kind=SENSOR_DISCONNECTED&subject=" + id)
                .size() == 1);
        JsonNode alert = alerts("configurator", "subject=" + id).get(0);
        String alertId = alert.path("id").asText();
        assertEquals("ACTIVE", alert.path("state").asText());
        assertEquals("[\"configurator\"]", alert.path("roles").toString());
        assertTrue(alert.toString(), alert.path("message").asText().contains("DISCONNECTED"));
        await("the alert on the configurator's stream", WAIT, () -> configuratorStream.stream().anyMatch(l -> l.contains(alertId)));
        assertEquals("an end user does not see it", 0, alerts("user", "subject=" + id).size());
        assertEquals(404, post("user", "/alerts/" + alertId + "/ack", "{}").status());

        Answer acked = post("configurator", "/alerts/" + alertId + "/ack", "{}");
        assertEquals(acked.toString(), 200, acked.status());
        assertEquals("configurator", acked.json().path("acknowledged_by").asText());
        assertTrue(acked.toString(), acked.json().path("acknowledged_at").asText().length() > 0);
        await("the acknowledgement on the stream", WAIT, () -> configuratorStream.stream()
                .anyMatch(l -> l.contains(alertId) && l.contains("\"acknowledged_by\":\"configurator\"")));
        assertEquals("raised once, however many checks ran", 1, alerts("configurator", "subject=" + id).size());
        assertTrue("nothing of it reached the end user's stream", userStream.stream().noneMatch(l -> l.contains(alertId)));
        assertTrue(shell("ias:alerts --subject " + id), shell("ias:alerts --subject " + id).contains(alertId));

        Answer bad = post("configurator", "/sensor-types", "{\"sensor_type_name\":\"alerts-quiet\",\"sensor_data_structure\":"
                + "{\"lux\":\"int\"},\"max_silence_seconds\":0}");
        assertEquals(bad.toString(), 400, bad.status());
        assertTrue(bad.toString(), bad.body().contains("/max_silence_seconds"));
        Answer good = post("configurator", "/sensor-types", "{\"sensor_type_name\":\"alerts-quiet\",\"sensor_data_structure\":"
                + "{\"lux\":\"int\"},\"max_silence_seconds\":30}");
        assertEquals(good.toString(), 201, good.status());
        assertEquals(30, get("user", "/sensor-types/alerts-quiet").json().path("max_silence_seconds").asInt());
        conf.body().close();
        user.body().close();
    }

    @Test
    public void aCrashLoopingInstanceAlertsItsDeveloperAndConfigurators() throws Exception {
        awaitHealthy();
        assertEquals(201, post("configurator", "/sensor-types", fixture(TYPES)).status());
        SimulatedDevice light = device("light-sensor", Map.of("bus-id", "alerts-crash"));
        try {
            register(light, Map.of("bus-id", "alerts-crash"));
            Answer uploaded = upload("developer", "/apps", "alerting.zip", zip(Map.of("appConfig.json",
                    "{\"application_name\":\"Alerting\",\"application_id\":\"alerting\",\"algorithm_list\":[{\"algorithm_name\":"
                            + "\"loop\",\"script\":{\"name\":\"loop.sh\"},\"input_sensors\":[{\"sensor_type\":\"light-sensor\"}]}]}",
                    "loop.sh", "echo crashing now; exit 3\n")));
            assertEquals(uploaded.toString(), 201, uploaded.status());
            Answer deployed = post("configurator", "/deployments", "{\"noOfAlgo\":1,\"1\":{\"application_name\":\"Alerting\","
                    + "\"script_name\":[\"loop.sh\"],\"algorithm_name\":\"loop\",\"sensor_info\":[{\"sensor_type\":\"light-sensor\","
                    + "\"filter_sensors\":[{\"bus-id\":\"alerts-crash\"}]}],\"scheduling_info\":{\"request_type\":\"start\","
                    + "\"start_time\":\"\",\"end_time\":\"\",\"days\":\"\",\"repeat\":\"no\",\"interval\":\"\"},"
                    + "\"environment\":{\"lang\":\"bash\",\"dependencies\":[]},\"restart_policy\":{\"max_failures\":2,"
                    + "\"window_seconds\":120,\"backoff_initial_ms\":100,\"backoff_max_ms\":200}}}");
            assertEquals(deployed.toString(), 202, deployed.status());
            String instance = deployed.json().path("deployments").get(0).path("instance_id").asText();
            await(instance + " FAILED", WAIT, () -> "FAILED".equals(get("user", "/instances/" + instance).json()
                    .path("state").asText()));
            await("a FAILED alert for " + instance, WAIT, () -> alerts("developer", "kind=INSTANCE_FAILED&subject=" + instance)
                    .size() == 1);
            JsonNode alert = alerts("developer", "subject=" + instance).get(0);
            assertEquals("[\"developer\"]", alert.path("users").toString());
            assertEquals("[\"configurator\"]", alert.path("roles").toString());
            assertTrue(alert.toString(), alert.path("message").asText().contains("FAILED"));
            assertEquals("configurators see it too", 1, alerts("configurator", "subject=" + instance).size());
            assertEquals("end users do not", 0, alerts("user", "subject=" + instance).size());
        } finally {
            light.close();
        }
    }
}
