package org.iasplatform.sample.busmanagement;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The fare rule: {@code fare = baseFare + perKm * distance_km}, rounded half up to 2 decimals, where distance_km is the
 * length of the path the bus drove while the passenger was aboard: the bus's odometer (the sum of the distances between
 * consecutive gps positions) at check-out minus at check-in. A second check-in while aboard is ignored (the first one
 * counts); a check-out without a check-in seen is refused. Thread-safe.
 */
public final class FareMeter {
    public static final double BASE_FARE = 10.0;
    public static final double PER_KM = 5.0;
    static final double EARTH_RADIUS_KM = 6371.0088;

    private static final Set<String> CHECK_IN = Set.of("board", "boarding", "check-in", "checkin", "in", "enter", "entry");
    private static final Set<String> CHECK_OUT = Set.of("alight", "alighting", "check-out", "checkout", "out", "exit", "leave");

    /** How far apart two positions are, in km. */
    @FunctionalInterface
    public interface Distance {
        double km(double x1, double y1, double x2, double y2);
    }

    /** Planar positions in metres (the simulator's x, y on a local grid). */
    public static final Distance PLANAR_METRES = (x1, y1, x2, y2) -> Math.hypot(x2 - x1, y2 - y1) / 1000.0;

    /** x = longitude, y = latitude in degrees: great-circle distance (haversine). */
    public static final Distance HAVERSINE_DEGREES = (lon1, lat1, lon2, lat2) -> {
        double p1 = Math.toRadians(lat1);
        double p2 = Math.toRadians(lat2);
        double dLat = p2 - p1;
        double dLon = Math.toRadians(lon2 - lon1);
        double h = Math.pow(Math.sin(dLat / 2), 2) + Math.cos(p1) * Math.cos(p2) * Math.pow(Math.sin(dLon / 2), 2);
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1.0, Math.sqrt(h)));
    };

    /** A fare charged at a check-out. */
    public record Fare(String personId, double distanceKm, double fare, long boardedAt, long alightedAt) {
    }

    private record Boarding(double odometerKm, long at) {
    }

    private final double baseFare;
    private final double perKm;
    private final Distance distance;
    private final Map<String, Boarding> aboard = new HashMap<>();
    private double odometerKm;
    private double[] position;

    public FareMeter() {
        this(BASE_FARE, PER_KM, PLANAR_METRES);
    }

    public FareMeter(double baseFare, double perKm, Distance distance) {
        this.baseFare = baseFare;
        this.perKm = perKm;
        this.distance = distance;
    }

    public double baseFare() {
        return baseFare;
    }

    public double perKm() {
        return perKm;
    }

    /** The bus is at (x, y). */
    public synchronized void onPosition(double x, double y) {
        if (position != null) {
            odometerKm += distance.km(position[0], position[1], x, y);
        }
        position = new double[] {x, y};
    }

    /**
     * A biometric event of a person: answers the fare at a check-out, else empty.
     *
     * @throws IllegalStateException for a check-out whose check-in was not seen
     */
    public synchronized Optional<Fare> onEvent(String personId, String event, long timestamp) {
        String kind = kind(event);
        if ("in".equals(kind)) {
            aboard.putIfAbsent(personId, new Boarding(odometerKm, timestamp));
            return Optional.empty();
        }
        if (!"out".equals(kind)) {
            return Optional.empty();
        }
        Boarding boarded = aboard.remove(personId);
        if (boarded == null) {
            throw new IllegalStateException(personId + " checked out without a check-in seen: not charged");
        }
        double km = Math.max(0.0, odometerKm - boarded.odometerKm());
        return Optional.of(new Fare(personId, round(km, 3), fareFor(km, baseFare, perKm), boarded.at(), timestamp));
    }

    public synchronized int aboard() {
        return aboard.size();
    }

    /** The fare for a ride of {@code km}: base + rate × km, rounded half up to cents. */
    public static double fareFor(double km, double baseFare, double perKm) {
        return round(baseFare + perKm * Math.max(0.0, km), 2);
    }

    /** "in", "out" or null for a biometric event name. */
    static String kind(String event) {
        String name = event == null ? "" : event.trim().toLowerCase(Locale.ROOT).replace('_', '-').replace(' ', '-');
        return CHECK_IN.contains(name) ? "in" : CHECK_OUT.contains(name) ? "out" : null;
    }

    /** Half up in decimal, as the number is written (10.005 → 10.01). */
    static double round(double value, int places) {
        return BigDecimal.valueOf(value).setScale(places, RoundingMode.HALF_UP).doubleValue();
    }
}
