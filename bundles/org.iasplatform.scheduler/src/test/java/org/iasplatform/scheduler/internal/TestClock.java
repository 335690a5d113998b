package org.iasplatform.scheduler.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicReference;

/** A clock that stands still until a test moves it. */
final class TestClock extends Clock {
    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    TestClock(Instant now, ZoneId zone) {
        this.now = new AtomicReference<>(now);
        this.zone = zone;
    }

    void set(Instant instant) {
        now.set(instant);
    }

    void advance(Duration duration) {
        now.updateAndGet(t -> t.plus(duration));
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId z) {
        return new TestClock(now.get(), z);
    }

    @Override
    public Instant instant() {
        return now.get();
    }
}
