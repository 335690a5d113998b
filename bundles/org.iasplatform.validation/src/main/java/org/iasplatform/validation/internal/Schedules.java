package org.iasplatform.validation.internal;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** The value forms of scheduling_info (API.md): times, weekday names, repeat, interval. */
final class Schedules {
    static final String START_EXPECTED = "\"\" (now), a time of day HH:MM (00:00 to 23:59) or an ISO-8601 date-time such "
            + "as 2025-06-01T08:00:00Z";
    static final String END_EXPECTED = "\"\" (no end), a time of day HH:MM (00:00 to 23:59) or an ISO-8601 date-time such "
            + "as 2025-06-01T18:00:00Z";
    static final String DAY_EXPECTED = "a weekday name: monday to sunday, or mon to sun (any case)";
    static final String DAYS_EXPECTED = "a list of weekday names such as [\"mon\", \"friday\"], or \"\" / \"[]\" for none";
    static final String REPEAT_EXPECTED = "yes or no (or true/false)";
    static final String INTERVAL_EXPECTED = "\"\" or a positive whole number of minutes, e.g. 30 or \"30\"";

    private static final Pattern TIME_OF_DAY = Pattern.compile("^([01][0-9]|2[0-3]):[0-5][0-9]$");
    private static final Set<String> DAYS = Set.of("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
            "sunday", "mon", "tue", "wed", "thu", "fri", "sat", "sun");

    private Schedules() {
    }

    /** A start_time / end_time value: empty, a time of day, or a date-time (then {@code instant} is set). */
    record When(boolean empty, boolean timeOfDay, OffsetDateTime instant) {
    }

    /** The parsed time, or null when the text is none of the accepted forms. */
    static When parseTime(String text) {
        if (text.isEmpty()) {
            return new When(true, false, null);
        }
        if (TIME_OF_DAY.matcher(text).matches()) {
            return new When(false, true, null);
        }
        try {
            return new When(false, false, OffsetDateTime.parse(text));
        } catch (DateTimeParseException e) {
            // not with an offset; try a local date-time (platform time zone)
        }
        try {
            LocalDateTime local = LocalDateTime.parse(text);
            return new When(false, false, local.atZone(ZoneId.systemDefault()).toOffsetDateTime());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static boolean isDay(String name) {
        return DAYS.contains(name.trim().toLowerCase(Locale.ROOT));
    }

    /**
     * The day names of the seed's string form of {@code days}: "" or "[]" (none), or a JSON- or Python-like list such as
     * {@code "['mon', 'fri']"}. Null when the text is not a list.
     */
    static List<String> parseDayList(String text) {
        String t = text.trim();
        List<String> names = new ArrayList<>();
        if (t.isEmpty()) {
            return names;
        }
        if (!t.startsWith("[") || !t.endsWith("]")) {
            return null;
        }
        String inner = t.substring(1, t.length() - 1).trim();
        if (inner.isEmpty()) {
            return names;
        }
        String[] parts = inner.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.isEmpty()) {
                if (i == parts.length - 1 && i > 0) {
                    break; // a trailing comma, as Python allows
                }
                return null;
            }
            if (p.length() >= 2 && (p.charAt(0) == '"' || p.charAt(0) == '\'')) {
                if (p.charAt(p.length() - 1) != p.charAt(0)) {
                    return null;
                }
                p = p.substring(1, p.length() - 1);
            }
            names.add(p);
        }
        return names;
    }

    /** Boolean.TRUE/FALSE for yes/no (any case), null when not one of them. */
    static Boolean parseRepeat(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "yes", "true" -> Boolean.TRUE;
            case "no", "false" -> Boolean.FALSE;
            default -> null;
        };
    }
}
