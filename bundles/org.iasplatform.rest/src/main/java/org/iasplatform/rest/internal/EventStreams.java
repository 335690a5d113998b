package org.iasplatform.rest.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-sent event streams ({@code text/event-stream}) of a topic's messages from now on: one event {@code data: <json>}
 * per message. A stream starts with the comment {@code : ok} once it follows the topic (nothing published afterwards is
 * missed), sends a comment every keep-alive interval while idle, and ends when the client goes away (a write fails), when
 * its owner no longer wants it (checked every interval), or when the API shuts down. A client reading slower than messages
 * come loses the oldest ones, and is told how many in a comment.
 * <p>
 * Each open stream holds its request thread and one Kafka consumer; their number is bounded.
 */
public final class EventStreams {
    private static final Logger LOG = LoggerFactory.getLogger(EventStreams.class);
    static final String CONTENT_TYPE = "text/event-stream;charset=UTF-8";
    static final int QUEUE_CAPACITY = 1000;
    private static final Object CLOSE = new Object();

    private final Set<Running> open = ConcurrentHashMap.newKeySet();
    private volatile Duration keepAlive;
    private volatile int maxStreams;

    public EventStreams(Duration keepAlive, int maxStreams) {
        configure(keepAlive, maxStreams);
    }

    /** New limits; streams already open keep running. */
    public void configure(Duration keepAlive, int maxStreams) {
        if (keepAlive.isNegative() || keepAlive.isZero() || maxStreams < 1) {
            throw new IllegalArgumentException("keep-alive must be positive and at least one stream allowed");
        }
        this.keepAlive = keepAlive;
        this.maxStreams = maxStreams;
    }

    /** How many streams are open now. */
    public int openCount() {
        return open.size();
    }

    /** Ends every open stream (the API is going away). */
    public void closeAll() {
        open.forEach(Running::close);
    }

    /**
     * A response body following {@code topic}.
     *
     * @param messaging   the bus
     * @param topic       the topic to follow
     * @param toData      the event data of a message: one line of JSON; null to leave the message out
     * @param stillWanted asked every keep-alive interval; false ends the stream
     * @param what        what the stream carries, for messages (e.g. "the readings of sensor si-1")
     */
    public ApiResponse.Streamed follow(Messaging messaging, String topic, Function<Message, String> toData,
            BooleanSupplier stillWanted, String what) {
        return response -> {
            Running stream = open(what);
            Subscription subscription;
            try {
                subscription = messaging.follow(List.of(topic), message -> {
                    String data = toData.apply(message);
                    if (data != null) {
                        stream.offer(data);
                    }
                });
            } catch (RuntimeException e) {
                open.remove(stream);
                throw new IasException(ErrorKind.UNAVAILABLE, "", what + " cannot be followed right now (" + e.getMessage()
                        + "); try again shortly");
            }
            try {
                response.setContentType(CONTENT_TYPE);
                response.setHeader("X-Accel-Buffering", "no");
                run(stream, response.getOutputStream(), stillWanted, what);
            } finally {
                subscription.close();
                open.remove(stream);
            }
        };
    }

    private Running open(String what) throws IasException {
        synchronized (open) {
            int max = maxStreams;
            if (open.size() >= max) {
                throw new IasException(ErrorKind.UNAVAILABLE, "", "too many event streams are open (" + max + "), so "
                        + what + " cannot be streamed now; try again shortly, or raise max_streams of the REST API");
            }
            Running stream = new Running();
            open.add(stream);
            return stream;
        }
    }

    private void run(Running stream, OutputStream out, BooleanSupplier stillWanted, String what) {
        try {
            send(out, ": ok\n\n");
            long interval = keepAlive.toNanos();
            long nextCheck = System.nanoTime() + interval;
            boolean sentSinceCheck = false;
            while (!stream.closed) {
                Object item = stream.queue.poll(Math.max(0, nextCheck - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (item == CLOSE || stream.closed) {
                    break;
                }
                if (item != null) {
                    long skipped = stream.skipped.getAndSet(0);
                    if (skipped > 0) {
                        send(out, ": skipped " + skipped + " messages: the client reads slower than they come\n\n");
                    }
                    send(out, "data: " + item + "\n\n");
                    sentSinceCheck = true;
                }
                if (System.nanoTime() - nextCheck >= 0) {
                    if (!wanted(stillWanted, what)) {
                        send(out, ": end\n\n");
                        break;
                    }
                    if (!sentSinceCheck) {
                        send(out, ": keep-alive\n\n");
                    }
                    sentSinceCheck = false;
                    nextCheck = System.nanoTime() + interval;
                }
            }
        } catch (IOException e) {
            LOG.debug("The client of {} went away: {}", what, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean wanted(BooleanSupplier stillWanted, String what) {
        try {
            return stillWanted.getAsBoolean();
        } catch (RuntimeException e) {
            // e.g. the store behind the check is briefly unreachable: keep serving, ask again next time
            LOG.debug("Could not check whether {} is still wanted: {}", what, e.toString());
            return true;
        }
    }

    private static void send(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** One open stream: what the follower delivered and the writer has not sent yet. */
    private static final class Running {
        final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
        final AtomicLong skipped = new AtomicLong();
        volatile boolean closed;

        /** Never blocks the follower: when the queue is full the oldest message gives way. */
        void offer(String data) {
            while (!closed && !queue.offer(data)) {
                if (queue.poll() != null) {
                    skipped.incrementAndGet();
                }
            }
        }

        void close() {
            closed = true;
            while (!queue.offer(CLOSE)) {
                queue.poll();
            }
        }
    }
}
