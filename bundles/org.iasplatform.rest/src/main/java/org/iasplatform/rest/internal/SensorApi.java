package org.iasplatform.rest.internal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.manager.PlatformManager;
import org.iasplatform.api.manager.RegistrationOutcome;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.ControlCommand;
import org.iasplatform.api.sensor.Reading;
import org.iasplatform.api.sensor.SensorConnections;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorStatus;
import org.iasplatform.api.sensor.SensorType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The sensor part of the API: sensor types, sensor instances, readings, control. */
public final class SensorApi {
    private static final Logger LOG = LoggerFactory.getLogger(SensorApi.class);
    static final String BASE = "/ias/api/v1";
    static final int DEFAULT_READINGS = 10;
    static final int MAX_READINGS = 1000;
    static final String SENSOR_TYPE_PARAM = "sensor_type";

    private final Services services;
    private final ObjectMapper mapper;
    private final Duration readingsTimeout;

    public SensorApi(Services services, ObjectMapper mapper, Duration readingsTimeout) {
        this.services = services;
        this.mapper = mapper;
        this.readingsTimeout = readingsTimeout;
    }

    /** This part's routes. */
    public List<Route> routes() {
        Access configurator = Access.roles("configurator");
        return List.of(
                Route.of("POST", "/sensor-types", configurator, this::registerSensorTypes),
                Route.of("GET", "/sensor-types", Access.ANY_ROLE, this::listSensorTypes),
                Route.of("GET", "/sensor-types/{name}", Access.ANY_ROLE, this::getSensorType),
                Route.of("DELETE", "/sensor-types/{name}", configurator, this::deleteSensorType),
                Route.of("POST", "/sensor-instances", configurator, this::registerSensorInstances),
                Route.of("GET", "/sensor-instances", Access.ANY_ROLE, this::listSensorInstances),
                Route.of("GET", "/sensor-instances/{id}", Access.ANY_ROLE, this::getSensorInstance),
                Route.of("DELETE", "/sensor-instances/{id}", configurator, this::deleteSensorInstance),
                Route.of("GET", "/sensor-instances/{id}/readings", Access.ANY_ROLE, this::readings),
                Route.of("POST", "/sensor-instances/{id}/control", Access.roles("user", "configurator"), this::control));
    }

    ApiResponse registerSensorTypes(ApiRequest request) throws Exception {
        JsonNode document = request.json(true);
        RegistrationOutcome<String> outcome = platformManager().registerSensorTypes(document);
        if (!outcome.completed()) {
            return pending(outcome, "/sensor-types");
        }
        ObjectNode body = mapper.createObjectNode();
        ArrayNode names = body.putArray("registered");
        outcome.registered().forEach(names::add);
        return ApiResponse.created(body);
    }

    ApiResponse listSensorTypes(ApiRequest request) throws IasException {
        return ApiResponse.ok(registry().sensorTypes());
    }

    ApiResponse getSensorType(ApiRequest request) throws IasException {
        String name = request.variable("name");
        Optional<SensorType> type = registry().sensorType(name);
        return ApiResponse.ok(type.orElseThrow(() -> new IasException(ErrorKind.NOT_FOUND, "name",
                "no sensor type named '" + name + "' is registered")));
    }

    ApiResponse deleteSensorType(ApiRequest request) throws IasException {
        platformManager().deleteSensorType(request.variable("name"));
        return ApiResponse.noContent();
    }

    ApiResponse registerSensorInstances(ApiRequest request) throws Exception {
        JsonNode document = request.json(true);
        RegistrationOutcome<SensorInstance> outcome = platformManager().registerSensorInstances(document);
        if (!outcome.completed()) {
            return pending(outcome, "/sensor-instances");
        }
        ObjectNode body = mapper.createObjectNode();
        ArrayNode registered = body.putArray("registered");
        for (SensorInstance instance : outcome.registered()) {
            registered.addObject().put("id", instance.id()).put("sensor_type", instance.sensorType())
                    .put("data_topic", instance.dataTopic()).put("control_topic", instance.controlTopic());
        }
        return ApiResponse.created(body);
    }

    ApiResponse listSensorInstances(ApiRequest request) throws IasException {
        String type = request.queryParam(SENSOR_TYPE_PARAM).orElse(null);
        Map<String, String> tags = new LinkedHashMap<>();
        request.query().forEach((name, values) -> {
            if (!name.equals(SENSOR_TYPE_PARAM) && !values.isEmpty()) {
                tags.put(name, values.get(0));
            }
        });
        List<SensorInstance> instances = registry().sensorInstances(type, tags);
        Map<String, SensorStatus> statuses = new LinkedHashMap<>();
        SensorConnections connections = services.sensorConnections();
        if (connections != null) {
            connections.statuses().forEach(s -> statuses.put(s.sensorInstanceId(), s));
        }
        ArrayNode body = mapper.createArrayNode();
        instances.forEach(i -> body.add(withStatus(i, statuses.get(i.id()))));
        return ApiResponse.ok(body);
    }

    ApiResponse getSensorInstance(ApiRequest request) throws IasException {
        SensorInstance instance = instance(request.variable("id"));
        SensorConnections connections = services.sensorConnections();
        SensorStatus status = connections == null ? null : connections.status(instance.id()).orElse(null);
        return ApiResponse.ok(withStatus(instance, status));
    }

    ApiResponse deleteSensorInstance(ApiRequest request) throws IasException {
        platformManager().deleteSensorInstance(request.variable("id"));
        return ApiResponse.noContent();
    }

    ApiResponse readings(ApiRequest request) throws IasException {
        int limit = limit(request.queryParam("limit"));
        SensorInstance instance = instance(request.variable("id"));
        List<Message> messages;
        try {
            messages = Services.require(services.messaging(), "messaging (kafka)")
                    .latest(Topics.dataTopic(instance.id()), limit, readingsTimeout);
        } catch (MessagingException e) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", "the readings cannot be fetched right now: " + e.getMessage());
        }
        ArrayNode body = mapper.createArrayNode();
        for (Message message : messages) {
            try {
                body.addPOJO(mapper.readValue(message.value(), Reading.class));
            } catch (JsonProcessingException e) {
                LOG.debug("skipping a malformed reading at {}/{}:{}", message.topic(), message.partition(), message.offset());
            }
        }
        return ApiResponse.ok(body);
    }

    ApiResponse control(ApiRequest request) throws Exception {
        String id = request.variable("id");
        ControlCommand command = ControlBodies.parse(request.json(false), mapper, "");
        platformManager().sendControl(id, command);
        return ApiResponse.accepted(mapper.createObjectNode().put("status", "sent"));
    }

    static int limit(Optional<String> value) throws IasException {
        return QueryParams.intInRange(value, "limit", DEFAULT_READINGS, 1, MAX_READINGS);
    }

    private ObjectNode withStatus(SensorInstance instance, SensorStatus status) {
        ObjectNode node = instance.toJson();
        if (status != null) {
            ObjectNode s = node.putObject("status");
            s.put("state", status.state() == null ? null : status.state().name());
            s.put("driver", status.driver());
            s.put("readings", status.readings());
            s.put("invalid", status.invalid());
            s.put("last_reading_at", status.lastReadingAt());
            s.put("detail", status.detail());
        }
        return node;
    }

    private SensorInstance instance(String id) throws IasException {
        return registry().sensorInstance(id).orElseThrow(() -> new IasException(ErrorKind.NOT_FOUND, "id",
                "no sensor instance with id '" + id + "' is registered"));
    }

    private ApiResponse pending(RegistrationOutcome<?> outcome, String see) {
        return ApiResponse.accepted(mapper.createObjectNode().put("request_id", outcome.requestId()).put("status", "pending")
                .put("see", BASE + see));
    }

    private PlatformManager platformManager() throws IasException {
        return Services.require(services.platformManager(), "platform_manager");
    }

    private SensorRegistry registry() throws IasException {
        return Services.require(services.sensorRegistry(), "sensor_registry");
    }
}
