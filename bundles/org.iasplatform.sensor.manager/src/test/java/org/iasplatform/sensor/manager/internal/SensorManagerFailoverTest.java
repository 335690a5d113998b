package org.iasplatform.sensor.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.ConnectionState;
import org.iasplatform.api.sensor.FieldType;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorType;
import org.iasplatform.infra.server.EmbeddedKafka;
import org.iasplatform.messaging.internal.KafkaMessaging;
import org.iasplatform.messaging.internal.Settings;
import org.iasplatform.testsupport.Await;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Two sensor manager components standing for two platform instances (each with its own messaging client and driver)
 * against a real KRaft broker: one serves the devices, the other answers statuses from what the first publishes, and
 * takes the devices over when the first stops; control commands reach whichever serves.
 */
public class SensorManagerFailoverTest {
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final SensorType LIGHT = new SensorType("light-sensor", "philips", Map.of("lux", FieldType.INT), null);
    private static final SensorInstance S1 = new SensorInstance("s1", "light-sensor", "127.0.0.1", 1, null, Map.of(),
            Topics.dataTopic("s1"), Topics.controlTopic("s1"));

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private EmbeddedKafka kafka;
    private final List<KafkaMessaging> clients = new ArrayList<>();
    private final List<SensorManagerComponent> components = new ArrayList<>();
    private final FakeRegistry registry = new FakeRegistry();

    @Before
    public void start() throws Exception {
        kafka = new EmbeddedKafka(tmp.newFolder("kafka").toPath(), 0, 0);
        kafka.start();
        registry.types.put("light-sensor", LIGHT);
        registry.instances.add(S1);
    }

    @After
    public void stop() {
        components.forEach(c -> {
            try {
                c.deactivate();
            } catch (RuntimeException e) {
                // already deactivated
            }
        });
        clients.forEach(KafkaMessaging::close);
        kafka.close();
    }

    private SensorManagerComponent platform(String name, FakeDriver driver) {
        KafkaMessaging messaging = new KafkaMessaging(kafka.bootstrapServers(),
                new Settings(3, (short) 1, Duration.ofSeconds(10), "ias-" + name));
        clients.add(messaging);
        SensorManagerComponent component = new SensorManagerComponent(messaging, registry);
        component.addDriver(new DriverEntry(driver, 1, 0, Set.of("*"), driver.name));
        component.activate(new SensorManager.Settings("control-group", 500), Duration.ofMillis(200));
        components.add(component);
        return component;
    }

    @Test
    public void oneInstanceServesTheDevicesAndTheOtherTakesOverWhenItStops() throws Exception {
        FakeDriver driverA = new FakeDriver("a");
        SensorManagerComponent a = platform("a", driverA);
        await("a serves s1", () -> a.isServing() && driverA.open("s1") != null);
        driverA.open("s1").deviceUp();

        FakeDriver driverB = new FakeDriver("b");
        SensorManagerComponent b = platform("b", driverB);
        await("b shows s1 CONNECTED, as a publishes it", () -> b.status("s1")
                .map(s -> s.state() == ConnectionState.CONNECTED).orElse(false));
        assertFalse("b does not serve while a does", b.isServing());
        assertEquals("b never connected the device", 0, driverB.connections.size());

        a.deactivate(); // a platform instance stopping (a kill is shown by the platform's HA test)
        await("b serves s1", () -> b.isServing() && driverB.open("s1") != null);
        assertEquals("a's connection is closed", 0, driverA.openCount());
        driverB.open("s1").deviceUp();

        clients.get(1).publish(Topics.controlTopic("s1"), "s1", "{\"function\":\"switchOnLight\",\"params\":{}}")
                .toCompletableFuture().join();
        await("the control command reaches the device through b", () -> !driverB.open("s1").commands.isEmpty());
        assertEquals("switchOnLight", driverB.open("s1").commands.get(0).function());
        assertTrue(b.status("s1").isPresent());
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, WAIT, condition);
    }
}
