package org.iasplatform.sample.busmanagement;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.junit.Test;

public class LightControlTest {
    @Test
    public void levelGrowsWithDarknessFrom1To10() {
        assertEquals(List.of(1, 1, 2, 4, 10),
                List.of(39, 30, 29, 0, -500).stream().map(lux -> LightRule.levelFor(lux, 40)).toList());
    }

    @Test
    public void ruleSwitchesBelow40OncePerWindowAndRearmsWhenBright() {
        LightRule rule = new LightRule();
        assertEquals(OptionalInt.empty(), rule.decide(40, 0));
        assertEquals(OptionalInt.empty(), rule.decide(95, 500));
        assertEquals(OptionalInt.of(1), rule.decide(39, 1000));
        assertEquals(OptionalInt.empty(), rule.decide(35, 2000));   // still on its way: not repeated
        assertEquals(OptionalInt.of(1), rule.decide(35, 11000));    // still dark after the window: repeated
        assertEquals(OptionalInt.empty(), rule.decide(80, 12000));  // the light is on
        assertEquals(OptionalInt.of(2), rule.decide(25, 12500));    // dark again: at once
    }

    @Test
    public void runSwitchesTheLightOnAndPublishesTheSeedsDashboardMessage() throws Exception {
        TestContext context = new TestContext().sensor("si-light", "light-sensor").sensor("si-gps", "gps-sensor");
        CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
            try {
                new LightControl().run(context);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        context.awaitSubscribed();
        TestContext.Sensor light = context.sensors.get(0);
        context.sensors.get(1).push(Map.of("placeholder", "bus", "x", 12.5, "y", 7), 900);
        light.push(Map.of("lux", 120), 1000);
        light.push(Map.of("lux", 33), 2000);
        light.push(Map.of("lux", 31L), 3000);
        light.push(Map.of("lux", 85), 4000);

        assertEquals(List.of("switchOnLight {level=1}"), light.controls);
        assertEquals(1, context.feed.size());
        Map<String, Object> message = context.feed.get(0);
        assertEquals("Switch on light as lux is 33", message.get("Light"));
        assertEquals("si-light", message.get("bus_id"));
        assertEquals(33, message.get("lux"));
        assertEquals(1, message.get("level"));
        assertEquals(2000L, message.get("timestamp"));
        assertEquals(Map.of("x", 12.5, "y", 7.0), message.get("position"));

        context.stop();
        run.get(10, TimeUnit.SECONDS);
        assertEquals(1, light.closed);
        assertEquals(1, context.sensors.get(1).closed);
        assertTrue(light.subscribers.isEmpty());
    }

    @Test
    public void aRefusedCommandPublishesNothingAndIsLogged() {
        TestContext context = new TestContext().sensor("si-light", "light-sensor");
        TestContext.Sensor light = context.sensors.get(0);
        light.refuse = new IasException(ErrorKind.INVALID, "/params/level", "expected an int");
        LightControl.Instance instance = new LightControl.Instance(context, light, new LightRule());
        assertNull(instance.onLight(new org.iasplatform.api.sensor.Reading("si-light", 1, Map.of("lux", 20))));
        assertTrue(context.feed.isEmpty());
        assertTrue(context.log.toString(), context.log.get(0).contains("expected an int"));
    }

    @Test
    public void readingsWithoutANumericLuxAreSkipped() {
        TestContext context = new TestContext().sensor("si-light", "light-sensor");
        LightControl.Instance instance = new LightControl.Instance(context, context.sensors.get(0), new LightRule());
        assertNull(instance.onLight(new org.iasplatform.api.sensor.Reading("si-light", 1, Map.of("lux", "dark"))));
        assertNull(instance.onLight(new org.iasplatform.api.sensor.Reading("si-light", 1, Map.of())));
        assertTrue(context.sensors.get(0).controls.isEmpty());
        assertEquals(2, context.log.size());
    }

    @Test
    public void runsWithoutAGpsSensor() throws Exception {
        TestContext context = new TestContext().sensor("si-light", "light-sensor");
        CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
            try {
                new LightControl().run(context);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        context.awaitSubscribed();
        context.sensors.get(0).push(Map.of("lux", 5), 1);
        assertFalse(context.feed.get(0).containsKey("position"));
        assertEquals(List.of("switchOnLight {level=4}"), context.sensors.get(0).controls);
        context.stop();
        run.get(10, TimeUnit.SECONDS);
    }
}
