package org.iasplatform.manager.internal;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;

/** Requests sent into the pipeline and not yet answered, by request id; completed from the registry's events. */
final class PendingRequests {
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    String newRequestId() {
        return "r-" + UUID.randomUUID();
    }

    CompletableFuture<JsonNode> register(String requestId) {
        return pending.computeIfAbsent(requestId, id -> new CompletableFuture<>());
    }

    void forget(String requestId) {
        pending.remove(requestId);
    }

    void complete(String requestId, JsonNode event) {
        CompletableFuture<JsonNode> future = pending.remove(requestId);
        if (future != null) {
            future.complete(event);
        }
    }
}
