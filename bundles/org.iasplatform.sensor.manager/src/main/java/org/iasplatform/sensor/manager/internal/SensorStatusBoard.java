package org.iasplatform.sensor.manager.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.sensor.SensorStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The sensor statuses as the platform instance serving the devices publishes them on
 * {@link org.iasplatform.api.messaging.Topics#SENSOR_STATUS} (every status period): what a standby platform instance
 * answers status queries with. A status not republished within {@link #STALE_PERIODS} periods (its instance deleted, or
 * the serving instance gone) is dropped.
 */
final class SensorStatusBoard {
    private static final Logger LOG = LoggerFactory.getLogger(SensorStatusBoard.class);
    static final int STALE_PERIODS = 3;

    private record Entry(SensorStatus status, long receivedAtMs) {
    }

    private final ObjectMapper mapper;
    private final long staleAfterMs;
    private final LongSupplier clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    SensorStatusBoard(ObjectMapper mapper, Duration period, LongSupplier clock) {
        this.mapper = mapper;
        this.staleAfterMs = period.toMillis() * STALE_PERIODS;
        this.clock = clock;
    }

    /** Takes one published status (a malformed one is logged and ignored). */
    void onStatus(Message message) {
        try {
            SensorStatus status = mapper.readValue(message.value(), SensorStatus.class);
            if (status.sensorInstanceId() != null) {
                entries.put(status.sensorInstanceId(), new Entry(status, clock.getAsLong()));
            }
        } catch (JsonProcessingException e) {
            LOG.warn("Ignoring malformed sensor status {}: {}", message.position(), e.getOriginalMessage());
        }
    }

    /** The serialised form published for a status. */
    String json(SensorStatus status) throws JsonProcessingException {
        return mapper.writeValueAsString(status);
    }

    List<SensorStatus> statuses() {
        long now = clock.getAsLong();
        List<SensorStatus> result = new ArrayList<>();
        entries.entrySet().removeIf(e -> now - e.getValue().receivedAtMs() > staleAfterMs);
        entries.values().forEach(e -> result.add(e.status()));
        result.sort(Comparator.comparing(SensorStatus::sensorInstanceId));
        return result;
    }

    Optional<SensorStatus> status(String sensorInstanceId) {
        Entry entry = sensorInstanceId == null ? null : entries.get(sensorInstanceId);
        if (entry == null || clock.getAsLong() - entry.receivedAtMs() > staleAfterMs) {
            return Optional.empty();
        }
        return Optional.of(entry.status());
    }
}
