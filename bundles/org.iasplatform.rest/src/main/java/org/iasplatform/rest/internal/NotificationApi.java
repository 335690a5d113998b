package org.iasplatform.rest.internal;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.notification.Notifications;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The caller's notifications: those addressed to the caller's user name or to one of the caller's roles. Any platform role
 * may read its own (an algorithm may notify any role, e.g. "configurator").
 */
public final class NotificationApi {
    private static final Logger LOG = LoggerFactory.getLogger(NotificationApi.class);
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    private final Services services;
    private final ObjectMapper mapper;
    private final EventStreams streams;

    public NotificationApi(Services services, ObjectMapper mapper, EventStreams streams) {
        this.services = services;
        this.mapper = mapper;
        this.streams = streams;
    }

    /** This part's routes. */
    public List<Route> routes() {
        return List.of(
                Route.of("GET", "/notifications", Access.ANY_ROLE, this::list),
                Route.of("GET", "/notifications/stream", Access.ANY_ROLE, this::stream),
                Route.of("POST", "/notifications/{id}/read", Access.ANY_ROLE, this::markRead));
    }

    /** The newest {@code limit} (default {@value #DEFAULT_LIMIT}), newest first. */
    ApiResponse list(ApiRequest request) throws IasException {
        int limit = limit(request.queryParam("limit"));
        Caller caller = request.caller();
        return ApiResponse.ok(notifications().forRecipient(caller.user(), caller.roles(), limit));
    }

    ApiResponse markRead(ApiRequest request) throws IasException {
        String id = request.variable("id");
        Caller caller = request.caller();
        if (!notifications().markRead(id, caller.user(), caller.roles())) {
            throw new IasException(ErrorKind.NOT_FOUND, "id", "no notification '" + id + "' is addressed to you ("
                    + caller.user() + " or your roles)");
        }
        return ApiResponse.noContent();
    }

    /** New notifications for the caller as server-sent events, one {@code notifications} record per event. */
    ApiResponse stream(ApiRequest request) throws IasException {
        Messaging messaging = Services.require(services.messaging(), "messaging (kafka)");
        Caller caller = request.caller();
        Set<String> recipients = new HashSet<>(caller.roles());
        recipients.add(caller.user());
        return ApiResponse.streamed(200, streams.follow(messaging, Topics.NOTIFICATIONS, message -> forCaller(message,
                recipients), () -> true, "the notifications of " + caller.user()));
    }

    private String forCaller(Message message, Set<String> recipients) {
        try {
            JsonNode notification = mapper.readTree(message.value());
            if (notification == null || !recipients.contains(notification.path("to").asText(null))) {
                return null;
            }
            return mapper.writeValueAsString(notification);
        } catch (JsonProcessingException e) {
            LOG.debug("skipping a malformed notification at {}/{}:{}", message.topic(), message.partition(), message.offset());
            return null;
        }
    }

    static int limit(Optional<String> value) throws IasException {
        return QueryParams.intInRange(value, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    }

    private Notifications notifications() throws IasException {
        return Services.require(services.notifications(), "notifications");
    }
}
