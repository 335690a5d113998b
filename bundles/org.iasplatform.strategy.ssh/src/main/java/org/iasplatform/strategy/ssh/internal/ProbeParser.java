package org.iasplatform.strategy.ssh.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the figures out of the output of the two commands the seed ran on each host (pure; no I/O):
 * <ul>
 * <li>{@code free}: the seed's {@code free | head -2 | tail -1 | awk '{print $2, $3}'}, that is total and used of the
 * {@code Mem:} line; memory usage is {@code used / total}. The procps-ng ≤ 3.3.9 format, whose {@code Mem:} used still
 * counts buffers and page cache, has a {@code -/+ buffers/cache:} line; its used figure (what later versions print as
 * used) is taken then, so that hosts of old and new procps compare alike.</li>
 * <li>{@code vmstat 1 2}: the seed's {@code vmstat 1 2 | tail -1 | awk '{print $15}'}, the idle percentage of the last
 * line (the one-second sample; the first line is the average since boot); cpu usage is {@code (100 - idle) / 100}. The
 * {@code id} column is found by its header (procps-ng 4.0.4 adds a {@code gu} column, other builds may lack
 * {@code st}); without a header, the seed's 15th column.</li>
 * </ul>
 * Both figures are fractions 0..1, as the heartbeats' {@code cpu} and {@code mem} are.
 */
final class ProbeParser {
    /** The seed's column of {@code id} in {@code vmstat}'s output, 0-based. */
    private static final int SEED_IDLE_COLUMN = 14;

    private ProbeParser() {
    }

    /** Memory usage 0..1 from the output of {@code free}. */
    static double memUsage(String freeOutput) throws ProbeParseException {
        List<String[]> lines = lines(freeOutput);
        String[] mem = lines.stream().filter(l -> l[0].equals("Mem:")).findFirst()
                // a localised free (e.g. "Speicher:"): the seed's second line, when it reads like one
                .orElseGet(() -> lines.size() >= 2 && lines.get(1)[0].endsWith(":") ? lines.get(1) : null);
        if (mem == null || mem.length < 3) {
            throw new ProbeParseException("no Mem: line with total and used in the output of free: "
                    + excerpt(freeOutput));
        }
        long total = number(mem[1], "Mem: total of free", freeOutput);
        long used = number(mem[2], "Mem: used of free", freeOutput);
        String[] buffersCache = lines.stream().filter(l -> l.length >= 3 && l[0].equals("-/+")).findFirst().orElse(null);
        if (buffersCache != null) {
            used = number(buffersCache[2], "-/+ buffers/cache: used of free", freeOutput);
        }
        if (total <= 0) {
            throw new ProbeParseException("Mem: total of free is " + total + ": " + excerpt(freeOutput));
        }
        return clamp((double) used / total);
    }

    /** Cpu usage 0..1 from the output of {@code vmstat 1 2}. */
    static double cpuUsage(String vmstatOutput) throws ProbeParseException {
        List<String[]> lines = lines(vmstatOutput);
        int idleColumn = SEED_IDLE_COLUMN;
        int headerAt = -1;
        for (int i = 0; i < lines.size(); i++) {
            List<String> tokens = Arrays.asList(lines.get(i));
            if (tokens.contains("id") && tokens.contains("us")) {
                idleColumn = tokens.indexOf("id");
                headerAt = i;
            }
        }
        if (lines.isEmpty() || lines.size() - 1 <= headerAt) {
            throw new ProbeParseException("no sample line in the output of vmstat: " + excerpt(vmstatOutput));
        }
        String[] last = lines.get(lines.size() - 1);
        if (last.length <= idleColumn) {
            throw new ProbeParseException("the last line of vmstat has no column " + (idleColumn + 1) + " (id): "
                    + excerpt(vmstatOutput));
        }
        for (String token : last) {
            number(token, "the last line of vmstat", vmstatOutput);
        }
        long idle = number(last[idleColumn], "id of vmstat", vmstatOutput);
        if (idle > 100) {
            throw new ProbeParseException("id of vmstat is " + idle + " (more than 100 %): " + excerpt(vmstatOutput));
        }
        return clamp((100 - idle) / 100.0);
    }

    /** The non-blank lines, each split at blanks. */
    private static List<String[]> lines(String output) {
        List<String[]> lines = new ArrayList<>();
        if (output != null) {
            for (String line : output.split("\\R")) {
                String trimmed = line.strip();
                if (!trimmed.isEmpty()) {
                    lines.add(trimmed.split("\\s+"));
                }
            }
        }
        return lines;
    }

    private static long number(String token, String what, String output) throws ProbeParseException {
        try {
            long value = Long.parseLong(token);
            if (value < 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ProbeParseException(what + " is not a whole number (\"" + token + "\"): " + excerpt(output));
        }
    }

    private static double clamp(double value) {
        return Math.max(0, Math.min(1, value));
    }

    /** The output, short and on one line, for a message. */
    static String excerpt(String output) {
        if (output == null || output.isBlank()) {
            return "(no output)";
        }
        String oneLine = output.strip().replaceAll("\\s*\\R\\s*", " | ");
        return '"' + (oneLine.length() > 300 ? oneLine.substring(0, 300) + "…" : oneLine) + '"';
    }

    /** The output is not what {@code free} or {@code vmstat} print. */
    static final class ProbeParseException extends Exception {
        private static final long serialVersionUID = 1L;

        ProbeParseException(String message) {
            super(message);
        }
    }
}
