package org.iasplatform.alerts.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.iasplatform.api.IasException;
import org.iasplatform.api.alert.Alert;
import org.iasplatform.api.alert.AlertFilter;
import org.iasplatform.api.alert.AlertKind;
import org.iasplatform.api.alert.AlertState;
import org.iasplatform.api.alert.Alerts;
import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.api.sensor.ConnectionState;
import org.iasplatform.messaging.internal.KafkaMessaging;
import org.iasplatform.messaging.internal.Settings;
import org.iasplatform.testsupport.Await;
import org.iasplatform.testsupport.Configs;
import org.iasplatform.testsupport.EmbeddedKafkaResource;
import org.iasplatform.testsupport.EmbeddedMongoResource;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Two platform instances' alert components over a real Kafka broker (the platform's real messaging, leadership of the
 * role "alerts") and a real MongoDB-wire store: an alert is raised once, published on the {@code alerts} topic, its
 * acknowledgement too, and when the leading instance goes the other one carries on.
 */
public class AlertsKafkaTest {
    @ClassRule
    public static final EmbeddedMongoResource MONGO = new EmbeddedMongoResource();
    @ClassRule
    public static final EmbeddedKafkaResource KAFKA = new EmbeddedKafkaResource();
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final ObjectMapper mapper = new ObjectMapper();
    private final Inputs in = new Inputs();
    private KafkaMessaging messagingA;
    private KafkaMessaging messagingB;
    private AlertsComponent a;
    private AlertsComponent b;
    private Subscription follower;

    @After
    public void tearDown() {
        for (AutoCloseable c : new AutoCloseable[] {follower, a == null ? null : a::deactivate, b == null ? null : b::deactivate,
                messagingA, messagingB}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // tearing down
            }
        }
    }

    private AlertsComponent component(KafkaMessaging messaging) {
        return new AlertsComponent(MONGO.client(), messaging, in, in, in, in, Configs.of(AlertsComponent.Config.class,
                Map.of("check__period__ms", 200L, "disconnect__grace__seconds", 0L)));
    }

    private List<JsonNode> published(List<String> values) {
        return values.stream().map(v -> {
            try {
                return mapper.readTree(v);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    @Test
    public void raisedOnceAcrossPlatformInstancesPublishedAcknowledgedAndCarriedOnByTheOther() throws Exception {
        in.type("light", null);
        in.sensor("s1", "light");
        in.sensor("s2", "light");
        in.status("s1", ConnectionState.CONNECTED, System.currentTimeMillis());
        in.status("s2", ConnectionState.CONNECTED, System.currentTimeMillis());
        messagingA = new KafkaMessaging(KAFKA.bootstrapServers(), new Settings(3, (short) 1, Duration.ofSeconds(15), "a"));
        messagingB = new KafkaMessaging(KAFKA.bootstrapServers(), new Settings(3, (short) 1, Duration.ofSeconds(15), "b"));
        List<String> topic = new CopyOnWriteArrayList<>();
        messagingA.ensureTopics(List.of(Alerts.TOPIC));
        follower = messagingA.follow(List.of(Alerts.TOPIC), m -> topic.add(m.value()));
        a = component(messagingA);
        b = component(messagingB);
        Set<String> conf = Set.of("configurator");

        in.status("s1", ConnectionState.DISCONNECTED, 0);
        Alert raised = Await.until("the DISCONNECTED alert of s1", WAIT, () -> b.list(new AlertFilter(
                AlertKind.SENSOR_DISCONNECTED, null, "s1", null, 10), "carol", conf).stream().findFirst());
        Await.until("the raised alert on the topic", WAIT, () -> published(topic).stream()
                .anyMatch(j -> j.path("id").asText().equals(raised.id()) && j.path("state").asText().equals("ACTIVE")));

        in.status("s1", ConnectionState.CONNECTED, System.currentTimeMillis());
        Await.until("s1's alert resolved", WAIT, () -> a.alert(raised.id(), "carol", conf)
                .filter(x -> x.state() == AlertState.RESOLVED).isPresent());
        assertEquals("one alert for one spell, though two instances ran", 1,
                a.list(new AlertFilter(null, null, "s1", null, 10), "carol", conf).size());

        Alert acked = b.acknowledge(raised.id(), "carol", conf);
        assertEquals("carol", acked.acknowledgedBy());
        Await.until("the acknowledgement on the topic", WAIT, () -> published(topic).stream()
                .anyMatch(j -> j.path("id").asText().equals(raised.id()) && j.path("acknowledged_by").asText().equals("carol")));
        try {
            a.acknowledge(raised.id(), "eve", Set.of("user"));
            throw new AssertionError("an end user acknowledged a configurators' alert");
        } catch (IasException e) {
            assertEquals(404, e.kind().httpStatus());
        }
        assertEquals(1, published(topic).stream().filter(j -> j.path("id").asText().equals(raised.id())
                && j.path("state").asText().equals("ACTIVE")).count());

        // the first instance stops: the second one leads (or led already) and raises the next alert
        a.deactivate();
        a = null;
        in.status("s2", ConnectionState.DISCONNECTED, 0);
        Alert second = Await.until("the DISCONNECTED alert of s2 after one instance stopped", WAIT, () -> b.list(
                new AlertFilter(AlertKind.SENSOR_DISCONNECTED, AlertState.ACTIVE, "s2", null, 10), "carol", conf)
                .stream().findFirst());
        assertTrue(second.message(), second.message().contains("s2"));
    }
}
