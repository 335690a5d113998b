package org.iasplatform.scheduler.internal;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code scheduling_info} of a deploy config, parsed (API.md): the value forms are those the validation bundle
 * accepts, read leniently where that costs nothing.
 * <ul>
 * <li>{@code start_time}, {@code end_time}: {@code ""} (start: now; end: none), {@code HH:MM} (a time of day in the platform
 * time zone; {@code H:MM} and {@code HH:MM:SS} are read too), or an ISO-8601 date-time with an offset
 * ({@code 2025-06-01T08:00:00Z}, {@code ...+02:00}, {@code ...+02:00[Europe/Paris]}) or local (then in the platform time
 * zone). A missing or null field is {@code ""}.</li>
 * <li>{@code days}: weekday names ({@code monday} or {@code mon}, any case) as a JSON list or as the seed's string forms
 * {@code ""}, {@code "[]"}, {@code "['mon', 'tue']"}, {@code "[\"mon\"]"}, {@code "mon,tue"}, {@code "mon tue"}.</li>
 * <li>{@code repeat}: {@code yes}/{@code no}/{@code true}/{@code false} (any case) or a boolean; missing or {@code ""}:
 * no.</li>
 * <li>{@code interval}: minutes, a positive whole number or its string; missing, null or {@code ""}: none. It makes a
 * periodic task only with {@code repeat: yes} (the table of API.md: with {@code repeat: no} it plays no part).</li>
 * </ul>
 *
 * @param start          the start time
 * @param end            the end time
 * @param days           the listed weekdays (empty: none given)
 * @param repeat         whether the schedule repeats
 * @param intervalMinutes the interval in minutes, or null when none is given
 */
record ScheduleSpec(When start, When end, Set<DayOfWeek> days, boolean repeat, Integer intervalMinutes) {

    private static final Pattern TIME_OF_DAY = Pattern.compile("^([01]?[0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?$");
    private static final Map<String, DayOfWeek> DAY_NAMES = dayNames();
    static final String PATH = "/scheduling_info";

    ScheduleSpec {
        days = days.isEmpty() ? Collections.emptySet() : Collections.unmodifiableSet(EnumSet.copyOf(days));
    }

    /** Whether this is a periodic task: {@code repeat: yes} with an interval. */
    boolean periodic() {
        return repeat && intervalMinutes != null;
    }

    /** A start or end time: empty, a time of day, or an instant (from an ISO date-time; {@code timeOfDay} is then its local time in the zone). */
    record When(Kind kind, LocalTime timeOfDay, Instant instant) {
        enum Kind { EMPTY, TIME_OF_DAY, INSTANT }

        static final When EMPTY = new When(Kind.EMPTY, null, null);

        boolean isEmpty() {
            return kind == Kind.EMPTY;
        }

        boolean isTimeOfDay() {
            return kind == Kind.TIME_OF_DAY;
        }

        boolean isInstant() {
            return kind == Kind.INSTANT;
        }
    }

    /**
     * Parses a scheduling_info object.
     *
     * @param info the scheduling_info (null or missing: every field at its default, i.e. once, now, no end)
     * @param zone the platform time zone (for times of day and local date-times)
     * @throws InvalidScheduleException listing every field that is none of the accepted forms
     */
    static ScheduleSpec parse(JsonNode info, ZoneId zone) throws InvalidScheduleException {
        List<InvalidScheduleException.Error> errors = new ArrayList<>();
        if (info != null && !info.isMissingNode() && !info.isNull() && !info.isObject()) {
            throw new InvalidScheduleException(List.of(new InvalidScheduleException.Error(PATH,
                    "scheduling_info is a " + info.getNodeType().name().toLowerCase(Locale.ROOT) + "; expected an object")));
        }
        When start = parseWhen(field(info, "start_time"), zone, "start_time", errors);
        When end = parseWhen(field(info, "end_time"), zone, "end_time", errors);
        Set<DayOfWeek> days = parseDays(field(info, "days"), errors);
        Boolean repeat = parseRepeat(field(info, "repeat"), errors);
        Integer interval = parseInterval(field(info, "interval"), errors);
        if (start != null && end != null && start.isInstant() && end.isInstant() && !end.instant().isAfter(start.instant())) {
            errors.add(new InvalidScheduleException.Error(PATH + "/end_time", "end_time " + end.instant()
                    + " is not after start_time " + start.instant() + "; expected a later end, or \"\" for none"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidScheduleException(errors);
        }
        return new ScheduleSpec(start, end, days, repeat, interval);
    }

    private static JsonNode field(JsonNode info, String name) {
        if (info == null || !info.isObject()) {
            return null;
        }
        JsonNode value = info.get(name);
        return value == null || value.isNull() ? null : value;
    }

    /** A start_time / end_time value; null (with an error added) when it is none of the accepted forms. */
    static When parseWhen(JsonNode value, ZoneId zone, String name, List<InvalidScheduleException.Error> errors) {
        if (value == null) {
            return When.EMPTY;
        }
        String text = value.isTextual() ? value.asText().trim() : null;
        When when = text == null ? null : parseWhen(text, zone);
        if (when == null) {
            errors.add(new InvalidScheduleException.Error(PATH + "/" + name, name + " " + value + " is not a time; expected "
                    + "\"\" (" + ("start_time".equals(name) ? "now" : "no end") + "), a time of day HH:MM (00:00 to 23:59) "
                    + "or an ISO-8601 date-time such as 2025-06-01T08:00:00Z"));
        }
        return when;
    }

    /** A time text: empty, HH:MM, or ISO date-time (with offset or zone, or local in {@code zone}); null if none of them. */
    static When parseWhen(String text, ZoneId zone) {
        if (text.isEmpty()) {
            return When.EMPTY;
        }
        Matcher m = TIME_OF_DAY.matcher(text);
        if (m.matches()) {
            int seconds = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
            return new When(When.Kind.TIME_OF_DAY, LocalTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    seconds), null);
        }
        Instant instant = null;
        try {
            instant = ZonedDateTime.parse(text).toInstant(); // with an offset, possibly with a region
        } catch (DateTimeParseException e) {
            try {
                instant = OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e2) {
                try {
                    instant = LocalDateTime.parse(text).atZone(zone).toInstant();
                } catch (DateTimeParseException e3) {
                    return null;
                }
            }
        } catch (DateTimeException e) {
            return null;
        }
        // to milliseconds: the store keeps dates in ms, and a planned instant must compare equal after a round trip
        instant = Instant.ofEpochMilli(instant.toEpochMilli());
        return new When(When.Kind.INSTANT, instant.atZone(zone).toLocalTime(), instant);
    }

    /** The weekdays of a {@code days} value (list or string forms); adds an error for any name that is not a weekday. */
    static Set<DayOfWeek> parseDays(JsonNode value, List<InvalidScheduleException.Error> errors) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        if (value == null) {
            return days;
        }
        List<String> names = new ArrayList<>();
        if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                JsonNode item = value.get(i);
                if (!item.isTextual()) {
                    errors.add(new InvalidScheduleException.Error(PATH + "/days/" + i, "days[" + i + "] is " + item
                            + "; expected a weekday name: monday to sunday, or mon to sun (any case)"));
                    continue;
                }
                names.add(item.asText());
            }
        } else if (value.isTextual()) {
            names.addAll(splitDayString(value.asText()));
        } else {
            errors.add(new InvalidScheduleException.Error(PATH + "/days", "days is " + value + "; expected a list of "
                    + "weekday names such as [\"mon\", \"friday\"], or \"\" / \"[]\" for none"));
            return days;
        }
        for (String name : names) {
            DayOfWeek day = DAY_NAMES.get(name.trim().toLowerCase(Locale.ROOT));
            if (day == null) {
                errors.add(new InvalidScheduleException.Error(PATH + "/days", "\"" + name + "\" is not a weekday; "
                        + "expected monday to sunday, or mon to sun (any case)"));
            } else {
                days.add(day);
            }
        }
        return days;
    }

    /** The names of the seed's string form: "", "[]", "['mon', 'tue']", "[\"mon\"]", "mon,tue", "mon tue". */
    static List<String> splitDayString(String text) {
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        List<String> names = new ArrayList<>();
        for (String part : t.split("[,;\\s]+")) {
            String p = part.trim();
            if (p.length() >= 2 && (p.charAt(0) == '"' || p.charAt(0) == '\'') && p.charAt(p.length() - 1) == p.charAt(0)) {
                p = p.substring(1, p.length() - 1).trim();
            }
            if (!p.isEmpty()) {
                names.add(p);
            }
        }
        return names;
    }

    static Boolean parseRepeat(JsonNode value, List<InvalidScheduleException.Error> errors) {
        if (value == null) {
            return Boolean.FALSE;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        String text = value.isTextual() ? value.asText().trim().toLowerCase(Locale.ROOT) : null;
        if (text != null) {
            switch (text) {
                case "yes", "true", "y" -> {
                    return Boolean.TRUE;
                }
                case "no", "false", "n", "" -> {
                    return Boolean.FALSE;
                }
                default -> {
                    // below
                }
            }
        }
        errors.add(new InvalidScheduleException.Error(PATH + "/repeat", "repeat is " + value + "; expected yes or no (or "
                + "true/false)"));
        return Boolean.FALSE;
    }

    static Integer parseInterval(JsonNode value, List<InvalidScheduleException.Error> errors) {
        if (value == null) {
            return null;
        }
        String text = value.isNumber() || value.isTextual() ? value.asText().trim() : null;
        if (text != null && text.isEmpty()) {
            return null;
        }
        if (text != null) {
            try {
                long minutes = value.isNumber() && !value.canConvertToExactIntegral() ? -1 : Long.parseLong(
                        value.isNumber() ? String.valueOf(value.asLong()) : text);
                if (minutes > 0 && minutes <= 366L * 24 * 60) {
                    return (int) minutes;
                }
            } catch (NumberFormatException e) {
                // below
            }
        }
        errors.add(new InvalidScheduleException.Error(PATH + "/interval", "interval is " + value + "; expected \"\" or "
                + "a positive whole number of minutes (at most a year), e.g. 30 or \"30\""));
        return null;
    }

    private static Map<String, DayOfWeek> dayNames() {
        Map<String, DayOfWeek> names = new java.util.HashMap<>();
        for (DayOfWeek day : DayOfWeek.values()) {
            String full = day.name().toLowerCase(Locale.ROOT);
            names.put(full, day);
            names.put(full.substring(0, 3), day);
        }
        return Map.copyOf(names);
    }
}
