package org.iasplatform.messaging.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.ConsumerGroupState;
import org.iasplatform.api.messaging.Leadership;
import org.iasplatform.api.messaging.LeadershipListener;
import org.iasplatform.infra.server.EmbeddedKafka;
import org.iasplatform.testsupport.Await;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@link KafkaMessaging#lead}: candidates on separate messaging clients (standing for platform instances) against a
 * real KRaft broker.
 */
public class LeaderElectionTest {
    private static final Duration WAIT = Duration.ofSeconds(40);

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private EmbeddedKafka kafka;
    private final List<KafkaMessaging> clients = new ArrayList<>();
    /** How many candidates lead at once right now, and the most ever seen. */
    private final AtomicInteger leading = new AtomicInteger();
    private final AtomicInteger mostAtOnce = new AtomicInteger();
    private final List<String> events = new CopyOnWriteArrayList<>();

    @Before
    public void startKafka() throws Exception {
        kafka = new EmbeddedKafka(tmp.newFolder("kafka").toPath(), 0, 0);
        kafka.start();
    }

    @After
    public void stop() {
        clients.forEach(KafkaMessaging::close);
        if (kafka != null) {
            kafka.close();
        }
    }

    private Leadership candidate(String name) {
        KafkaMessaging client = new KafkaMessaging(kafka.bootstrapServers(),
                new Settings(3, (short) 1, Duration.ofSeconds(5), "ias-" + name));
        clients.add(client);
        return client.lead("devices", new LeadershipListener() {
            @Override
            public void elected() {
                mostAtOnce.accumulateAndGet(leading.incrementAndGet(), Math::max);
                events.add(name + " elected");
            }

            @Override
            public void revoked() {
                leading.decrementAndGet();
                events.add(name + " revoked");
            }
        });
    }

    @Test
    public void oneLeaderAtATimeAndTheNextIsElectedWhenItWithdraws() throws Exception {
        Leadership a = candidate("a");
        await("a leads", a::isLeader);
        Leadership b = candidate("b");
        Leadership c = candidate("c");
        // b and c joined the group: the sticky assignment keeps a leading, and neither of them leads
        awaitGroup(3);
        assertTrue("a keeps leading after b and c joined: " + events, a.isLeader());
        assertFalse(b.isLeader());
        assertFalse(c.isLeader());

        a.close();
        assertFalse(a.isLeader());
        await("b or c leads after a withdrew", () -> b.isLeader() || c.isLeader());
        Leadership next = b.isLeader() ? b : c;
        Leadership other = next == b ? c : b;
        next.close();
        await("the last candidate leads", other::isLeader);
        assertEquals("never two leaders at once: " + events, 1, mostAtOnce.get());
        assertEquals(events.toString(), 1, leading.get());
    }

    @Test
    public void aLeaderCutOffFromTheBrokerStepsDownWithinTheSessionTimeOut() throws Exception {
        Leadership a = candidate("a");
        await("a leads", a::isLeader);
        long stopped = System.nanoTime();
        kafka.close();
        await("a steps down without the broker", () -> !a.isLeader());
        long ms = Duration.ofNanos(System.nanoTime() - stopped).toMillis();
        assertTrue("stepped down after " + ms + " ms; the leader session time-out is 6000 ms", ms >= 5000);
        assertTrue(events.toString(), events.contains("a revoked"));
    }

    /** Waits until the role's group is stable with {@code members} members (the broker's own view). */
    private void awaitGroup(int members) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            await("the election group stable with " + members + " members", () -> {
                try {
                    ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("ias-leader-devices"))
                            .all().get().get("ias-leader-devices");
                    return group.state() == ConsumerGroupState.STABLE && group.members().size() == members;
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, WAIT, condition);
    }
}
