package org.iasplatform.rest.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executor;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The one route table of {@code /ias/api/v1}. */
public final class RestApi {
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(3);
    static final Duration READINGS_TIMEOUT = Duration.ofSeconds(5);
    /** The defaults of {@link RestConfig}. */
    static final long DEFAULT_MAX_UPLOAD_BYTES = 104_857_600L;
    static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(15);
    static final int DEFAULT_MAX_STREAMS = 100;

    private RestApi() {
    }

    /** Every route with the default limits and event streams of their own. */
    public static List<Route> routes(Services services, ObjectMapper mapper, Executor healthExecutor) {
        return routes(services, mapper, healthExecutor, new EventStreams(DEFAULT_KEEPALIVE, DEFAULT_MAX_STREAMS),
                DEFAULT_MAX_UPLOAD_BYTES);
    }

    /** Every route: method + path template, role rule, handler. */
    public static List<Route> routes(Services services, ObjectMapper mapper, Executor healthExecutor, EventStreams streams,
            long maxUploadBytes) {
        List<Route> routes = new ArrayList<>();
        routes.add(new HealthCheck(services, mapper, healthExecutor, HEALTH_TIMEOUT).route());
        routes.addAll(new SensorApi(services, mapper, READINGS_TIMEOUT).routes());
        routes.addAll(new AppApi(services, mapper, maxUploadBytes).routes());
        routes.addAll(new DeploymentApi(services, mapper).routes());
        routes.addAll(new NodeAdminApi(services, mapper).routes());
        routes.addAll(new ServiceApi(services, mapper).routes());
        routes.addAll(new NotificationApi(services, mapper, streams).routes());
        routes.addAll(new AlertApi(services, mapper, streams).routes());
        routes.addAll(new AlgorithmApi(services, mapper, streams).routes());
        // the route table itself (admin), last: it answers every route above, read when asked
        routes.add(new RouteTableApi(mapper, Collections.unmodifiableList(routes)).route());
        return List.copyOf(routes);
    }
}
