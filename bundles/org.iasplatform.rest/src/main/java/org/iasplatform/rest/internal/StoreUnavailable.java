package org.iasplatform.rest.internal;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;

import com.mongodb.MongoConnectionPoolClearedException;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoOperationTimeoutException;
import com.mongodb.MongoServerUnavailableException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;

/**
 * Recognises the failures of a call that mean "the platform's store (MongoDB) cannot be reached right now" — no server
 * selected within the time-out, a connection refused, reset or timed out, a replica set without a primary — wherever
 * they sit in the cause chain (a service may wrap them). The API answers those 503 with a clear message instead of a
 * 500 with a reference: the platform is fine, its store is away, and the call can simply be made again later.
 */
final class StoreUnavailable {
    /** Seconds a client is asked to wait before trying again ({@code Retry-After}). */
    static final String RETRY_AFTER_SECONDS = "5";
    private static final int MAX_DEPTH = 16;

    private StoreUnavailable() {
    }

    /** The 503 to answer for {@code failure}, or empty when it is not the store being unreachable. */
    static Optional<HttpProblem> problem(Throwable failure) {
        return reason(failure).map(reason -> new HttpProblem(503, "", "the platform's store (MongoDB) cannot be reached"
                + " right now (" + reason + "), so this request could not be served; try again once GET /health shows"
                + " the store UP").withHeader("Retry-After", RETRY_AFTER_SECONDS));
    }

    /** Why the store is unreachable, in a few words, if {@code failure} (or one of its causes) says it is. */
    static Optional<String> reason(Throwable failure) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_DEPTH && seen.put(t, Boolean.TRUE) == null; depth++) {
            if (t instanceof MongoTimeoutException || t instanceof MongoOperationTimeoutException) {
                return Optional.of(firstSentence(t.getMessage()));
            }
            if (t instanceof MongoSocketException socket) {
                return Optional.of(socket.getServerAddress() + ": " + firstSentence(socket.getMessage()));
            }
            if (t instanceof MongoNotPrimaryException || t instanceof MongoNodeIsRecoveringException) {
                return Optional.of("no primary: " + firstSentence(t.getMessage()));
            }
            if (t instanceof MongoConnectionPoolClearedException || t instanceof MongoServerUnavailableException) {
                return Optional.of(firstSentence(t.getMessage()));
            }
            t = t.getCause();
        }
        return Optional.empty();
    }

    /**
     * The driver's message up to its first sentence: a time-out's message goes on with the whole cluster description,
     * which is for the log, not for an API client.
     */
    static String firstSentence(String message) {
        if (message == null || message.isBlank()) {
            return "no detail given";
        }
        int end = message.indexOf(". ");
        return end < 0 ? message.strip() : message.substring(0, end).strip();
    }
}
