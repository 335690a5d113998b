package org.iasplatform.provision.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Sets keys in the text of a Karaf {@code .cfg} or {@code .properties} file as {@code ./ias node start} does: the line of
 * the key (also a commented-out one, {@code # node_id = …}) becomes {@code key = value}; a key without a line is added at
 * the end. Other lines stay as they are.
 */
final class CfgFile {
    private CfgFile() {
    }

    /**
     * @param text   the file's content
     * @param values key → value, in the order keys without a line are added
     * @throws IllegalArgumentException for a value with a line break (it would end the property)
     */
    static String set(String text, Map<String, String> values) {
        List<String> lines = new ArrayList<>(text.isEmpty() ? List.of() : List.of(text.split("\r?\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1); // the final line break
        }
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getValue().indexOf('\n') >= 0 || e.getValue().indexOf('\r') >= 0) {
                throw new IllegalArgumentException("the value of " + e.getKey() + " has a line break");
            }
            String line = e.getKey() + " = " + e.getValue().replace("\\", "\\\\");
            Pattern keyLine = Pattern.compile("^[#!\\s]*" + Pattern.quote(e.getKey()) + "\\s*[=:].*");
            boolean found = false;
            for (int i = 0; i < lines.size(); i++) {
                if (keyLine.matcher(lines.get(i)).matches()) {
                    lines.set(i, line);
                    found = true;
                }
            }
            if (!found) {
                lines.add(line);
            }
        }
        return String.join("\n", lines) + "\n";
    }
}
