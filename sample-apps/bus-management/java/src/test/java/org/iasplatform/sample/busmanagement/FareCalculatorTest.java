package org.iasplatform.sample.busmanagement;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

public class FareCalculatorTest {
    private static final double EPS = 1e-9;

    @Test
    public void fareIsBasePlusRateTimesPathLength() {
        FareMeter meter = new FareMeter(10.0, 5.0, FareMeter.PLANAR_METRES);
        meter.onPosition(0, 0);
        assertEquals(Optional.empty(), meter.onEvent("P1", "board", 100));
        meter.onPosition(300, 400);       // 0.5 km
        assertEquals(Optional.empty(), meter.onEvent("P2", "check-in", 150));
        meter.onPosition(300, 1400);      // 1.0 km
        assertEquals(Optional.empty(), meter.onEvent("P1", "board", 160));   // a second check-in: the first one counts
        assertEquals(new FareMeter.Fare("P1", 1.5, 17.5, 100, 200), meter.onEvent("P1", "alight", 200).orElseThrow());
        meter.onPosition(300, 1400);      // standing still
        FareMeter.Fare p2 = meter.onEvent("P2", "CHECK_OUT", 300).orElseThrow();
        assertEquals(1.0, p2.distanceKm(), EPS);
        assertEquals(15.0, p2.fare(), EPS);
        assertEquals(0, meter.aboard());
    }

    @Test
    public void unknownCheckOutIsRefusedAndOtherEventsIgnored() {
        FareMeter meter = new FareMeter();
        try {
            meter.onEvent("P9", "alight", 1);
            fail();
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("P9 checked out without a check-in seen"));
        }
        assertEquals(Optional.empty(), meter.onEvent("P9", "none", 1));
        assertEquals(Optional.empty(), meter.onEvent("P9", null, 1));
        assertEquals(0, meter.aboard());
    }

    @Test
    public void faresRoundHalfUpToCents() {
        assertEquals(10.0, FareMeter.fareFor(0, 10, 5), EPS);
        assertEquals(10.01, FareMeter.fareFor(0.001, 10, 5), EPS);    // 10.005
        assertEquals(10.0, FareMeter.fareFor(-3, 10, 5), EPS);
        assertEquals(11.23, FareMeter.fareFor(0.2468, 10, 5), EPS);
    }

    @Test
    public void haversineForRealCoordinates() {
        assertEquals(111.195, FareMeter.HAVERSINE_DEGREES.km(0, 0, 0, 1), 0.01);
        assertEquals(6.3, FareMeter.HAVERSINE_DEGREES.km(78.4744, 17.3850, 78.5018, 17.4337), 0.2);
        assertEquals(0.005, FareMeter.PLANAR_METRES.km(0, 0, 3, 4), EPS);
    }

    @Test
    public void runPublishesAndNotifiesEachFare() throws Exception {
        TestContext context = new TestContext().sensor("si-gps", "gps-sensor").sensor("si-bio", "biometric-sensor")
                .sensor("si-admin", "gps-sensor");
        CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
            try {
                new FareCalculator().run(context);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(context.sensors.get(0).subscribed.await(10, TimeUnit.SECONDS));
        assertTrue(context.sensors.get(1).subscribed.await(10, TimeUnit.SECONDS));
        TestContext.Sensor gps = context.sensors.get(0);
        TestContext.Sensor bio = context.sensors.get(1);
        gps.push(Map.of("placeholder", "bus", "x", 0.0, "y", 0.0), 1);
        bio.push(Map.of("person_id", "P1", "event", "board"), 2);
        gps.push(Map.of("placeholder", "bus", "x", 120.0, "y", 0.0), 3);
        gps.push(Map.of("placeholder", "bus", "x", 120.0, "y", 60.0), 4);
        gps.push(Map.of("placeholder", "bus", "x", "bad"), 5);
        bio.push(Map.of("person_id", "P2", "event", "alight"), 6);
        bio.push(Map.of("person_id", "P1", "event", "alight"), 7);

        assertEquals(1, context.feed.size());
        Map<String, Object> message = context.feed.get(0);
        assertEquals("Fare of P1 is 10.90 for 0.180 km", message.get("Fare"));
        assertEquals("si-gps", message.get("bus_id"));
        assertEquals("P1", message.get("person_id"));
        assertEquals(0.18, (Double) message.get("distance_km"), EPS);
        assertEquals(10.9, (Double) message.get("fare"), EPS);
        assertEquals(2L, message.get("boarded_at"));
        assertEquals(7L, message.get("alighted_at"));
        assertEquals(List.of("user: Bus si-gps: Fare of P1 is 10.90 for 0.180 km"), context.notifications);
        assertTrue(context.log.toString(), context.log.stream().anyMatch(l -> l.contains("P2 checked out without a check-in")));
        assertTrue(context.sensors.get(2).subscribers.isEmpty());

        context.stop();
        run.get(10, TimeUnit.SECONDS);
        assertEquals(1, gps.closed);
        assertEquals(1, bio.closed);
    }

    @Test
    public void readingsWithoutAPersonAreIgnored() {
        TestContext context = new TestContext();
        FareCalculator.Instance instance = new FareCalculator.Instance(context, "bus", new FareMeter());
        assertNull(instance.onBiometric(new org.iasplatform.api.sensor.Reading("si-bio", 1, Map.of("event", "board"))));
        assertTrue(context.feed.isEmpty());
    }
}
