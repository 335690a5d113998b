package org.iasplatform.rest.internal;

import java.util.List;
import java.util.Optional;

import org.iasplatform.api.IasException;
import org.iasplatform.api.service.PlatformServices;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The platform's own components and what the service-lifecycle watchdog did about them (admin only). */
public final class ServiceApi {
    static final int DEFAULT_EVENTS = 100;

    private final Services services;
    private final ObjectMapper mapper;

    public ServiceApi(Services services, ObjectMapper mapper) {
        this.services = services;
        this.mapper = mapper;
    }

    /** This part's routes. */
    public List<Route> routes() {
        Access admin = Access.roles(Access.ADMIN);
        return List.of(
                Route.of("GET", "/services", admin, this::services),
                Route.of("GET", "/services/events", admin, this::events));
    }

    /** {@code {"platform": id, "services": [...]}}: every component of this platform instance. */
    ApiResponse services(ApiRequest request) throws IasException {
        PlatformServices platform = platformServices();
        ObjectNode body = mapper.createObjectNode();
        body.put("platform", platform.platformId());
        body.set("services", mapper.valueToTree(platform.services()));
        return ApiResponse.ok(body);
    }

    /** {@code {"events": [...]}}: the latest {@code limit} (default 100) events, oldest first, optionally filtered. */
    ApiResponse events(ApiRequest request) throws IasException {
        int limit = limit(request.queryParam("limit"));
        String component = filter(request.queryParam("component"));
        String platform = filter(request.queryParam("platform"));
        ObjectNode body = mapper.createObjectNode();
        body.set("events", mapper.valueToTree(platformServices().events(component, platform, limit)));
        return ApiResponse.ok(body);
    }

    private PlatformServices platformServices() throws IasException {
        return Services.require(services.platformServices(), "service_lifecycle (services)");
    }

    static int limit(Optional<String> value) throws IasException {
        return QueryParams.intInRange(value, "limit", DEFAULT_EVENTS, 1, PlatformServices.MAX_EVENTS);
    }

    private static String filter(Optional<String> value) {
        return value.map(String::strip).filter(v -> !v.isEmpty()).orElse(null);
    }
}
