package org.iasplatform.services.internal;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.bson.Document;
import org.bson.conversions.Bson;
import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.service.PlatformServices;
import org.iasplatform.api.service.ServiceEvent;
import org.iasplatform.api.service.ServiceEventKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;

/**
 * The {@code slc.service_events} collection: one document per {@link ServiceEvent} {@code {platform, component, bundle,
 * kind, reason, restarts, at}}. Events are written on a thread of their own, in order, so that the watchdog never waits
 * for the store; while the store cannot be reached they wait in memory (at most {@value #MAX_PENDING}, the oldest
 * dropped beyond) and are written once it can.
 */
final class ServiceEventStore implements AutoCloseable {
    static final String DATABASE = "slc";
    static final String COLLECTION = "service_events";
    static final int MAX_PENDING = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(ServiceEventStore.class);

    private final Supplier<MongoClient> client;
    private final Duration retry;
    private final ScheduledExecutorService writer;
    private final Deque<ServiceEvent> pending = new ArrayDeque<>(); // guarded by itself
    private MongoClient indexed; // the client the indexes were made through; writer thread only
    private boolean retrying; // guarded by pending
    private int dropped; // guarded by pending

    /**
     * @param client the store client, or null while there is none
     * @param retry  how long to wait before writing again after the store failed
     */
    ServiceEventStore(Supplier<MongoClient> client, Duration retry) {
        this.client = client;
        this.retry = retry;
        this.writer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ias-service-events");
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues the event for writing (returns at once). */
    void record(ServiceEvent event) {
        synchronized (pending) {
            if (pending.size() == MAX_PENDING) {
                pending.removeFirst();
                dropped++;
            }
            pending.addLast(event);
            if (retrying) {
                return; // a retry is scheduled: it writes this one too
            }
        }
        submit(0);
    }

    /** Events not written yet. */
    int pending() {
        synchronized (pending) {
            return pending.size();
        }
    }

    private void submit(long delayMs) {
        try {
            writer.schedule(this::drain, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // closing: what is pending stays unwritten
        }
    }

    /** Writes what is pending, oldest first; on a failure, tries again after the retry interval. */
    private void drain() {
        while (true) {
            ServiceEvent next;
            synchronized (pending) {
                next = pending.peekFirst();
                if (next == null) {
                    retrying = false;
                    return;
                }
            }
            try {
                collection().insertOne(toDocument(next));
            } catch (MongoException | IllegalStateException e) {
                int waiting;
                synchronized (pending) {
                    retrying = true;
                    waiting = pending.size();
                }
                LOG.warn("Cannot record service events in the store now ({} waiting; retrying in {} ms): {}", waiting,
                        retry.toMillis(), e.getMessage());
                submit(retry.toMillis());
                return;
            }
            int lost;
            synchronized (pending) {
                pending.remove(next);
                lost = dropped;
                dropped = 0;
            }
            if (lost > 0) {
                LOG.warn("{} service events were dropped unwritten while the store could not be reached", lost);
            }
        }
    }

    private MongoCollection<Document> collection() {
        MongoClient mongo = client.get();
        if (mongo == null) {
            throw new IllegalStateException("no store (MongoDB) client is available");
        }
        MongoCollection<Document> events = mongo.getDatabase(DATABASE).getCollection(COLLECTION);
        if (indexed != mongo) {
            events.createIndex(Indexes.descending("at"), new IndexOptions().name("by_time"));
            events.createIndex(Indexes.compoundIndex(Indexes.ascending("component"), Indexes.descending("at")),
                    new IndexOptions().name("by_component"));
            indexed = mongo;
        }
        return events;
    }

    /**
     * The latest {@code limit} events, oldest first, optionally of one component and/or one platform.
     *
     * @throws IasException INVALID for a limit out of range, UNAVAILABLE when the store cannot be read
     */
    List<ServiceEvent> events(String component, String platform, int limit) throws IasException {
        if (limit < 1 || limit > PlatformServices.MAX_EVENTS) {
            throw new IasException(ErrorKind.INVALID, "limit", "expected an integer from 1 to "
                    + PlatformServices.MAX_EVENTS + ", got " + limit);
        }
        MongoClient mongo = client.get();
        if (mongo == null) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", "the store (MongoDB) is not available right now; "
                    + "try again shortly");
        }
        List<Bson> filters = new ArrayList<>();
        if (component != null) {
            filters.add(eq("component", component));
        }
        if (platform != null) {
            filters.add(eq("platform", platform));
        }
        Bson filter = filters.isEmpty() ? new Document() : filters.size() == 1 ? filters.get(0) : and(filters);
        List<ServiceEvent> result = new ArrayList<>();
        try {
            for (Document d : mongo.getDatabase(DATABASE).getCollection(COLLECTION).find(filter)
                    .sort(Sorts.orderBy(Sorts.descending("at"), Sorts.descending("_id"))).limit(limit)) {
                result.add(fromDocument(d));
            }
        } catch (MongoException e) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", "the store (MongoDB) cannot be read right now: "
                    + e.getMessage());
        }
        Collections.reverse(result);
        return result;
    }

    static Document toDocument(ServiceEvent e) {
        return new Document("platform", e.platform()).append("component", e.component()).append("bundle", e.bundle())
                .append("kind", e.kind().name()).append("reason", e.reason()).append("restarts", e.restarts())
                .append("at", e.at());
    }

    static ServiceEvent fromDocument(Document d) {
        ServiceEventKind kind;
        try {
            kind = ServiceEventKind.valueOf(d.getString("kind"));
        } catch (RuntimeException e) {
            kind = ServiceEventKind.FAILED;
        }
        Number restarts = d.get("restarts", Number.class);
        Number at = d.get("at", Number.class);
        return new ServiceEvent(d.getString("platform"), d.getString("component"), d.getString("bundle"), kind,
                d.getString("reason"), restarts == null ? 0 : restarts.intValue(), at == null ? 0 : at.longValue());
    }

    /** Stops writing; what is still pending is written within {@code grace} if the store takes it. */
    void close(Duration grace) {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                writer.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writer.shutdownNow();
        }
        int left = pending();
        if (left > 0) {
            LOG.warn("{} service events could not be recorded in the store before stopping", left);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }
}
