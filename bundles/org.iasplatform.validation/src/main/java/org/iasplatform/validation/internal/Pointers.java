package org.iasplatform.validation.internal;

import java.util.ArrayList;
import java.util.List;

/** JSON pointer helpers (RFC 6901) and the names errors use for the place a pointer designates. */
final class Pointers {
    private Pointers() {
    }

    static String child(String base, String name) {
        return base + "/" + name.replace("~", "~0").replace("/", "~1");
    }

    static String child(String base, int index) {
        return base + "/" + index;
    }

    static List<String> segments(String pointer) {
        List<String> result = new ArrayList<>();
        if (pointer == null || pointer.isEmpty()) {
            return result;
        }
        for (String raw : pointer.substring(1).split("/", -1)) {
            result.add(raw.replace("~1", "/").replace("~0", "~"));
        }
        return result;
    }

    /**
     * A short name for the value at {@code pointer}: its field name, {@code list[i]} for an array element, or
     * {@code whole} for the document itself.
     */
    static String displayName(String pointer, String whole) {
        List<String> segs = segments(pointer);
        if (segs.isEmpty()) {
            return whole;
        }
        String last = segs.get(segs.size() - 1);
        if (isIndex(last) && segs.size() >= 2) {
            String parent = segs.get(segs.size() - 2);
            return (isIndex(parent) ? "entry" : parent) + "[" + last + "]";
        }
        return last.isEmpty() ? "the field with an empty name" : last;
    }

    static boolean isIndex(String segment) {
        if (segment.isEmpty() || segment.length() > 9) {
            return false;
        }
        for (int i = 0; i < segment.length(); i++) {
            if (!Character.isDigit(segment.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code ancestor} designates {@code pointer} itself or a value containing it. */
    static boolean isSameOrAncestor(String ancestor, String pointer) {
        return pointer.equals(ancestor) || pointer.startsWith(ancestor + "/");
    }
}
