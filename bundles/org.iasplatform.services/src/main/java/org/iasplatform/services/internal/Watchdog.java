package org.iasplatform.services.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.SubscriptionInfo;
import org.iasplatform.api.service.ServiceEvent;
import org.iasplatform.api.service.ServiceEventKind;
import org.iasplatform.api.service.ServiceHealth;
import org.iasplatform.api.service.ServiceStatus;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.util.promise.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the Declarative Services components of the platform bundles: their state through
 * {@link ServiceComponentRuntime}, and the liveness of the Kafka consumers they made ({@link Messaging#consumers()}).
 * A component whose activation failed, or an active one with a consumer that died, is restarted (disabled, then enabled)
 * after a back-off that doubles with every restart within the window; failing again after the allowed restarts, it is
 * given up. What it sees and does is logged and recorded as {@link ServiceEvent}s. Plain Java: the OSGi component runs
 * {@link #check()} periodically.
 */
final class Watchdog {
    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
    static final Duration SCR_TIMEOUT = Duration.ofSeconds(30);
    static final int MAX_REASON = 500;

    /** A component: its bundle and name. */
    record Key(long bundleId, String name) {
    }

    /** What the watchdog does about a component. */
    private enum Phase {
        /** Nothing pending. */
        OK,
        /** A failure was seen; a restart is due at {@link Watch#nextRestart}. */
        FAILED,
        /** Restarted (or the failure cleared before the restart): waiting to see it healthy. */
        RESTARTING,
        /** Failed again after the allowed restarts. */
        GAVE_UP
    }

    /** The watchdog's memory of one component. */
    private static final class Watch {
        Phase phase = Phase.OK;
        String failure;
        final List<Long> restartTimes = new ArrayList<>();
        int restarts;
        long nextRestart;
        ServiceEvent lastEvent;
        /** Consumers made before this belong to an earlier activation of the component. */
        long staleBefore;
        Set<Long> configurationIds = Set.of();
        long lastSeen;
    }

    /** One component as seen now. */
    record Observed(ComponentDescriptionDTO description, Key key, String bundle, String state, boolean healthy,
            String activationFailure, String waitingFor, Set<Long> configurationIds, Set<String> propertyValues,
            List<SubscriptionInfo> consumers) {
    }

    /** A restart to do once the watchdog's lock is released. */
    private record Restart(Observed observed) {
    }

    private final ServiceComponentRuntime scr;
    private final Supplier<Messaging> messaging;
    private final ServiceEventStore events;
    private final Clock clock;
    private final String platformId;
    private final String selfName;
    private volatile Settings settings;
    private final Map<Key, Watch> watches = new HashMap<>(); // guarded by this
    private long checks; // guarded by this

    /**
     * @param messaging the messaging service, or null while there is none (consumers are then not known)
     * @param selfName  the name of the watchdog's own component: listed, never restarted
     */
    Watchdog(ServiceComponentRuntime scr, Supplier<Messaging> messaging, ServiceEventStore events, Settings settings,
            Clock clock, String platformId, String selfName) {
        this.scr = scr;
        this.messaging = messaging;
        this.events = events;
        this.settings = settings;
        this.clock = clock;
        this.platformId = platformId;
        this.selfName = selfName;
    }

    void configure(Settings settings) {
        this.settings = settings;
    }

    Settings settings() {
        return settings;
    }

    String platformId() {
        return platformId;
    }

    /** How many checks have run. */
    synchronized long checks() {
        return checks;
    }

    // ---------------------------------------------------------------------------------------------------- checking

    /** One look at every watched component: failures seen, restarts due done, recoveries noted. */
    void check() {
        List<Observed> seen = observe(false);
        long now = clock.millis();
        List<ServiceEvent> toRecord = new ArrayList<>();
        List<Restart> due = new ArrayList<>();
        synchronized (this) {
            Set<Key> present = new HashSet<>();
            for (Observed o : seen) {
                present.add(o.key());
                Watch w = watches.computeIfAbsent(o.key(), k -> new Watch());
                if (!o.key().name().equals(selfName)) {
                    decide(o, w, now, toRecord, due);
                }
            }
            watches.keySet().retainAll(present);
            checks++;
        }
        toRecord.forEach(this::record);
        for (Restart r : due) {
            restart(r.observed());
        }
    }

    private void decide(Observed o, Watch w, long now, List<ServiceEvent> toRecord, List<Restart> due) {
        if (!w.configurationIds.equals(o.configurationIds())) {
            if (!w.configurationIds.isEmpty()) {
                w.staleBefore = Math.max(w.staleBefore, w.lastSeen); // a new activation: older consumers are not its own
            }
            w.configurationIds = o.configurationIds();
        }
        w.lastSeen = now;
        String failure = failureOf(o, w);
        switch (w.phase) {
            case OK, RESTARTING -> {
                if (failure != null) {
                    failed(o, w, now, failure, toRecord);
                } else if (o.healthy() && w.phase == Phase.RESTARTING) {
                    recovered(o, w, now, toRecord);
                }
            }
            case FAILED -> {
                if (failure == null) {
                    if (o.healthy()) {
                        recovered(o, w, now, toRecord);
                    } else {
                        w.phase = Phase.RESTARTING; // e.g. waiting for a dependency now: no restart needed yet
                    }
                } else {
                    w.failure = failure;
                }
            }
            case GAVE_UP -> {
                if (failure == null && o.healthy()) {
                    recovered(o, w, now, toRecord);
                    w.restartTimes.clear();
                }
            }
        }
        if (w.phase == Phase.FAILED && now >= w.nextRestart) {
            due.add(new Restart(o));
        }
    }

    /** What is wrong with an enabled component: its activation failed, or a consumer of its activation died. */
    private static String failureOf(Observed o, Watch w) {
        if (o.activationFailure() != null) {
            return o.activationFailure();
        }
        if (!ComponentStates.ACTIVE.equals(o.state())) {
            return null;
        }
        for (SubscriptionInfo c : o.consumers()) {
            if (!c.alive() && c.since() >= w.staleBefore) {
                return "its Kafka consumer " + c.clientId() + (c.group() == null ? " (follower" : " (group " + c.group())
                        + ", topics " + c.topics() + ") died";
            }
        }
        return null;
    }

    private void failed(Observed o, Watch w, long now, String failure, List<ServiceEvent> toRecord) {
        Settings s = settings;
        w.failure = failure;
        w.restartTimes.removeIf(t -> t < now - s.window().toMillis());
        int inWindow = w.restartTimes.size();
        if (inWindow >= s.maxRestarts()) {
            w.phase = Phase.GAVE_UP;
            toRecord.add(event(o, w, ServiceEventKind.GAVE_UP, failure + "; not restarted again: " + inWindow
                    + " restarts within " + s.window().toSeconds() + " s (at most " + s.maxRestarts() + ")", now));
            return;
        }
        Duration backoff = s.backoff(inWindow);
        w.phase = Phase.FAILED;
        w.nextRestart = now + backoff.toMillis();
        toRecord.add(event(o, w, ServiceEventKind.FAILED, failure + "; restarting in " + seconds(backoff) + " (restart "
                + (inWindow + 1) + " of at most " + s.maxRestarts() + " within " + s.window().toSeconds() + " s)", now));
    }

    private void recovered(Observed o, Watch w, long now, List<ServiceEvent> toRecord) {
        String after = w.failure == null ? "" : " after: " + w.failure;
        w.phase = Phase.OK;
        w.failure = null;
        w.nextRestart = 0;
        toRecord.add(event(o, w, ServiceEventKind.RECOVERED, o.state() + (o.consumers().isEmpty() ? ""
                : ", " + o.consumers().size() + " consumer(s) alive") + after, now));
    }

    /** Disables and enables the component again (outside the lock: SCR may take a while). */
    private void restart(Observed o) {
        ServiceEvent event;
        long now = clock.millis();
        synchronized (this) {
            Watch w = watches.get(o.key());
            if (w == null || w.phase != Phase.FAILED) {
                return;
            }
            w.restarts++;
            w.restartTimes.add(now);
            w.staleBefore = now;
            w.phase = Phase.RESTARTING;
            w.nextRestart = 0;
            event = event(o, w, ServiceEventKind.RESTARTED, "disabled and enabled again after: " + w.failure, now);
        }
        record(event);
        try {
            await(scr.disableComponent(o.description()), "disabling");
            await(scr.enableComponent(o.description()), "enabling");
        } catch (RuntimeException e) {
            LOG.warn("Restarting platform component {} failed: {}", o.key().name(), e.toString());
        }
    }

    private static void await(Promise<Void> promise, String what) {
        CountDownLatch done = new CountDownLatch(1);
        promise.onResolve(done::countDown);
        try {
            if (!done.await(SCR_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(what + " did not finish within " + SCR_TIMEOUT.toSeconds() + " s");
            }
            Throwable failure = promise.getFailure();
            if (failure != null) {
                throw new IllegalStateException(what + " failed: " + failure, failure);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what);
        }
    }

    private ServiceEvent event(Observed o, Watch w, ServiceEventKind kind, String reason, long at) {
        ServiceEvent e = new ServiceEvent(platformId, o.key().name(), o.bundle(), kind, clip(reason), w.restarts, at);
        w.lastEvent = e;
        return e;
    }

    /** Logs the event and has it stored. */
    private void record(ServiceEvent e) {
        switch (e.kind()) {
            case FAILED -> LOG.warn("Platform component {} ({}) failed: {}", e.component(), e.bundle(), e.reason());
            case RESTARTED -> LOG.info("Platform component {} ({}) restarted (restart {}): {}", e.component(),
                    e.bundle(), e.restarts(), e.reason());
            case RECOVERED -> LOG.info("Platform component {} ({}) recovered: {}", e.component(), e.bundle(), e.reason());
            case GAVE_UP -> LOG.error("Platform component {} ({}) given up: {}", e.component(), e.bundle(), e.reason());
        }
        events.record(e);
    }

    // ---------------------------------------------------------------------------------------------------- showing

    /** Every watched component with its consumers (lag asked of the broker) and what the watchdog did about it. */
    List<ServiceHealth> services() {
        List<Observed> seen = observe(true);
        List<ServiceHealth> result = new ArrayList<>();
        synchronized (this) {
            for (Observed o : seen) {
                Watch w = watches.get(o.key());
                result.add(health(o, w == null ? new Watch() : w));
            }
        }
        result.sort(Comparator.comparing(ServiceHealth::bundle).thenComparing(ServiceHealth::name));
        return result;
    }

    private ServiceHealth health(Observed o, Watch w) {
        String failure = failureOf(o, w);
        ServiceStatus status;
        Long next = null;
        if (ComponentStates.DISABLED.equals(o.state())) {
            status = ServiceStatus.DISABLED;
        } else {
            switch (w.phase) {
                case FAILED -> {
                    status = ServiceStatus.FAILED;
                    next = w.nextRestart;
                    failure = failure == null ? w.failure : failure;
                }
                case RESTARTING -> status = ServiceStatus.RESTARTING;
                case GAVE_UP -> {
                    status = ServiceStatus.GAVE_UP;
                    failure = failure == null ? w.failure : failure;
                }
                default -> status = failure != null ? ServiceStatus.FAILED
                        : o.healthy() ? ServiceStatus.OK : ServiceStatus.WAITING;
            }
        }
        if (failure == null && !o.healthy()) {
            failure = o.waitingFor();
        }
        return new ServiceHealth(o.key().name(), o.bundle(), o.key().bundleId(), o.state(), status, failure, w.restarts,
                next, w.lastEvent, platformId, o.consumers());
    }

    // ---------------------------------------------------------------------------------------------------- observing

    /** The watched components as SCR describes them now, each with the consumers it made. */
    List<Observed> observe(boolean withLag) {
        Settings s = settings;
        List<Observed> result = new ArrayList<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (d.bundle == null || !s.watches(d.bundle.symbolicName)) {
                continue;
            }
            result.add(observe(d));
        }
        Messaging m = messaging.get();
        List<SubscriptionInfo> consumers = List.of();
        if (m != null) {
            try {
                consumers = withLag ? m.consumers(s.lagTimeout()) : m.consumers();
            } catch (RuntimeException e) { // messaging going away
                LOG.debug("Consumers not known: {}", e.toString());
            }
        }
        return Consumers.attribute(result, consumers);
    }

    private Observed observe(ComponentDescriptionDTO d) {
        Key key = new Key(d.bundle.id, d.name);
        boolean enabled = scr.isComponentEnabled(d);
        if (!enabled) {
            return new Observed(d, key, d.bundle.symbolicName, ComponentStates.DISABLED, false, null, "disabled",
                    Set.of(), Set.of(), List.of());
        }
        ComponentStates.Summary summary = ComponentStates.summarise(scr.getComponentConfigurationDTOs(d));
        return new Observed(d, key, d.bundle.symbolicName, summary.state(), summary.healthy(),
                summary.failure() == null ? null : "activation failed: " + failureLine(summary.failure()),
                summary.waitingFor(), summary.ids(), summary.propertyValues(), List.of());
    }

    /**
     * The line of a failure (as SCR gives it: a stack trace) that says what went wrong: the innermost cause's (SCR
     * wraps what a constructor threw in an InvocationTargetException), else the first line.
     */
    static String failureLine(String text) {
        String cause = null;
        for (String line : text.strip().split("\\R")) {
            String l = line.strip();
            if (cause == null) {
                cause = l;
            } else if (l.startsWith("Caused by: ")) {
                cause = l.substring("Caused by: ".length());
            }
        }
        return cause;
    }

    private static String clip(String text) {
        return text.length() <= MAX_REASON ? text : text.substring(0, MAX_REASON - 1) + "…";
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : (ms / 1000.0) + " s";
    }
}
