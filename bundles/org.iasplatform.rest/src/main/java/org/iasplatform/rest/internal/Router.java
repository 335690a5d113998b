package org.iasplatform.rest.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The route table: finds the route of a request, or says why there is none (404, 405). */
public final class Router {
    /** A route found, with the values of its path variables. */
    public record Match(Route route, Map<String, String> variables) {
    }

    private final List<Route> routes;

    public Router(List<Route> routes) {
        this.routes = List.copyOf(routes);
        for (int i = 0; i < this.routes.size(); i++) {
            for (int j = 0; j < i; j++) {
                Route a = this.routes.get(i);
                Route b = this.routes.get(j);
                if (a.method().equals(b.method()) && a.path().template().equals(b.path().template())) {
                    throw new IllegalArgumentException("route given twice: " + a);
                }
            }
        }
    }

    /** Every route, in table order. */
    public List<Route> routes() {
        return routes;
    }

    /** The route of {@code method path}; 404 when no route has the path, 405 (with {@code Allow}) when none the method. */
    public Match resolve(String method, String path) throws HttpProblem {
        Set<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            Optional<Map<String, String>> vars = route.path().match(path);
            if (vars.isPresent()) {
                if (route.method().equals(method)) {
                    return new Match(route, vars.get());
                }
                allowed.add(route.method());
            }
        }
        if (allowed.isEmpty()) {
            throw new HttpProblem(404, "", "no such resource: " + path);
        }
        throw new HttpProblem(405, "", method + " is not allowed on " + path + "; allowed: " + String.join(", ", allowed))
                .withHeader("Allow", String.join(", ", allowed));
    }
}
