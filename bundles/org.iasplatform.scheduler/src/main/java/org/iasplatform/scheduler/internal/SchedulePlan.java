package org.iasplatform.scheduler.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * When a job runs: the run windows and run instants of one scheduling_info (API.md), planned in a time zone from the
 * instant the job was accepted. Pure and deterministic: the same scheduling_info, zone and acceptance instant always give
 * the same runs, so a plan can be rebuilt from the stored job after a restart.
 *
 * <h2>The rows of API.md's table</h2>
 * <ul>
 * <li><b>repeat no, no days</b> — once: one window from {@code start_time} ({@code ""}: the acceptance instant) to
 * {@code end_time} ({@code ""}: no end). A time-of-day start is its next occurrence (today while today's window is still
 * open, else tomorrow); a time-of-day end is its first occurrence after the start (so an end earlier than the start is
 * the next day).</li>
 * <li><b>repeat no, days</b> — once, in the window of the next listed day (today if listed and its window is still open),
 * from {@code start_time} ({@code ""}: the start of the day) to {@code end_time}.</li>
 * <li><b>repeat yes, no days</b> — every day's window; <b>repeat yes, days</b> — every listed day's window.</li>
 * <li><b>repeat yes with an interval N</b> — periodic: a run every N minutes from the window's start while inside it (and
 * on listed days, if given). Without times of day and days the window is one continuous span (from {@code start_time} or
 * the acceptance instant, to {@code end_time} or for ever) and the runs keep their cadence; otherwise each day has its own
 * window, which without an end time lasts until midnight.</li>
 * </ul>
 * A day's window is from the start's time of day ({@code HH:MM}; {@code ""}: 00:00) to the end's time of day (the next day
 * when not after the start's; {@code ""}: no end). In a schedule with days or repeat, an ISO date-time contributes its time
 * of day in the zone <em>and</em> bounds the whole schedule: nothing starts before an ISO start and nothing runs after an
 * ISO end (in a once-only schedule without days, an ISO end is simply the end of its one window). No run is ever planned before the acceptance instant: a window already open when the job is accepted starts at
 * the acceptance instant. A window without end whose start is a time of day is due at that instant only (accepted later:
 * the next occurrence).
 *
 * <h2>Runs and recovery</h2>
 * A run is a start instant with the end of its window ({@link Run}). {@link #first()} is the first run, {@link #next(Instant)}
 * the first after an instant; {@link #decide(Instant, Instant, Instant, Instant)} says what to do when a stored start or end
 * is due — in time or after the platform was down: a passed end means stop; a due start runs now if its window is still
 * open (the latest due run when several fell due), else it is missed; either way the next run is the first after now.
 */
final class SchedulePlan {
    /** How many days ahead (and back) windows are searched: any listed weekday occurs within a week. */
    private static final int HORIZON_DAYS = 9;

    /** One run: its start instant and the end of its window (null: none, the run goes on until it exits or is stopped). */
    record Run(Instant at, Instant windowEnd) {
        Run {
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * A window: runs start in {@code [start, limit)} (once at {@code start}, or every interval for a periodic task); a
     * running run is stopped at {@code end}.
     *
     * @param start first instant a run may start
     * @param end   where a run of this window is stopped (null: never)
     * @param limit no run starts at or after this (null: no limit)
     */
    record Window(Instant start, Instant end, Instant limit) {
    }

    /**
     * What to do when a stored event is due ({@link #decide}).
     *
     * @param stop     the current run's window end has passed: publish its stop
     * @param startDue the stored next start has fallen due (then {@code start}, {@code missed} and {@code next} apply;
     *                 otherwise the stored next start stays as it is)
     * @param start    the run to start now (window still open), or null
     * @param missed   the run that fell due but whose window has closed meanwhile, or null
     * @param next     the next run after now, or null when there is none
     */
    record Decision(boolean stop, boolean startDue, Run start, Run missed, Run next) {
    }

    private final ScheduleSpec spec;
    private final ZoneId zone;
    private final Instant accepted;
    private final boolean daily;
    private final long intervalMillis;
    private final ScheduleSpec.When start;
    private final LocalTime startTod;
    private final LocalTime endTod;
    /** Nothing starts before this: the ISO start or the acceptance instant, whichever is later. */
    private final Instant lower;
    /** Nothing runs at or after this: the ISO end, or null. */
    private final Instant upper;
    /** For a once-only schedule: its one window (null when none is left). */
    private final Window onceWindow;

    private SchedulePlan(ScheduleSpec spec, ZoneId zone, Instant accepted) {
        this.spec = spec;
        this.zone = zone;
        this.accepted = Instant.ofEpochMilli(accepted.toEpochMilli());
        ScheduleSpec.When s = spec.start();
        if (!spec.repeat() && spec.days().isEmpty() && s.isEmpty()) {
            // once, no days, start "": the acceptance instant is the start (and the reference of a time-of-day end)
            s = new ScheduleSpec.When(ScheduleSpec.When.Kind.INSTANT, this.accepted.atZone(zone).toLocalTime(), this.accepted);
        }
        this.start = s;
        this.daily = !spec.days().isEmpty() || s.isTimeOfDay() || spec.end().isTimeOfDay()
                || (spec.repeat() && !spec.periodic());
        this.intervalMillis = spec.periodic() ? spec.intervalMinutes() * 60_000L : 0;
        this.startTod = s.isEmpty() ? LocalTime.MIDNIGHT : s.timeOfDay();
        // an ISO end is a time of day (and a bound) in schedules with days or repeat; in a once-only one without days it
        // is simply the end
        this.endTod = spec.end().isTimeOfDay() || (spec.end().isInstant() && (spec.repeat() || !spec.days().isEmpty()))
                ? spec.end().timeOfDay() : null;
        this.lower = s.isInstant() && s.instant().isAfter(this.accepted) ? s.instant() : this.accepted;
        this.upper = spec.end().isInstant() ? spec.end().instant() : null;
        this.onceWindow = spec.repeat() ? null : firstWindow();
    }

    /** The plan of a parsed scheduling_info, accepted at {@code accepted}, in {@code zone}. */
    static SchedulePlan of(ScheduleSpec spec, ZoneId zone, Instant accepted) {
        return new SchedulePlan(Objects.requireNonNull(spec, "spec"), Objects.requireNonNull(zone, "zone"),
                Objects.requireNonNull(accepted, "accepted"));
    }

    /** The plan of a scheduling_info JSON object. */
    static SchedulePlan of(JsonNode schedulingInfo, ZoneId zone, Instant accepted) throws InvalidScheduleException {
        return of(ScheduleSpec.parse(schedulingInfo, zone), zone, accepted);
    }

    ScheduleSpec spec() {
        return spec;
    }

    boolean periodic() {
        return spec.periodic();
    }

    /** Whether the schedule has only one run ({@code repeat: no}). */
    boolean once() {
        return !spec.repeat();
    }

    /** The first run (at or after the acceptance instant), or empty when the schedule has none left (its end passed). */
    Optional<Run> first() {
        return next(lower.minusMillis(1));
    }

    /** The first run that starts strictly after {@code after}. */
    Optional<Run> next(Instant after) {
        if (!daily) {
            return single().flatMap(w -> runIn(w, after));
        }
        if (once()) {
            return Optional.ofNullable(onceWindow).flatMap(w -> runIn(w, after));
        }
        LocalDate day = firstDay(max(after, lower));
        LocalDate last = day.plusDays(HORIZON_DAYS + 1L);
        for (; !day.isAfter(last); day = day.plusDays(1)) {
            if (upper != null && !startOfDay(day).isBefore(upper)) {
                break; // every later window begins after the end of the schedule
            }
            Window w = windowOn(day);
            if (w != null) {
                Optional<Run> run = runIn(w, after);
                if (run.isPresent()) {
                    return run;
                }
            }
        }
        return Optional.empty();
    }

    /** The latest run that starts at or before {@code t}, if any (looked for within the last days only). */
    Optional<Run> lastAtOrBefore(Instant t) {
        if (!daily) {
            return single().flatMap(w -> lastIn(w, t));
        }
        if (once()) {
            return Optional.ofNullable(onceWindow).flatMap(w -> lastIn(w, t));
        }
        LocalDate first = date(lower).minusDays(1);
        for (LocalDate day = date(t), stop = day.minusDays(HORIZON_DAYS); !day.isBefore(stop) && !day.isBefore(first);
                day = day.minusDays(1)) {
            Window w = windowOn(day);
            if (w != null) {
                Optional<Run> run = lastIn(w, t);
                if (run.isPresent()) {
                    return run;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * What to do at {@code now} for a job whose stored state is {@code nextRun} (next start, null: none) with the end of
     * that start's window {@code nextWindowEnd}, and {@code windowEnd} (end of the current run's window, null: none):
     * whether a passed end means stop, and whether a due start runs now (its window is still open: of the runs that fell
     * due, the latest) or was missed; and the next run after now.
     */
    Decision decide(Instant nextRun, Instant nextWindowEnd, Instant windowEnd, Instant now) {
        boolean stop = windowEnd != null && !windowEnd.isAfter(now);
        if (nextRun == null || nextRun.isAfter(now)) {
            return new Decision(stop, false, null, null, null);
        }
        Run candidate = lastAtOrBefore(now).filter(r -> !r.at().isBefore(nextRun)).orElse(new Run(nextRun, nextWindowEnd));
        boolean open = candidate.windowEnd() == null || candidate.windowEnd().isAfter(now);
        return new Decision(stop, true, open ? candidate : null, open ? null : candidate, next(now).orElse(null));
    }

    /** The window of a schedule without daily structure: from the start (or acceptance) to the ISO end (or for ever). */
    private Optional<Window> single() {
        if (upper != null && !lower.isBefore(upper)) {
            return Optional.empty();
        }
        return Optional.of(new Window(lower, upper, upper));
    }

    /** The first window of a daily schedule that is still open at (or after) the lower bound. */
    private Window firstWindow() {
        if (!daily) {
            return single().orElse(null);
        }
        LocalDate day = firstDay(lower);
        for (LocalDate last = day.plusDays(HORIZON_DAYS + 1L); !day.isAfter(last); day = day.plusDays(1)) {
            if (upper != null && !startOfDay(day).isBefore(upper)) {
                return null;
            }
            Window w = windowOn(day);
            if (w != null) {
                return w;
            }
        }
        return null;
    }

    /**
     * The first day whose window may still be open at {@code t}: the day before when windows end at a time of day (a
     * window may cross midnight), else the day of {@code t} (a window without end of its own does not reach into the
     * next day's: it is due at its start only, or lasts until midnight, or — once, without days — is the only one).
     */
    private LocalDate firstDay(Instant t) {
        return endTod != null ? date(t).minusDays(1) : date(t);
    }

    /** The window of {@code day} (clipped to the schedule's bounds), or null when the day has none. */
    Window windowOn(LocalDate day) {
        if (!spec.days().isEmpty() && !spec.days().contains(day.getDayOfWeek())) {
            return null;
        }
        Instant s = at(day, startTod);
        Instant e = null;
        if (endTod != null) {
            e = endTod.isAfter(startTod) ? at(day, endTod) : at(day.plusDays(1), endTod);
        }
        Instant begin = max(s, lower);
        Instant end = e == null ? upper : min(e, upper);
        Instant limit;
        if (end != null) {
            limit = end; // open until its end
        } else if (spec.periodic() || start.isEmpty()) {
            limit = startOfDay(day.plusDays(1)); // the day's runs; none after midnight
        } else {
            limit = s.plusMillis(1); // a time-of-day start without end: due at that instant only
        }
        if (limit != null && !begin.isBefore(limit)) {
            return null;
        }
        return new Window(begin, end, limit);
    }

    private Optional<Run> runIn(Window w, Instant after) {
        if (w.start().isAfter(after)) {
            return Optional.of(new Run(w.start(), w.end()));
        }
        if (intervalMillis == 0) {
            return Optional.empty();
        }
        long k = (after.toEpochMilli() - w.start().toEpochMilli()) / intervalMillis + 1;
        Instant t = w.start().plusMillis(k * intervalMillis);
        return w.limit() == null || t.isBefore(w.limit()) ? Optional.of(new Run(t, w.end())) : Optional.empty();
    }

    private Optional<Run> lastIn(Window w, Instant t) {
        if (w.start().isAfter(t)) {
            return Optional.empty();
        }
        if (intervalMillis == 0) {
            return Optional.of(new Run(w.start(), w.end()));
        }
        Instant cap = w.limit() == null || w.limit().isAfter(t) ? t : w.limit().minusMillis(1);
        long k = (cap.toEpochMilli() - w.start().toEpochMilli()) / intervalMillis;
        return Optional.of(new Run(w.start().plusMillis(k * intervalMillis), w.end()));
    }

    private Instant at(LocalDate day, LocalTime time) {
        return ZonedDateTime.of(day, time, zone).toInstant();
    }

    private Instant startOfDay(LocalDate day) {
        return day.atStartOfDay(zone).toInstant();
    }

    private LocalDate date(Instant t) {
        return t.atZone(zone).toLocalDate();
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** The earlier of two instants, null standing for "no limit". */
    private static Instant min(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.isBefore(b) ? a : b;
    }

    @Override
    public String toString() {
        return "SchedulePlan[" + spec + " in " + zone + ", accepted " + accepted + "]";
    }
}
