package org.iasplatform.sample.busmanagement;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

import org.iasplatform.api.IasException;
import org.iasplatform.api.algorithm.Algorithm;
import org.iasplatform.api.algorithm.AlgorithmContext;
import org.iasplatform.api.algorithm.SensorHandle;
import org.iasplatform.api.sensor.Reading;
import org.osgi.service.component.annotations.Component;

/**
 * Bus_management's lightControl: sensor 0 is the bus's light-sensor, sensor 1 (optional) its gps-sensor. For a reading
 * below 40 lux it sends the light-sensor's control function {@code switchOnLight {"level": N}} (see {@link LightRule})
 * and publishes the seed's dashboard message {@code {"Light": "Switch on light as lux is <lux>"}} with the bus id, lux,
 * level and the bus's last position to the application's feed.
 */
@Component(service = Algorithm.class, property = Algorithm.PROPERTY_NAME + "=" + LightControl.NAME)
public class LightControl implements Algorithm {
    public static final String NAME = "lightControl";
    /** The light-sensor's control function (sensorTypeRegistration.json), one int parameter {@code level}. */
    public static final String CONTROL_FUNCTION = "switchOnLight";
    static final int LIGHT = 0;
    static final int GPS = 1;

    @Override
    public void run(AlgorithmContext context) throws Exception {
        SensorHandle light = context.sensor(LIGHT);
        SensorHandle gps = context.sensors().size() > GPS ? context.sensor(GPS) : null;
        Instance instance = new Instance(context, light, new LightRule());
        context.log(NAME + ": watching light sensor " + instance.busId + " (threshold " + LightRule.LUX_THRESHOLD + " lux)"
                + (gps == null ? ", no gps sensor bound" : ""));
        try (AutoCloseable positions = gps == null ? null : gps.subscribe(instance::onGps);
                AutoCloseable readings = light.subscribe(instance::onLight)) {
            Algorithms.awaitStop(context);
        }
    }

    /** One running instance: its rule and the bus's last position. */
    static final class Instance {
        private final AlgorithmContext context;
        private final SensorHandle light;
        private final LightRule rule;
        final String busId;
        private volatile Map<String, Object> position;

        Instance(AlgorithmContext context, SensorHandle light, LightRule rule) {
            this.context = context;
            this.light = light;
            this.rule = rule;
            this.busId = light.binding().sensorInstanceId();
        }

        void onGps(Reading reading) {
            Double x = Algorithms.number(reading, "x");
            Double y = Algorithms.number(reading, "y");
            if (x != null && y != null) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("x", x);
                p.put("y", y);
                position = p;
            }
        }

        /** Handles one light reading; answers the feed message it published, or null. */
        Map<String, Object> onLight(Reading reading) {
            Double value = Algorithms.number(reading, "lux");
            if (value == null) {
                context.log(NAME + ": skipped a reading without a numeric lux: " + reading);
                return null;
            }
            int lux = (int) Math.round(value);
            long timestamp = Algorithms.timestamp(reading);
            OptionalInt level = rule.decide(lux, timestamp);
            if (level.isEmpty()) {
                return null;
            }
            try {
                light.control(CONTROL_FUNCTION, Map.of("level", level.getAsInt()));
            } catch (IasException e) {
                context.log(NAME + ": " + CONTROL_FUNCTION + " level=" + level.getAsInt() + " was refused: " + e.getMessage());
                return null;
            }
            Map<String, Object> message = LightRule.dashboardMessage(lux);
            message.put("bus_id", busId);
            message.put("lux", lux);
            message.put("level", level.getAsInt());
            message.put("timestamp", timestamp);
            message.put("sensor_instance_id", reading.sensorInstanceId() != null ? reading.sensorInstanceId() : busId);
            Map<String, Object> p = position;
            if (p != null) {
                message.put("position", p);
            }
            try {
                context.publishFeed(message);
            } catch (IasException e) {
                context.log(NAME + ": the feed refused " + message + ": " + e.getMessage());
            }
            context.log(NAME + ": bus " + busId + ": lux " + lux + " < " + rule.threshold() + ", sent " + CONTROL_FUNCTION
                    + " level=" + level.getAsInt());
            return message;
        }
    }
}
