package org.iasplatform.lifecycle.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.notification.Notification;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Notifications from the {@code notifications} topic, stored, listed per recipient and marked read per user. */
public class NotificationStoreTest extends LifecycleTestBase {
    private NotificationStore store;
    private long offset;

    @Before
    public void newStore() {
        store = new NotificationStore(MONGO.freshDatabase(NotificationStore.DATABASE)
                .getCollection(NotificationStore.COLLECTION), new ObjectMapper(), Clock.systemUTC());
        store.createIndexes();
    }

    private Message deliver(String to, String text, long timestamp) {
        String json = "{\"instance_id\":\"i-1\",\"application_name\":\"Bus_management\",\"algorithm_name\":"
                + "\"lightControl\",\"to\":\"" + to + "\",\"message\":\"" + text + "\",\"timestamp\":" + timestamp + "}";
        Message m = new Message(Topics.NOTIFICATIONS, "i-1", json, timestamp, 2, offset++);
        store.handle(m);
        return m;
    }

    @Test
    public void storedOnceEvenWhenRedeliveredWithAnIdFromTheRecordsPosition() {
        Message m = deliver("alice", "lux below 40 in bus 1", T0);
        store.handle(m);
        store.handle(m);

        List<Notification> list = store.forRecipient("alice", Set.of(), 10);
        assertEquals(1, list.size());
        Notification n = list.get(0);
        assertEquals(NotificationStore.idOf(m), n.id());
        assertEquals("notifications-2-0", n.id());
        assertEquals("alice", n.to());
        assertEquals("lux below 40 in bus 1", n.message());
        assertEquals("Bus_management", n.applicationName());
        assertEquals("lightControl", n.algorithmName());
        assertEquals("i-1", n.instanceId());
        assertEquals(Instant.ofEpochMilli(T0), n.createdAt());
        assertFalse(n.read());
    }

    @Test
    public void aRecipientSeesWhatIsAddressedToThemOrTheirRolesNewestFirstUpToTheLimit() {
        deliver("alice", "one", T0);
        deliver("user", "two (to the role)", T0 + 1000);
        deliver("bob", "not for alice", T0 + 2000);
        deliver("alice", "three", T0 + 3000);

        List<String> seen = store.forRecipient("alice", Set.of("user"), 10).stream().map(Notification::message).toList();
        assertEquals(List.of("three", "two (to the role)", "one"), seen);
        assertEquals(List.of("three", "two (to the role)"),
                store.forRecipient("alice", Set.of("user"), 2).stream().map(Notification::message).toList());
        assertEquals(List.of("not for alice"), store.forRecipient("bob", List.of(), 10).stream()
                .map(Notification::message).toList());
        assertTrue(store.forRecipient(null, null, 10).isEmpty());
    }

    @Test
    public void markReadIsPerUserAndOnlyForRecipients() {
        Message toRole = deliver("user", "to every user", T0);
        String id = NotificationStore.idOf(toRole);

        assertFalse("bob is not a recipient", store.markRead(id, "bob", Set.of("admin")));
        assertTrue(store.markRead(id, "alice", Set.of("user")));
        assertTrue("idempotent", store.markRead(id, "alice", Set.of("user")));
        assertFalse(store.markRead("notifications-9-9", "alice", Set.of("user")));

        assertTrue(store.forRecipient("alice", Set.of("user"), 10).get(0).read());
        assertFalse("carol has not read it", store.forRecipient("carol", Set.of("user"), 10).get(0).read());

        store.handle(toRole); // redelivered: read marks stay
        assertTrue(store.forRecipient("alice", Set.of("user"), 10).get(0).read());
    }

    @Test
    public void aNotificationWithoutRecipientIsDropped() {
        store.handle(new Message(Topics.NOTIFICATIONS, "i-1", "{\"message\":\"to nobody\"}", T0, 0, 99));
        store.handle(new Message(Topics.NOTIFICATIONS, "i-1", "not json", T0, 0, 100));
        assertEquals(0, MONGO.database(NotificationStore.DATABASE).getCollection(NotificationStore.COLLECTION)
                .countDocuments());
    }
}
