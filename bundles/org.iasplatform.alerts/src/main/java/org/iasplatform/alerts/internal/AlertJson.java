package org.iasplatform.alerts.internal;

import java.time.Instant;

import org.iasplatform.api.alert.Alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;

/** An alert's JSON as the REST API writes it (times as ISO-8601 text). */
final class AlertJson {
    private final ObjectMapper mapper = new ObjectMapper()
            .registerModule(new SimpleModule("ias-time").addSerializer(Instant.class, ToStringSerializer.instance));

    String write(Alert alert) {
        try {
            return mapper.writeValueAsString(alert);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write alert " + alert.id() + " as JSON", e);
        }
    }
}
