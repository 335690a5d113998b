package org.iasplatform.scheduler.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.lang.annotation.Annotation;
import java.time.Duration;
import java.time.ZoneId;

import org.junit.Test;

/** The component's configuration as settings. */
public class SettingsTest {

    @Test
    public void theDefaultsAreTheSystemZoneAndGroupScheduler() {
        Settings s = Settings.from(config("", "scheduler", 4, 60));
        assertEquals(ZoneId.systemDefault(), s.zone());
        assertEquals("scheduler", s.consumerGroup());
        assertEquals(4, s.threads());
        assertEquals(Duration.ofSeconds(60), s.resync());
        assertEquals(Duration.ofSeconds(30), s.publishTimeout());
        assertEquals(Duration.ofSeconds(5), s.retryDelay());
        assertEquals(500, s.maxRuns());
    }

    @Test
    public void aZoneIsARegionOrAnOffset() {
        assertEquals(ZoneId.of("Asia/Kolkata"), Settings.from(config("Asia/Kolkata", "g", 1, 0)).zone());
        assertEquals(ZoneId.of("+05:30"), Settings.from(config(" +05:30 ", "g", 1, 0)).zone());
        assertEquals(Duration.ZERO, Settings.from(config("UTC", "g", 1, 0)).resync());
        assertEquals("scheduler", Settings.from(config("UTC", " ", 0, -1)).consumerGroup());
        assertEquals(1, Settings.from(config("UTC", "g", 0, 0)).threads());
    }

    @Test
    public void anUnknownZoneFailsActivationWithAClearMessage() {
        try {
            Settings.from(config("Mars/Olympus", "g", 1, 0));
            fail("accepted");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("Mars/Olympus") && e.getMessage().contains("Europe/Berlin"));
        }
    }

    private static SchedulerComponent.Config config(String zone, String group, int threads, int resync) {
        return new SchedulerComponent.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SchedulerComponent.Config.class;
            }

            @Override
            public String time__zone() {
                return zone;
            }

            @Override
            public String consumer__group() {
                return group;
            }

            @Override
            public int thread__count() {
                return threads;
            }

            @Override
            public int resync__seconds() {
                return resync;
            }

            @Override
            public int publish__timeout__seconds() {
                return 30;
            }

            @Override
            public int retry__seconds() {
                return 5;
            }

            @Override
            public int max__runs() {
                return 500;
            }
        };
    }
}
