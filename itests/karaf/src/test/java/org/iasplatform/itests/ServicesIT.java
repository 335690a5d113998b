package org.iasplatform.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.bson.Document;
import org.iasplatform.api.messaging.Messaging;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The service lifecycle on the platform distribution: GET /services lists the platform's components with their Kafka
 * consumers; a component whose first activation fails, and one whose consumer dies, are restarted by the watchdog
 * through Declarative Services, the events are recorded in {@code slc.service_events}, answered by GET /services/events
 * and printed by {@code ias:services} / {@code ias:service-events}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ServicesIT extends PlatformTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ITEST_BUNDLE = "org.iasplatform.itest.services";
    private static final String FAILING = "org.iasplatform.itest.services.internal.FailingOnceComponent";
    private static final String CONSUMING = "org.iasplatform.itest.services.internal.DyingConsumerComponent";
    /** Must match DyingConsumerComponent's (the itest bundle is not on this test's class path). */
    private static final String ITEST_TOPIC = "itest_services";
    private static final String ITEST_GROUP = "itest-services";

    // ---- the tests ----

    @Test
    public void thePlatformComponentsAreListedActiveWithTheirConsumersAliveForTheAdminOnly() {
        awaitHealthy();
        // the components that consume pipeline topics, with their consumer groups
        List<String[]> expected = List.of(
                new String[] {"org.iasplatform.binder.internal.SensorBinderComponent", "sensor-binder"},
                new String[] {"org.iasplatform.deployer.internal.DeployerComponent", "deployer"},
                new String[] {"org.iasplatform.scheduler.internal.SchedulerComponent", "scheduler"},
                new String[] {"org.iasplatform.sensor.registry.internal.SensorRegistryComponent", "ias-sensor-registry"},
                new String[] {"org.iasplatform.lifecycle.internal.NotificationStoreComponent", "notification-store"},
                new String[] {"org.iasplatform.lifecycle.internal.ServerLifecycleComponent", "server-lifecycle"},
                new String[] {"org.iasplatform.lifecycle.internal.ServerLifecycleComponent", "server-lifecycle-events"});
        await("every pipeline component ACTIVE with its consumer alive and its lag known", WAIT, () -> {
            JsonNode services = get("admin", "/services").json().path("services");
            return expected.stream().allMatch(e -> component(services, e[0]).map(s -> "ACTIVE".equals(s.path("state")
                    .asText()) && "OK".equals(s.path("status").asText()) && consumer(s, e[1])
                    .map(c -> c.path("alive").asBoolean() && c.path("lag").isNumber()).orElse(false)).orElse(false));
        });
        JsonNode body = get("admin", "/services").json();
        String platform = body.path("platform").asText();
        assertTrue(body.toString(), platform.contains("@"));
        List<String> bad = new ArrayList<>();
        Set<String> bundles = new TreeSet<>();
        for (JsonNode s : body.path("services")) {
            assertEquals(platform, s.path("platform").asText());
            bundles.add(s.path("bundle").asText());
            String status = s.path("status").asText();
            if (!Set.of("OK", "WAITING", "DISABLED").contains(status)) {
                bad.add(s.path("name").asText() + " " + status + " " + s.path("failure").asText());
            }
        }
        assertEquals("no platform component failed: " + body, List.of(), bad);
        assertTrue(bundles.toString(), bundles.containsAll(Set.of("org.iasplatform.messaging", "org.iasplatform.store",
                "org.iasplatform.rest", "org.iasplatform.node", "org.iasplatform.services")));
        JsonNode slc = component(body.path("services"), "org.iasplatform.lifecycle.internal.ServerLifecycleComponent")
                .orElseThrow();
        assertTrue("its heartbeat follower too: " + slc, stream(slc.path("consumers")).anyMatch(c -> c.path("group")
                .isNull() && c.path("topics").toString().contains("node_heartbeats") && c.path("alive").asBoolean()));
        assertTrue("the node agent consumes its commands: " + body, component(body.path("services"),
                "org.iasplatform.node.internal.NodeAgent").map(s -> s.path("consumers").size() > 0).orElse(false));

        for (String user : List.of("configurator", "developer", "user")) {
            assertEquals(user, 403, get(user, "/services").status());
            assertEquals(user, 403, get(user, "/services/events").status());
        }
        Answer bad400 = get("admin", "/services/events?limit=zero");
        assertEquals(bad400.toString(), 400, bad400.status());
        assertTrue(bad400.body(), bad400.body().contains("expected an integer from 1 to 1000, got 'zero'"));

        String shell = shell("ias:services");
        assertTrue(shell, shell.contains("Platform: " + platform) && shell.contains("SensorBinderComponent")
                && shell.contains("sensor-binder: alive"));
    }

    @Test
    public void aComponentWhoseFirstActivationFailsIsRestartedAndTheEventsAreRecordedAndShown() throws Exception {
        awaitHealthy();
        installItestBundle();
        JsonNode healed = await("the failing component restarted, ACTIVE again", () -> component(services(), FAILING)
                .filter(s -> "ACTIVE".equals(s.path("state").asText()) && "OK".equals(s.path("status").asText())
                        && s.path("restarts").asInt() == 1
                        && "RECOVERED".equals(s.path("last_event").path("kind").asText())));
        assertEquals(ITEST_BUNDLE, healed.path("bundle").asText());

        JsonNode events = get("admin", "/services/events?component=" + FAILING).json().path("events");
        assertEquals(events.toString(), List.of("FAILED", "RESTARTED", "RECOVERED"), kinds(events));
        String reason = events.get(0).path("reason").asText();
        assertTrue(reason, reason.contains("activation failed") && reason.contains("first activation fails (itest)")
                && reason.contains("restarting in 1 s"));
        String platform = get("admin", "/services").json().path("platform").asText();
        assertEquals(platform, events.get(1).path("platform").asText());
        assertTrue("restarted after its back-off: " + events,
                events.get(1).path("at").asLong() - events.get(0).path("at").asLong() >= 1000);

        List<Document> stored = mongo().getDatabase("slc").getCollection("service_events")
                .find(new Document("component", FAILING)).into(new ArrayList<>());
        assertEquals(stored.toString(), 3, stored.size());
        assertTrue(karafLog(), karafLog().contains("Platform component " + FAILING + " (" + ITEST_BUNDLE + ") failed"));

        String table = shell("ias:services");
        assertTrue(table, table.contains("FailingOnceComponent") && table.contains("RECOVERED"));
        String printed = shell("ias:service-events --component " + FAILING);
        assertTrue(printed, printed.contains("FAILED") && printed.contains("RESTARTED") && printed.contains("RECOVERED")
                && printed.contains("first activation fails (itest)"));
    }

    @Test
    public void aComponentWhoseConsumerDiedIsRestartedAndItsConsumerIsAliveAgain() throws Exception {
        awaitHealthy();
        installItestBundle();
        JsonNode before = await("the consuming component with its consumer alive", () -> component(services(), CONSUMING)
                .filter(s -> "OK".equals(s.path("status").asText())).flatMap(s -> consumer(s, ITEST_GROUP))
                .filter(c -> c.path("alive").asBoolean()));
        String firstClient = before.path("client_id").asText();
        assertEquals(ITEST_BUNDLE, before.path("owner").asText());
        int restartsBefore = component(services(), CONSUMING).orElseThrow().path("restarts").asInt();

        service(Messaging.class, null, WAIT).publish(ITEST_TOPIC, "k", "die").toCompletableFuture().get();
        JsonNode failed = await("the dead consumer seen", () -> lastEvents(CONSUMING).stream()
                .filter(e -> "FAILED".equals(e.path("kind").asText()) && e.path("reason").asText().contains(firstClient))
                .findFirst());
        assertTrue(failed.toString(), failed.path("reason").asText().contains("its Kafka consumer " + firstClient
                + " (group " + ITEST_GROUP + ", topics [" + ITEST_TOPIC + "]) died"));

        JsonNode after = await("restarted, a new consumer alive with nothing left to consume", () -> component(services(),
                CONSUMING).filter(s -> "OK".equals(s.path("status").asText())
                        && s.path("restarts").asInt() == restartsBefore + 1)
                .flatMap(s -> consumer(s, ITEST_GROUP))
                .filter(c -> c.path("alive").asBoolean() && c.path("lag").asLong(-1) == 0));
        assertNotEquals(firstClient, after.path("client_id").asText());
        List<String> kinds = kinds(lastEvents(CONSUMING));
        assertEquals(kinds.toString(), List.of("FAILED", "RESTARTED", "RECOVERED"),
                kinds.subList(kinds.size() - 3, kinds.size()));

        String table = shell("ias:services");
        assertTrue(table, table.contains("DyingConsumerComponent") && table.contains(ITEST_GROUP + ": alive"));
        assertFalse(table, table.contains(ITEST_GROUP + ": DEAD"));
    }

    // ---- helpers ----

    private void installItestBundle() throws Exception {
        if (bundle(ITEST_BUNDLE) == null) {
            Bundle b = bundleContext.installBundle("mvn:org.iasplatform/" + ITEST_BUNDLE + "/" + VERSION);
            b.start();
        }
    }

    private JsonNode services() {
        Answer answer = get("admin", "/services");
        return answer.status() == 200 ? answer.json().path("services") : JSON.createArrayNode();
    }

    private List<JsonNode> lastEvents(String component) {
        Answer answer = get("admin", "/services/events?component=" + component);
        return answer.status() == 200 ? stream(answer.json().path("events")).toList() : List.of();
    }

    private static Optional<JsonNode> component(JsonNode services, String name) {
        return stream(services).filter(s -> name.equals(s.path("name").asText())).findFirst();
    }

    private static Optional<JsonNode> consumer(JsonNode service, String group) {
        return stream(service.path("consumers")).filter(c -> group.equals(c.path("group").asText())).findFirst();
    }

    private static List<String> kinds(Iterable<JsonNode> events) {
        List<String> kinds = new ArrayList<>();
        events.forEach(e -> kinds.add(e.path("kind").asText()));
        return kinds;
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false);
    }

    /** Polls until the probe finds something (or fails after {@link #WAIT}); answers what it found. */
    private static <T> T await(String what, java.util.function.Supplier<Optional<T>> probe) {
        List<T> found = new ArrayList<>(1);
        await(what, WAIT, () -> probe.get().map(found::add).orElse(false));
        return found.get(0);
    }
}
