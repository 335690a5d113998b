package org.iasplatform.sample.busmanagement;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.iasplatform.api.IasException;
import org.iasplatform.api.algorithm.Algorithm;
import org.iasplatform.api.algorithm.AlgorithmContext;
import org.iasplatform.api.algorithm.SensorHandle;
import org.iasplatform.api.sensor.Reading;
import org.osgi.service.component.annotations.Component;

/**
 * Bus_management's fareCalculator: sensor 0 is the bus's gps-sensor {@code {placeholder, x, y}}, sensor 1 its
 * biometric-sensor {@code {person_id, event}} (sensor 2, the admin's gps, is bound as in the seed and not used). Each
 * check-out is charged by {@link FareMeter}'s rule; the fare goes to the application's feed and, as a notification, to
 * the role {@code user}.
 */
@Component(service = Algorithm.class, property = Algorithm.PROPERTY_NAME + "=" + FareCalculator.NAME)
public class FareCalculator implements Algorithm {
    public static final String NAME = "fareCalculator";
    public static final String NOTIFY_TO = "user";
    static final int GPS = 0;
    static final int BIOMETRIC = 1;

    @Override
    public void run(AlgorithmContext context) throws Exception {
        SensorHandle gps = context.sensor(GPS);
        SensorHandle biometric = context.sensor(BIOMETRIC);
        Instance instance = new Instance(context, gps.binding().sensorInstanceId(), new FareMeter());
        context.log(NAME + ": bus " + instance.busId + ", fare = " + FareMeter.BASE_FARE + " + " + FareMeter.PER_KM
                + " per km (planar metres)");
        try (AutoCloseable positions = gps.subscribe(instance::onGps);
                AutoCloseable events = biometric.subscribe(instance::onBiometric)) {
            Algorithms.awaitStop(context);
        }
    }

    /** One running instance: the bus's fare meter. */
    static final class Instance {
        private final AlgorithmContext context;
        final String busId;
        final FareMeter meter;

        Instance(AlgorithmContext context, String busId, FareMeter meter) {
            this.context = context;
            this.busId = busId;
            this.meter = meter;
        }

        void onGps(Reading reading) {
            Double x = Algorithms.number(reading, "x");
            Double y = Algorithms.number(reading, "y");
            if (x != null && y != null) {
                meter.onPosition(x, y);
            }
        }

        /** Handles one biometric reading; answers the feed message it published, or null. */
        Map<String, Object> onBiometric(Reading reading) {
            String person = Algorithms.text(reading, "person_id");
            if (person == null || person.isEmpty()) {
                return null;
            }
            Optional<FareMeter.Fare> charged;
            try {
                charged = meter.onEvent(person, Algorithms.text(reading, "event"), Algorithms.timestamp(reading));
            } catch (IllegalStateException e) {
                context.log(NAME + ": " + e.getMessage());
                return null;
            }
            if (charged.isEmpty()) {
                return null;
            }
            FareMeter.Fare fare = charged.get();
            String text = String.format(Locale.ROOT, "Fare of %s is %.2f for %.3f km", fare.personId(), fare.fare(),
                    fare.distanceKm());
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("Fare", text);
            message.put("bus_id", busId);
            message.put("person_id", fare.personId());
            message.put("distance_km", fare.distanceKm());
            message.put("fare", fare.fare());
            message.put("boarded_at", fare.boardedAt());
            message.put("alighted_at", fare.alightedAt());
            try {
                context.publishFeed(message);
            } catch (IasException e) {
                context.log(NAME + ": the feed refused " + message + ": " + e.getMessage());
            }
            try {
                context.notify(NOTIFY_TO, "Bus " + busId + ": " + text);
            } catch (IasException e) {
                context.log(NAME + ": the notification was refused: " + e.getMessage());
            }
            context.log(NAME + ": " + text);
            return message;
        }
    }
}
