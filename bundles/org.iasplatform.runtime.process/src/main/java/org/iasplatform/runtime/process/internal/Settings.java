package org.iasplatform.runtime.process.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the process runtime runs scripts.
 *
 * @param interpreters    lang → the command line before the script, e.g. {@code python → [python3, -u]}
 * @param extensions      file extension (without the dot, lower case) → lang, used when the launch gives no lang
 * @param sdkDir          the folder holding the SDK's {@code platform_lib.py}, put first on {@code PYTHONPATH}
 * @param maxLineLength   longest output line forwarded (characters); the rest of a longer line is cut
 * @param drainTimeout    how long to wait for the last output lines once the process tree is gone
 * @param orphanGrace     how long what a process left behind when it exited by itself gets after SIGTERM
 * @param sampleInterval  how often the descendants of running processes are recorded (to find them after their parent
 *                        exited)
 */
record Settings(Map<String, List<String>> interpreters, Map<String, String> extensions, Path sdkDir, int maxLineLength,
        Duration drainTimeout, Duration orphanGrace, Duration sampleInterval) {

    Settings {
        interpreters = Map.copyOf(interpreters);
        extensions = Map.copyOf(extensions);
        if (maxLineLength < 16) {
            throw new IllegalArgumentException("max line length below 16");
        }
    }

    /** The default interpreters: lang=command. */
    static final String[] DEFAULT_INTERPRETERS = { "python=python3 -u", "python3=python3 -u", "py=python3 -u",
            "bash=bash", "sh=sh", "shell=sh", "node=node", "nodejs=node", "javascript=node", "js=node", "ruby=ruby",
            "perl=perl", "java=java -jar", "jar=java -jar" };

    /** The default extensions: extension=lang. */
    static final String[] DEFAULT_EXTENSIONS = { "py=python", "sh=bash", "bash=bash", "js=node", "mjs=node", "cjs=node",
            "rb=ruby", "pl=perl", "jar=java" };

    /**
     * Parses {@code lang=command words} entries, layer after layer (a later layer overrides a lang of an earlier one);
     * an entry may hold several, separated by commas (as a single {@code .cfg} value does). Langs are trimmed and
     * lower-cased; an entry without '=' or without a command is refused.
     */
    static Map<String, List<String>> commands(String[]... layers) {
        Map<String, List<String>> result = new LinkedHashMap<>();
        for (String[] layer : layers) {
            for (String entry : entries(layer)) {
                int eq = entry.indexOf('=');
                if (eq <= 0 || entry.substring(eq + 1).isBlank()) {
                    throw new IllegalArgumentException("\"" + entry + "\" is not of the form lang=command");
                }
                List<String> words = new ArrayList<>(Arrays.asList(entry.substring(eq + 1).trim().split("\\s+")));
                result.put(entry.substring(0, eq).trim().toLowerCase(Locale.ROOT), List.copyOf(words));
            }
        }
        return result;
    }

    /**
     * Parses {@code extension=lang} entries, layer after layer as {@link #commands}; both sides trimmed and lower-cased,
     * a leading dot of the extension dropped.
     */
    static Map<String, String> pairs(String[]... layers) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String[] layer : layers) {
            for (String entry : entries(layer)) {
                int eq = entry.indexOf('=');
                if (eq <= 0 || entry.substring(eq + 1).isBlank()) {
                    throw new IllegalArgumentException("\"" + entry + "\" is not of the form extension=lang");
                }
                String key = entry.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                result.put(key.startsWith(".") ? key.substring(1) : key,
                        entry.substring(eq + 1).trim().toLowerCase(Locale.ROOT));
            }
        }
        return result;
    }

    private static List<String> entries(String[] layer) {
        List<String> entries = new ArrayList<>();
        for (String value : layer == null ? new String[0] : layer) {
            for (String entry : value.split(",")) {
                if (!entry.isBlank()) {
                    entries.add(entry.trim());
                }
            }
        }
        return entries;
    }
}
