package org.iasplatform.rest.internal;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.sensor.ConnectionState;
import org.iasplatform.api.sensor.SensorConnections;
import org.iasplatform.api.sensor.SensorRegistry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code GET /health}: {@code {"status": "UP"|"DOWN", "components": {name: {"status", "detail"}}}}. UP only when every
 * component is UP: the broker answers, the sensor registry answers (which reads the store), and every platform service the
 * API serves is in place (a platform that is still starting, or missing a service, answers DOWN, so that {@code ias start}
 * returns only once every call can be served); 503 when DOWN. Every check is bounded in time.
 */
public final class HealthCheck {
    private final Services services;
    private final ObjectMapper mapper;
    private final Executor executor;
    private final Duration timeout;

    private record Status(boolean up, String detail) {
    }

    public HealthCheck(Services services, ObjectMapper mapper, Executor executor, Duration timeout) {
        this.services = services;
        this.mapper = mapper;
        this.executor = executor;
        this.timeout = timeout;
    }

    public Route route() {
        return Route.of("GET", "/health", Access.PUBLIC, request -> check());
    }

    public ApiResponse check() {
        Messaging messaging = services.messaging();
        SensorRegistry registry = services.sensorRegistry();
        Future<Status> kafka = submit(() -> messaging == null ? new Status(false, "the messaging service is not available")
                : messaging.isReachable(timeout) ? new Status(true, "broker reachable")
                        : new Status(false, "the broker did not answer within " + timeout.toMillis() + " ms"));
        Future<Status> registryStatus = submit(() -> registry == null
                ? new Status(false, "the sensor registry service is not available")
                : new Status(true, registry.sensorTypes().size() + " sensor types registered"));
        Status kafkaStatus = await(kafka, "kafka");
        Status registryAnswer = await(registryStatus, "sensor_registry");
        Status store = registry == null ? new Status(false, "unknown: the sensor registry (which reads the store) is not available")
                : registryAnswer.up() ? new Status(true, "the sensor registry read it")
                        : new Status(false, "the sensor registry could not read it: " + registryAnswer.detail());

        SensorConnections connections = services.sensorConnections();
        Status sensorManager;
        if (connections == null) {
            sensorManager = new Status(false, "the sensor manager service is not available");
        } else {
            try {
                var statuses = connections.statuses();
                long connected = statuses.stream().filter(s -> s.state() == ConnectionState.CONNECTED).count();
                sensorManager = new Status(true, connected + " of " + statuses.size() + " sensor instances connected");
            } catch (RuntimeException e) {
                sensorManager = new Status(false, "failed: " + e.getMessage());
            }
        }
        Status platformManager = services.platformManager() == null
                ? new Status(false, "the platform manager service is not available")
                : new Status(true, "available");

        java.util.Map<String, Status> all = new java.util.LinkedHashMap<>();
        all.put("kafka", kafkaStatus);
        all.put("store", store);
        all.put("sensor_registry", registryAnswer);
        all.put("sensor_manager", sensorManager);
        all.put("platform_manager", platformManager);
        all.put("app_repository", presence(services.appRepository(), "the app repository"));
        all.put("deployments", presence(services.deployments(), "the scheduler's deployments"));
        all.put("instances", presence(services.instanceRegistry(), "the algorithm instances (server-lifecycle)"));
        all.put("nodes", presence(services.nodes(), "the nodes (server-lifecycle)"));
        all.put("notifications", presence(services.notifications(), "the notification store"));
        boolean up = all.values().stream().allMatch(Status::up);
        ObjectNode body = mapper.createObjectNode();
        body.put("status", up ? "UP" : "DOWN");
        ObjectNode components = body.putObject("components");
        all.forEach((name, status) -> put(components, name, status));
        return new ApiResponse(up ? 200 : 503, body);
    }

    private static Status presence(Object service, String what) {
        return service == null ? new Status(false, what + " service is not available") : new Status(true, "available");
    }

    private Future<Status> submit(Callable<Status> check) {
        CompletableFuture<Status> future = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    future.complete(check.call());
                } catch (Exception | LinkageError e) {
                    future.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            future.complete(new Status(false, "not checked: too many health checks under way"));
        }
        return future;
    }

    private Status await(Future<Status> future, String what) {
        try {
            return future.get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return new Status(false, what + " did not answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return new Status(false, "failed: " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Status(false, "interrupted");
        }
    }

    private static void put(ObjectNode components, String name, Status status) {
        components.putObject(name).put("status", status.up() ? "UP" : "DOWN").put("detail", status.detail());
    }
}
