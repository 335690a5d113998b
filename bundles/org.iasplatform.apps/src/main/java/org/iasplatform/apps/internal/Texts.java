package org.iasplatform.apps.internal;

import java.util.Locale;

/** Small helpers for error messages: quoting user-supplied text safely and writing byte sizes for people. */
final class Texts {
    /** Longest piece of user-supplied text quoted in a message. */
    private static final int MAX_QUOTED = 200;

    private Texts() {
    }

    /**
     * {@code text} in double quotes, with control characters, quotes and backslashes escaped and very long text cut, so a
     * hostile entry name cannot garble a message or a log line.
     */
    static String quote(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_QUOTED) + 8).append('"');
        int limit = Math.min(text.length(), MAX_QUOTED);
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (Character.isISOControl(c)) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (text.length() > limit) {
            sb.append("…");
        }
        return sb.append('"').toString();
    }

    /** A byte count for people: "50 MiB", "1.5 KiB", "300 bytes". */
    static String bytes(long n) {
        if (n < 1024) {
            return n + (n == 1 ? " byte" : " bytes");
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        String number = value == Math.rint(value) ? String.valueOf((long) value) : String.format(Locale.ROOT, "%.1f", value);
        return number + " " + units[unit];
    }
}
