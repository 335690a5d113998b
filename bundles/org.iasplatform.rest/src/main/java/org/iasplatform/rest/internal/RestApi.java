package org.iasplatform.rest.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The one route table of {@code /ias/api/v1}. */
public final class RestApi {
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(3);
    static final Duration READINGS_TIMEOUT = Duration.ofSeconds(5);

    private RestApi() {
    }

    /** Every route: method + path template, role rule, handler. */
    public static List<Route> routes(Services services, ObjectMapper mapper, Executor healthExecutor) {
        List<Route> routes = new ArrayList<>();
        routes.add(new HealthCheck(services, mapper, healthExecutor, HEALTH_TIMEOUT).route());
        routes.addAll(new SensorApi(services, mapper, READINGS_TIMEOUT).routes());
        return List.copyOf(routes);
    }
}
