package org.iasplatform.validation.internal;

import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/** Shared rules for names and file references. */
final class Names {
    /** Names used in ids and topic-adjacent names: sensor types, applications, algorithms, control functions. */
    static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$");

    private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");

    private Names() {
    }

    /** The text of a string node, or null for anything else. */
    static String text(JsonNode node) {
        return node != null && node.isTextual() ? node.asText() : null;
    }

    /**
     * What is wrong with a file name that must stay inside the application package, or null when it is acceptable: a
     * relative path (sub-folders allowed) without "..", not absolute.
     */
    static String fileNameProblem(String name) {
        if (name.isBlank()) {
            return "must not be empty";
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return "contains a control character";
            }
        }
        if (name.startsWith("/") || name.startsWith("\\") || DRIVE.matcher(name).matches()) {
            return "is an absolute path";
        }
        for (String segment : name.split("[/\\\\]", -1)) {
            if (segment.equals("..")) {
                return "leaves the application package (\"..\")";
            }
        }
        if (name.endsWith("/") || name.endsWith("\\")) {
            return "names a folder";
        }
        return null;
    }

    static final String FILE_NAME_EXPECTED = "a file name relative to the root of app.zip, e.g. \"fareCalculator.py\" or "
            + "\"algorithms/fareCalculator.py\"";
}
