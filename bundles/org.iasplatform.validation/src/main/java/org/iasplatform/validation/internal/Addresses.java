package org.iasplatform.validation.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Syntax checks for device addresses: IPv4, IPv6 and host names. Purely textual: nothing is resolved.
 */
final class Addresses {
    private Addresses() {
    }

    static boolean isValid(String address) {
        return isIpv4(address) || isIpv6(address) || isHostName(address);
    }

    /** Dotted quad, each part 0-255 in decimal without leading zeros. */
    static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
                return false;
            }
            for (int i = 0; i < part.length(); i++) {
                if (!isDigit(part.charAt(i))) {
                    return false;
                }
            }
            if (Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** RFC 4291 text form: eight groups, "::" compression, an IPv4 tail, an optional zone ("%eth0"). */
    static boolean isIpv6(String s) {
        String address = s;
        int percent = address.indexOf('%');
        if (percent >= 0) {
            String zone = address.substring(percent + 1);
            if (zone.isEmpty() || !zone.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-')) {
                return false;
            }
            address = address.substring(0, percent);
        }
        if (address.indexOf(':') < 0) {
            return false;
        }
        int compression = address.indexOf("::");
        if (compression >= 0 && address.indexOf("::", compression + 1) >= 0) {
            return false;
        }
        List<String> groups = new ArrayList<>();
        if (compression >= 0) {
            addGroups(address.substring(0, compression), groups);
            addGroups(address.substring(compression + 2), groups);
        } else {
            addGroups(address, groups);
        }
        int words = 0;
        for (int i = 0; i < groups.size(); i++) {
            String group = groups.get(i);
            if (group.contains(".")) {
                if (i != groups.size() - 1 || !isIpv4(group)) {
                    return false;
                }
                words += 2;
            } else {
                if (group.isEmpty() || group.length() > 4 || !group.chars().allMatch(Addresses::isHex)) {
                    return false;
                }
                words++;
            }
        }
        return compression >= 0 ? words <= 7 : words == 8;
    }

    private static void addGroups(String part, List<String> groups) {
        if (part.isEmpty()) {
            return;
        }
        for (String g : part.split(":", -1)) {
            groups.add(g);
        }
    }

    /** RFC 1123 host name: dot-separated labels of letters, digits and '-', the last label not all digits. */
    static boolean isHostName(String s) {
        String name = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-')) {
                    return false;
                }
            }
        }
        return !labels[labels.length - 1].chars().allMatch(Addresses::isDigit);
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHex(int c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
