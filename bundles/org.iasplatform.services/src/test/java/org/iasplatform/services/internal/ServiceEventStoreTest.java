package org.iasplatform.services.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.bson.Document;
import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.service.ServiceEvent;
import org.iasplatform.api.service.ServiceEventKind;
import org.iasplatform.testsupport.Await;
import org.iasplatform.testsupport.EmbeddedMongoResource;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;

import com.mongodb.client.MongoClient;

/** The {@code slc.service_events} collection in a real Mongo-wire store: queries, and a store that is away. */
public class ServiceEventStoreTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Rule
    public final EmbeddedMongoResource mongo = new EmbeddedMongoResource(Duration.ofSeconds(1));

    private ServiceEventStore store;

    @After
    public void close() {
        if (store != null) {
            store.close(Duration.ZERO);
        }
    }

    private static ServiceEvent event(String platform, String component, ServiceEventKind kind, long at) {
        return new ServiceEvent(platform, component, "org.iasplatform.x", kind, kind + " at " + at, 1, at);
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, WAIT, condition);
    }

    /** What reading the events with {@code limit} is refused with. */
    private IasException refused(int limit) {
        try {
            store.events(null, null, limit);
        } catch (IasException e) {
            return e;
        }
        throw new AssertionError("reading " + limit + " events was not refused");
    }

    private long stored() {
        return mongo.client().getDatabase(ServiceEventStore.DATABASE).getCollection(ServiceEventStore.COLLECTION)
                .countDocuments();
    }

    @Test
    public void theLatestEventsComeOldestFirstFilteredByComponentAndPlatform() throws Exception {
        store = new ServiceEventStore(mongo::client, Duration.ofMillis(100));
        store.record(event("p1", "a", ServiceEventKind.FAILED, 1000));
        store.record(event("p1", "a", ServiceEventKind.RESTARTED, 2000));
        store.record(event("p2", "b", ServiceEventKind.FAILED, 3000));
        store.record(event("p1", "a", ServiceEventKind.RECOVERED, 4000));
        await("all four stored", () -> stored() == 4);

        assertEquals(List.of(1000L, 2000L, 3000L, 4000L), store.events(null, null, 10).stream().map(ServiceEvent::at)
                .toList());
        assertEquals("the latest two", List.of(3000L, 4000L), store.events(null, null, 2).stream()
                .map(ServiceEvent::at).toList());
        assertEquals(List.of(ServiceEventKind.FAILED, ServiceEventKind.RESTARTED, ServiceEventKind.RECOVERED),
                store.events("a", null, 10).stream().map(ServiceEvent::kind).toList());
        assertEquals(List.of(event("p2", "b", ServiceEventKind.FAILED, 3000)), store.events(null, "p2", 10));
        assertEquals(List.of(), store.events("a", "p2", 10));

        Document doc = mongo.client().getDatabase("slc").getCollection("service_events").find(new Document("at", 2000L))
                .first();
        assertEquals("p1", doc.getString("platform"));
        assertEquals("RESTARTED", doc.getString("kind"));
        assertEquals("org.iasplatform.x", doc.getString("bundle"));
    }

    @Test
    public void aLimitOutOfRangeIsRefusedSayingWhatIsExpected() {
        store = new ServiceEventStore(mongo::client, Duration.ofMillis(100));
        for (int limit : new int[] {0, -1, 1001}) {
            IasException e = refused(limit);
            assertEquals(ErrorKind.INVALID, e.kind());
            assertEquals("limit", e.errors().get(0).path());
            assertEquals("expected an integer from 1 to 1000, got " + limit, e.errors().get(0).message());
        }
    }

    @Test
    public void eventsRecordedWithoutAStoreAreWrittenOnceThereIsOne() throws Exception {
        AtomicReference<MongoClient> client = new AtomicReference<>();
        store = new ServiceEventStore(client::get, Duration.ofMillis(50));
        store.record(event("p1", "a", ServiceEventKind.FAILED, 1));
        store.record(event("p1", "a", ServiceEventKind.RESTARTED, 2));
        IasException none = refused(10);
        assertEquals(ErrorKind.UNAVAILABLE, none.kind());
        assertTrue(none.getMessage(), none.getMessage().contains("the store (MongoDB) is not available right now"));
        assertEquals(2, store.pending());

        client.set(mongo.client());
        await("both written, in order", () -> stored() == 2);
        assertEquals(List.of(ServiceEventKind.FAILED, ServiceEventKind.RESTARTED), store.events("a", null, 10).stream()
                .map(ServiceEvent::kind).toList());
        assertEquals(0, store.pending());
    }

    @Test
    public void aStoreThatIsDownAnswersUnavailableAndRecordingDoesNotWaitForIt() throws Exception {
        store = new ServiceEventStore(mongo::client, Duration.ofMillis(100));
        mongo.stopServer();
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            store.record(event("p1", "a", ServiceEventKind.FAILED, i));
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue("recording took " + ms + " ms", ms < 500);
        IasException down = refused(10);
        assertEquals(ErrorKind.UNAVAILABLE, down.kind());
        assertTrue(down.getMessage(), down.getMessage().contains("the store (MongoDB) cannot be read right now"));
        assertTrue("kept to be written later: " + store.pending(), store.pending() >= 4);
    }
}
