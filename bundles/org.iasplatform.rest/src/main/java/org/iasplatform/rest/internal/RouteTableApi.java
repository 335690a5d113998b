package org.iasplatform.rest.internal;

import java.util.List;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code GET /routes} (admin): the route table as the running API serves it, each route with its role rule, so that the
 * endpoint × role matrix can be checked against the platform itself.
 */
public final class RouteTableApi {
    private final ObjectMapper mapper;
    private final List<Route> table;

    /** @param table the routes answered, read at each request (a view of the table this route is part of) */
    public RouteTableApi(ObjectMapper mapper, List<Route> table) {
        this.mapper = mapper;
        this.table = table;
    }

    public Route route() {
        return Route.of("GET", "/routes", Access.roles(Access.ADMIN), this::routes);
    }

    /**
     * {@code {"routes": [{"method", "path", "authenticated", "instance_token", "roles": [allowed roles, admin included;
     * none when public or for an instance token], "rule": "none" | "instance token" | "admin, ..."}]}}.
     */
    ApiResponse routes(ApiRequest request) {
        ObjectNode body = mapper.createObjectNode();
        ArrayNode routes = body.putArray("routes");
        for (Route r : table) {
            ObjectNode route = routes.addObject();
            route.put("method", r.method());
            route.put("path", r.path().template());
            route.put("authenticated", r.access().authenticated());
            route.put("instance_token", r.access().instanceToken());
            ArrayNode roles = route.putArray("roles");
            if (r.access().authenticated() && !r.access().instanceToken()) {
                TreeSet<String> all = new TreeSet<>(r.access().roles());
                all.add(Access.ADMIN);
                all.forEach(roles::add);
            }
            route.put("rule", r.access().describe());
        }
        return ApiResponse.ok(body);
    }
}
