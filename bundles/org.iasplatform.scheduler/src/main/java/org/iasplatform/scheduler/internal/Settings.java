package org.iasplatform.scheduler.internal;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;

/**
 * The scheduler's settings (from {@link SchedulerComponent.Config}).
 *
 * @param zone           the platform time zone: times of day and local date-times of scheduling_info are in it
 * @param consumerGroup  Kafka consumer group of the scheduler (shared by every platform instance)
 * @param threads        Quartz thread pool size
 * @param resync         how often the timer is re-synchronised with the store (zero: never)
 * @param publishTimeout how long a publish may wait for the broker's acknowledgement
 * @param retryDelay     how long after a failed publish or store access a job's event is tried again
 * @param maxRuns        how many entries of {@code runs} a job keeps (the oldest go first)
 */
record Settings(ZoneId zone, String consumerGroup, int threads, Duration resync, Duration publishTimeout,
        Duration retryDelay, int maxRuns) {

    /** The defaults, in {@code zone}. */
    static Settings defaults(ZoneId zone) {
        return new Settings(zone, "scheduler", 4, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(5),
                500);
    }

    Settings withResync(Duration value) {
        return new Settings(zone, consumerGroup, threads, value, publishTimeout, retryDelay, maxRuns);
    }

    Settings withPublishTimeout(Duration value) {
        return new Settings(zone, consumerGroup, threads, resync, value, retryDelay, maxRuns);
    }

    Settings withRetryDelay(Duration value) {
        return new Settings(zone, consumerGroup, threads, resync, publishTimeout, value, maxRuns);
    }

    /** The settings of a configuration. */
    static Settings from(SchedulerComponent.Config config) {
        return new Settings(zone(config.time__zone()), config.consumer__group().isBlank() ? "scheduler"
                : config.consumer__group().trim(), Math.max(1, config.thread__count()),
                Duration.ofSeconds(Math.max(0, config.resync__seconds())),
                Duration.ofSeconds(Math.max(1, config.publish__timeout__seconds())),
                Duration.ofSeconds(Math.max(1, config.retry__seconds())), Math.max(10, config.max__runs()));
    }

    /** The zone named by a configuration value; blank: the system default. */
    static ZoneId zone(String name) {
        if (name == null || name.isBlank()) {
            return ZoneId.systemDefault();
        }
        try {
            return ZoneId.of(name.trim());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("time_zone \"" + name + "\" is not a time zone; expected a region such as "
                    + "Europe/Berlin or Asia/Kolkata, an offset such as +05:30, UTC, or empty for the system's zone", e);
        }
    }
}
