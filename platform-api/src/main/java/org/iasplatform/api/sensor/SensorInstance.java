package org.iasplatform.api.sensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

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
}
