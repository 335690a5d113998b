package org.iasplatform.rest.internal;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.alert.AlertFilter;
import org.iasplatform.api.alert.AlertKind;
import org.iasplatform.api.alert.AlertState;
import org.iasplatform.api.alert.Alerts;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Messaging;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Alerts (silent or disconnected sensors, FAILED instances): each names the roles (and users) it is for; a caller sees and
 * acknowledges those for its user name or one of its roles (admin: all).
 */
public final class AlertApi {
    private static final Logger LOG = LoggerFactory.getLogger(AlertApi.class);
    static final int DEFAULT_LIMIT = 100;

    private final Services services;
    private final ObjectMapper mapper;
    private final EventStreams streams;

    public AlertApi(Services services, ObjectMapper mapper, EventStreams streams) {
        this.services = services;
        this.mapper = mapper;
        this.streams = streams;
    }

    /** This part's routes. */
    public List<Route> routes() {
        return List.of(
                Route.of("GET", "/alerts", Access.ANY_ROLE, this::list),
                Route.of("GET", "/alerts/stream", Access.ANY_ROLE, this::stream),
                Route.of("GET", "/alerts/{id}", Access.ANY_ROLE, this::one),
                Route.of("POST", "/alerts/{id}/ack", Access.ANY_ROLE, this::acknowledge));
    }

    /** {@code ?kind=&state=&subject=&acknowledged=true|false&limit=N}, newest first. */
    ApiResponse list(ApiRequest request) throws IasException {
        AlertFilter filter = new AlertFilter(
                QueryParams.enumValue(request.queryParam("kind"), AlertKind.class, "kind"),
                QueryParams.enumValue(request.queryParam("state"), AlertState.class, "state"),
                request.queryParam("subject").map(String::strip).filter(s -> !s.isEmpty()).orElse(null),
                QueryParams.bool(request.queryParam("acknowledged"), "acknowledged"),
                QueryParams.intInRange(request.queryParam("limit"), "limit", DEFAULT_LIMIT, 1, Alerts.MAX_LIMIT));
        Caller caller = request.caller();
        return ApiResponse.ok(Map.of("alerts", alerts().list(filter, caller.user(), caller.roles())));
    }

    ApiResponse one(ApiRequest request) throws IasException {
        String id = request.variable("id");
        Caller caller = request.caller();
        return ApiResponse.ok(alerts().alert(id, caller.user(), caller.roles()).orElseThrow(() -> new IasException(
                ErrorKind.NOT_FOUND, "id", "no alert '" + id + "' is for you (" + caller.user() + " or your roles)")));
    }

    ApiResponse acknowledge(ApiRequest request) throws IasException {
        Caller caller = request.caller();
        return ApiResponse.ok(alerts().acknowledge(request.variable("id"), caller.user(), caller.roles()));
    }

    /** Every change of an alert for the caller (raised, resolved, acknowledged) as server-sent events. */
    ApiResponse stream(ApiRequest request) throws IasException {
        Messaging messaging = Services.require(services.messaging(), "messaging (kafka)");
        Caller caller = request.caller();
        Set<String> roles = new HashSet<>(caller.roles());
        return ApiResponse.streamed(200, streams.follow(messaging, Alerts.TOPIC, message -> forCaller(message,
                caller.user(), roles), () -> true, "the alerts of " + caller.user()));
    }

    private String forCaller(Message message, String user, Set<String> roles) {
        try {
            JsonNode alert = mapper.readTree(message.value());
            if (alert == null || !isFor(alert, user, roles)) {
                return null;
            }
            return mapper.writeValueAsString(alert);
        } catch (JsonProcessingException e) {
            LOG.debug("skipping a malformed alert at {}/{}:{}", message.topic(), message.partition(), message.offset());
            return null;
        }
    }

    private static boolean isFor(JsonNode alert, String user, Set<String> roles) {
        if (roles.contains(Alerts.ADMIN_ROLE)) {
            return true;
        }
        for (JsonNode role : alert.path("roles")) {
            if (roles.contains(role.asText())) {
                return true;
            }
        }
        for (JsonNode named : alert.path("users")) {
            if (!user.isEmpty() && user.equals(named.asText())) {
                return true;
            }
        }
        return false;
    }

    private Alerts alerts() throws IasException {
        return Services.require(services.alerts(), "alerts");
    }
}
