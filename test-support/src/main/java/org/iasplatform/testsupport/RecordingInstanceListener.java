package org.iasplatform.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.iasplatform.api.node.InstanceListener;

/**
 * Records what an AppRuntime reports about one instance: its log lines as {@code "stream:line"} and its exits as
 * {@code "code reason"}, in order. Thread-safe.
 */
public class RecordingInstanceListener implements InstanceListener {
    /** The log lines, {@code "stdout:hello"}. */
    public final List<String> lines = new CopyOnWriteArrayList<>();
    /** The exits, {@code "3 exit 3"}. */
    public final List<String> exits = new CopyOnWriteArrayList<>();

    @Override
    public void log(String stream, String line) {
        lines.add(stream + ":" + line);
    }

    @Override
    public void exited(int exitCode, String reason) {
        exits.add(exitCode + " " + reason);
    }

    /** Whether this exact line (with its stream) was logged. */
    public boolean has(String line) {
        return lines.contains(line);
    }

    /** Whether a line starting with this was logged. */
    public boolean hasPrefix(String prefix) {
        return line(prefix) != null;
    }

    /** The first line starting with this, or null. */
    public String line(String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
    }
}
