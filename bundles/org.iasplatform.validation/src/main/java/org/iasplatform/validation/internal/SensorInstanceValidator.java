package org.iasplatform.validation.internal;

import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import org.iasplatform.api.validation.ConfigKind;
import org.iasplatform.api.validation.ConfigValidator;
import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One sensor instance of sensorInstance.json: {@code sensor_type}, {@code ip}, {@code port}, {@code no_of_fields} and
 * free key/value tags. Whether the type is registered is the platform manager's business (422), not checked here.
 */
@Component(service = ConfigValidator.class, property = ConfigValidator.PROPERTY_KIND + "=sensor-instance")
public class SensorInstanceValidator extends SchemaBackedValidator {
    static final String PORT_EXPECTED = "a port number from 1 to 65535, e.g. 8766 or \"8766\"";
    static final String ADDRESS_EXPECTED = "an IPv4 address (e.g. 192.168.1.20), an IPv6 address (e.g. fe80::1) or a host "
            + "name (e.g. bus-gps-1.local)";

    private static final Set<String> FIELDS = Set.of("sensor_type", "ip", "port", "no_of_fields");
    /** Names the registry gives the registered instance, or that the store reserves: not usable as tags. */
    private static final Map<String, String> RESERVED = Map.of(
            "id", "the platform's id of the registered instance",
            "_id", "the store's record id",
            "data_topic", "the instance's data topic, assigned by the platform",
            "control_topic", "the instance's control topic, assigned by the platform");

    public SensorInstanceValidator() {
        super(ConfigKind.SENSOR_INSTANCE, "the sensor instance");
    }

    @Override
    void check(JsonNode item, Problems problems) {
        String ip = Names.text(item.get("ip"));
        if (ip != null && !ip.isEmpty() && !Addresses.isValid(ip)) {
            problems.add("/ip", "ip " + Texts.quote(ip) + " is not a valid address; expected " + ADDRESS_EXPECTED);
        }
        checkPort(item.get("port"), problems);
        for (Iterator<String> it = item.fieldNames(); it.hasNext();) {
            String key = it.next();
            if (FIELDS.contains(key)) {
                continue;
            }
            if (key.isBlank()) {
                problems.add(Pointers.child("", key), "a tag has an empty name; expected tags such as \"bus-id\": \"1\"");
            } else if (RESERVED.containsKey(key)) {
                problems.add(Pointers.child("", key), Texts.quote(key) + " cannot be used as a tag: it is "
                        + RESERVED.get(key) + "; expected another tag name");
            } else if (key.startsWith("$")) {
                problems.add(Pointers.child("", key), "tag " + Texts.quote(key) + " starts with '$'; expected a tag name "
                        + "that does not start with '$'");
            }
        }
    }

    private static void checkPort(JsonNode port, Problems problems) {
        if (port == null) {
            return;
        }
        if (port.isTextual()) {
            String text = port.asText();
            if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
                problems.add("/port", "port " + Texts.quote(port.asText()) + " is not a number; expected " + PORT_EXPECTED);
                return;
            }
            if (text.length() > 5 || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
                problems.add("/port", "port " + Texts.quote(port.asText()) + " is out of range; expected " + PORT_EXPECTED);
            }
        } else if (port.isNumber()) {
            if (!port.canConvertToExactIntegral()) {
                problems.add("/port", "port " + port.asText() + " is not a whole number; expected " + PORT_EXPECTED);
            } else if (!port.canConvertToLong() || port.asLong() < 1 || port.asLong() > 65535) {
                problems.add("/port", "port " + port.asText() + " is out of range; expected " + PORT_EXPECTED);
            }
        }
    }
}
