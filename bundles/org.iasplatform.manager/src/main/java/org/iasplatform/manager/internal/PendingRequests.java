package org.iasplatform.manager.internal;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Requests sent into the pipeline and not yet answered, by request id; completed from the pipeline's events. An event
 * that is only a step on the way (the sensor binder's "ok" before the scheduler's answer) is kept as the request's
 * progress, so that a request whose answer does not come in time can still say how far it got.
 */
final class PendingRequests {
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final Map<String, JsonNode> progress = new ConcurrentHashMap<>();

    String newRequestId() {
        return "r-" + UUID.randomUUID();
    }

    CompletableFuture<JsonNode> register(String requestId) {
        return pending.computeIfAbsent(requestId, id -> new CompletableFuture<>());
    }

    void forget(String requestId) {
        pending.remove(requestId);
        progress.remove(requestId);
    }

    void complete(String requestId, JsonNode event) {
        CompletableFuture<JsonNode> future = pending.remove(requestId);
        progress.remove(requestId);
        if (future != null) {
            future.complete(event);
        }
    }

    /** Records an intermediate event of a pending request (ignored when the request is not pending). */
    void note(String requestId, JsonNode event) {
        // under the pending entry's lock: a note never outlives its request's completion or forgetting
        pending.computeIfPresent(requestId, (id, future) -> {
            progress.put(id, event);
            return future;
        });
    }

    /** The last intermediate event of a pending request, or null. */
    JsonNode progress(String requestId) {
        return progress.get(requestId);
    }
}
