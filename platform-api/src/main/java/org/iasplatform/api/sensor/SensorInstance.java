package org.iasplatform.api.sensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A registered sensor instance: one device of a registered type, at {@code ip:port}, with free key/value tags that deploy
 * configs filter on, and the Kafka topics of its readings and control commands.
 *
 * @param id           the platform-assigned id; the same type+ip+port always gets the same id
 * @param sensorType   the registered type
 * @param ip           the device's address
 * @param port         the device's TCP port
 * @param noOfFields   the seed's {@code no_of_fields}, if given
 * @param tags         every other key/value of the registration ({@code placeholder}, {@code bus-id}, ...)
 * @param dataTopic    where the instance's readings are published
 * @param controlTopic where control commands for the instance are published
 */
public record SensorInstance(String id, String sensorType, String ip, int port, Integer noOfFields, Map<String, String> tags,
        String dataTopic, String controlTopic) {

    /** JSON field names with a meaning of their own; every other field of a registration is a tag. */
    public static final Set<String> RESERVED_FIELDS = Set.of("id", "_id", "sensor_instance_id", "sensor_type", "ip", "port",
            "no_of_fields", "data_topic", "control_topic");

    public SensorInstance {
        tags = tags == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }

    /** Whether every key/value of {@code filter} is among this instance's tags (or its type, ip or port). */
    public boolean matches(Map<String, String> filter) {
        for (Map.Entry<String, String> e : filter.entrySet()) {
            String actual = switch (e.getKey()) {
                case "sensor_type" -> sensorType;
                case "ip" -> ip;
                case "port" -> String.valueOf(port);
                default -> tags.get(e.getKey());
            };
            if (!e.getValue().equals(actual)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The flat JSON form used everywhere (store, events, REST): {@code id, sensor_type, ip, port, no_of_fields, data_topic,
     * control_topic} and every tag as a top-level field, as the seed stores it.
     */
    public ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("id", id);
        node.put("sensor_type", sensorType);
        node.put("ip", ip);
        node.put("port", port);
        if (noOfFields != null) {
            node.put("no_of_fields", noOfFields);
        }
        tags.forEach(node::put);
        node.put("data_topic", dataTopic);
        node.put("control_topic", controlTopic);
        return node;
    }

    /** Reads the flat form written by {@link #toJson()}; fields other than the reserved ones become tags. */
    public static SensorInstance fromJson(JsonNode node) {
        Map<String, String> tags = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            if (!RESERVED_FIELDS.contains(e.getKey()) && e.getValue().isValueNode()) {
                tags.put(e.getKey(), e.getValue().asText());
            }
        });
        JsonNode fields = node.get("no_of_fields");
        return new SensorInstance(node.path("id").asText(), node.path("sensor_type").asText(), node.path("ip").asText(),
                node.path("port").asInt(), fields == null || fields.isNull() ? null : fields.asInt(), tags,
                node.path("data_topic").asText(), node.path("control_topic").asText());
    }
}
