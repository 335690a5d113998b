package org.iasplatform.services.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.iasplatform.api.IasException;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.SubscriptionInfo;
import org.iasplatform.api.service.ServiceEvent;
import org.iasplatform.api.service.ServiceEventKind;
import org.iasplatform.api.service.ServiceHealth;
import org.iasplatform.api.service.ServiceStatus;
import org.iasplatform.messaging.internal.KafkaMessaging;
import org.iasplatform.services.testcomponents.ConsumingComponent;
import org.iasplatform.services.testcomponents.FailingComponent;
import org.iasplatform.services.testcomponents.FailingConstructorComponent;
import org.iasplatform.testsupport.Await;
import org.iasplatform.testsupport.EmbeddedKafkaResource;
import org.iasplatform.testsupport.EmbeddedMongoResource;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * The watchdog against the real Declarative Services runtime (Felix SCR in a real Felix framework), a real Kafka broker
 * with the platform's real Messaging, and a real Mongo-wire store: components of test bundles fail to activate or lose
 * their consumer, and are restarted through SCR with back-off, given up after the allowed restarts, and every event is
 * recorded in {@code slc.service_events}.
 */
public class WatchdogTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PLATFORM = "test-platform@here";
    private static final AtomicInteger IDS = new AtomicInteger();

    @ClassRule
    public static final EmbeddedKafkaResource KAFKA = new EmbeddedKafkaResource();
    @ClassRule
    public static final EmbeddedMongoResource MONGO = new EmbeddedMongoResource();
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private static KafkaMessaging messaging;

    private ScrFramework osgi;
    private ServiceEventStore events;
    private Watchdog watchdog;
    private ScheduledExecutorService timer;

    @BeforeClass
    public static void connect() {
        messaging = new KafkaMessaging(KAFKA.bootstrapServers(), new org.iasplatform.messaging.internal.Settings(1,
                (short) 1, Duration.ofSeconds(15), "ias-test"));
    }

    @AfterClass
    public static void disconnect() {
        if (messaging != null) {
            messaging.close();
        }
    }

    @Before
    public void startFramework() throws Exception {
        osgi = new ScrFramework(tmp.getRoot().toPath());
        ServiceRegistration<Messaging> registration = osgi.context().registerService(Messaging.class, messaging, null);
        assertNotNull(registration);
        MONGO.client().getDatabase(ServiceEventStore.DATABASE).getCollection(ServiceEventStore.COLLECTION)
                .deleteMany(new org.bson.Document());
        events = new ServiceEventStore(MONGO::client, Duration.ofMillis(200));
    }

    @After
    public void stopAll() throws Exception {
        if (timer != null) {
            timer.shutdownNow();
            timer.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (events != null) {
            events.close();
        }
        if (osgi != null) {
            osgi.close();
        }
    }

    /** Starts the watchdog checking every 100 ms, restarts after 200 ms (doubled), at most {@code maxRestarts}. */
    private void startWatchdog(int maxRestarts) {
        Settings settings = new Settings(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofSeconds(5),
                maxRestarts, Duration.ofMinutes(10), List.of("org.iasplatform"), Duration.ofSeconds(5));
        watchdog = new Watchdog(osgi.scr(), () -> messaging, events, settings, Clock.systemUTC(), PLATFORM,
                "org.iasplatform.services.internal.ServiceWatchdogComponent");
        timer = Executors.newSingleThreadScheduledExecutor();
        timer.scheduleWithFixedDelay(watchdog::check, 0, settings.checkPeriod().toMillis(), TimeUnit.MILLISECONDS);
    }

    private static String unique(String prefix) {
        return prefix + "-" + IDS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
    }

    private static String failing(int times) {
        return ScrFramework.component(FailingComponent.class, Map.of("fail.times", String.valueOf(times)), "",
                "  <!-- activate(ComponentContext, Map) -->");
    }

    private static String consuming(String group, String topic) {
        return ScrFramework.component(ConsumingComponent.class, Map.of("group", group, "topic", topic), "",
                "  <reference name=\"messaging\" interface=\"org.iasplatform.api.messaging.Messaging\" "
                        + "bind=\"bindMessaging\"/>\n  <!-- activate(BundleContext, Map), deactivate() -->");
    }

    private List<ServiceEvent> recorded(String component) {
        try {
            return events.events(component, null, 1000);
        } catch (IasException e) {
            throw new AssertionError(e);
        }
    }

    private List<ServiceEventKind> kinds(String component) {
        return recorded(component).stream().map(ServiceEvent::kind).toList();
    }

    private Optional<ServiceHealth> health(String component) {
        return watchdog.services().stream().filter(h -> h.name().equals(component)).findFirst();
    }

    private static <T> T await(String what, Supplier<Optional<T>> probe) {
        return Await.until(what, WAIT, probe);
    }

    private static Optional<Boolean> when(boolean condition) {
        return condition ? Optional.of(true) : Optional.empty();
    }

    // ---- the tests ----

    @Test
    public void aComponentWhoseActivationFailsIsRestartedAfterItsBackOffAndTheEventsAreRecorded() throws Exception {
        String name = unique("test.failing-once");
        String constructed = unique("test.constructor-failing-once");
        Map<String, String> components = ScrFramework.one(name, failing(1));
        components.put(constructed, ScrFramework.component(FailingConstructorComponent.class, Map.of(), "init=\"1\"",
                "  <!-- FailingConstructorComponent(BundleContext) -->"));
        Bundle bundle = osgi.install("org.iasplatform.test.failing", components, FailingComponent.class,
                FailingConstructorComponent.class);
        // a bundle outside the watched prefixes: its failing component is none of the watchdog's business
        String foreign = unique("test.foreign");
        osgi.install("com.example.foreign", ScrFramework.one(foreign, failing(1000)), FailingComponent.class);
        startWatchdog(5);

        await("FAILED, RESTARTED, RECOVERED recorded", () -> when(kinds(name).equals(List.of(ServiceEventKind.FAILED,
                ServiceEventKind.RESTARTED, ServiceEventKind.RECOVERED))));
        List<ServiceEvent> seen = recorded(name);
        ServiceEvent failed = seen.get(0);
        assertEquals(PLATFORM, failed.platform());
        assertEquals("org.iasplatform.test.failing", failed.bundle());
        assertTrue(failed.reason(), failed.reason().startsWith("activation failed: "));
        assertTrue(failed.reason(), failed.reason().contains("activation 1 fails (test)"));
        assertTrue(failed.reason(), failed.reason().endsWith("restarting in 0.2 s (restart 1 of at most 5 within 600 s)"));
        ServiceEvent restarted = seen.get(1);
        assertTrue("restarted after the back-off: " + seen, restarted.at() - failed.at() >= 200);
        assertEquals(1, restarted.restarts());
        assertTrue(restarted.reason(), restarted.reason().contains("activation 1 fails (test)"));
        assertEquals(1, seen.get(2).restarts());

        ServiceHealth health = health(name).orElseThrow();
        assertEquals(ComponentStates.ACTIVE, health.state());
        assertEquals(ServiceStatus.OK, health.status());
        assertNull(health.failure());
        assertEquals(1, health.restarts());
        assertEquals(ServiceEventKind.RECOVERED, health.lastEvent().kind());
        assertEquals(PLATFORM, health.platform());
        assertEquals(bundle.getBundleId(), health.bundleId());
        assertEquals("org.iasplatform.test.failing", health.bundle());

        await("the constructor's failure too", () -> when(kinds(constructed).equals(List.of(ServiceEventKind.FAILED,
                ServiceEventKind.RESTARTED, ServiceEventKind.RECOVERED))));
        String reason = recorded(constructed).get(0).reason();
        assertTrue("the cause, not SCR's InvocationTargetException: " + reason, reason.startsWith("activation failed: "
                + "java.lang.IllegalStateException: the constructor fails once (test); restarting in 0.2 s"));

        assertTrue("not watched: " + watchdog.services(), health(foreign).isEmpty());
        assertEquals(List.of(), recorded(foreign));
        ComponentDescriptionDTO other = osgi.scr().getComponentDescriptionDTOs().stream()
                .filter(d -> d.name.equals(foreign)).findFirst().orElseThrow();
        assertEquals("left failed", ComponentStates.FAILED_ACTIVATION, ComponentStates.summarise(
                osgi.scr().getComponentConfigurationDTOs(other)).state());
    }

    @Test
    public void aComponentThatKeepsFailingIsRestartedWithGrowingBackOffThenGivenUpUntilItIsHealthyAgain()
            throws Exception {
        String name = unique("test.failing-thrice");
        osgi.install("org.iasplatform.test.failing", ScrFramework.one(name, failing(3)), FailingComponent.class);
        startWatchdog(2);

        List<ServiceEventKind> expected = List.of(ServiceEventKind.FAILED, ServiceEventKind.RESTARTED,
                ServiceEventKind.FAILED, ServiceEventKind.RESTARTED, ServiceEventKind.GAVE_UP);
        await("two restarts, then given up", () -> when(kinds(name).equals(expected)));
        List<ServiceEvent> seen = recorded(name);
        assertTrue("first back-off 200 ms: " + seen, seen.get(1).at() - seen.get(0).at() >= 200);
        assertTrue("second back-off 400 ms: " + seen, seen.get(3).at() - seen.get(2).at() >= 400);
        assertTrue(seen.get(2).reason(), seen.get(2).reason().contains("activation 2 fails (test)"));
        assertTrue(seen.get(2).reason(), seen.get(2).reason().endsWith("restarting in 0.4 s (restart 2 of at most 2 "
                + "within 600 s)"));
        assertTrue(seen.get(4).reason(), seen.get(4).reason().contains("activation 3 fails (test)"));
        assertTrue(seen.get(4).reason(), seen.get(4).reason().endsWith("not restarted again: 2 restarts within 600 s "
                + "(at most 2)"));

        long checks = watchdog.checks();
        await("ten more checks", () -> when(watchdog.checks() >= checks + 10));
        assertEquals("no restart once given up", expected, kinds(name));
        ServiceHealth health = health(name).orElseThrow();
        assertEquals(ServiceStatus.GAVE_UP, health.status());
        assertEquals(ComponentStates.FAILED_ACTIVATION, health.state());
        assertEquals(2, health.restarts());
        assertTrue(health.failure(), health.failure().contains("activation 3 fails (test)"));
        assertNull(health.nextRestart());

        // an administrator restarts it (scr:disable, scr:enable): its fourth activation works
        ComponentDescriptionDTO d = osgi.scr().getComponentDescriptionDTOs().stream().filter(x -> x.name.equals(name))
                .findFirst().orElseThrow();
        osgi.scr().disableComponent(d).getValue();
        osgi.scr().enableComponent(d).getValue();
        await("RECOVERED recorded", () -> when(kinds(name).size() == 6));
        assertEquals(ServiceEventKind.RECOVERED, kinds(name).get(5));
        assertEquals(ServiceStatus.OK, health(name).orElseThrow().status());
    }

    @Test
    public void anActiveComponentWhoseConsumerDiedIsRestartedAndItsConsumerIsAliveAgain() throws Exception {
        String name = unique("test.consuming");
        String group = unique("itest-group");
        String topic = unique("watchdog_topic");
        messaging.ensureTopics(List.of(topic));
        Bundle bundle = osgi.install("org.iasplatform.test.consuming", ScrFramework.one(name, consuming(group, topic)),
                ConsumingComponent.class);
        startWatchdog(5);

        SubscriptionInfo first = await("the component with its consumer", () -> health(name)
                .filter(h -> h.status() == ServiceStatus.OK && h.consumers().size() == 1)
                .map(h -> h.consumers().get(0)));
        assertEquals(group, first.group());
        assertEquals(List.of(topic), first.topics());
        assertTrue(first.alive());
        assertEquals("made by the test bundle", bundle.getSymbolicName(), first.owner());
        assertTrue(first.callers().toString(), first.callers().contains(ConsumingComponent.class.getName()));
        assertEquals(Long.valueOf(0), first.lag());

        messaging.publish(topic, "k", "die").toCompletableFuture().join();
        await("FAILED, RESTARTED, RECOVERED recorded", () -> when(kinds(name).equals(List.of(ServiceEventKind.FAILED,
                ServiceEventKind.RESTARTED, ServiceEventKind.RECOVERED))));
        ServiceEvent failed = recorded(name).get(0);
        assertTrue(failed.reason(), failed.reason().startsWith("its Kafka consumer " + first.clientId() + " (group "
                + group + ", topics [" + topic + "]) died"));

        SubscriptionInfo again = await("a new consumer, alive, the message handled on redelivery", () -> health(name)
                .filter(h -> h.consumers().size() == 1 && Long.valueOf(0).equals(h.consumers().get(0).lag()))
                .map(h -> h.consumers().get(0)));
        assertNotEquals(first.clientId(), again.clientId());
        assertTrue(again.alive());
        ServiceHealth health = health(name).orElseThrow();
        assertEquals(ServiceStatus.OK, health.status());
        assertEquals(1, health.restarts());
        assertFalse("the dead consumer was closed by the deactivation", messaging.consumers().stream()
                .anyMatch(c -> c.clientId().equals(first.clientId())));
    }

    @Test
    public void theWatchdogListsMessagingLessComponentsAndKeepsCheckingWithoutMessaging() throws Exception {
        String name = unique("test.healthy");
        osgi.install("org.iasplatform.test.healthy", ScrFramework.one(name, failing(0)), FailingComponent.class);
        Settings settings = new Settings(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofSeconds(5), 5,
                Duration.ofMinutes(10), List.of("org.iasplatform"), Duration.ofSeconds(5));
        watchdog = new Watchdog(osgi.scr(), () -> null, events, settings, Clock.systemUTC(), PLATFORM, "self");
        watchdog.check();
        ServiceHealth health = health(name).orElseThrow();
        assertEquals(ServiceStatus.OK, health.status());
        assertEquals(List.of(), health.consumers());
        assertNull(health.lastEvent());
        assertEquals(List.of(), recorded(name));
    }
}
