package org.iasplatform.runtime.bundle.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.iasplatform.api.node.InstanceListener;

/** Records what a runtime reports about one instance. */
final class RecordingListener implements InstanceListener {
    final List<String> lines = new CopyOnWriteArrayList<>();
    final List<String> exits = new CopyOnWriteArrayList<>();

    @Override
    public void log(String stream, String line) {
        lines.add(stream + ":" + line);
    }

    @Override
    public void exited(int exitCode, String reason) {
        exits.add(exitCode + " " + reason);
    }

    boolean has(String line) {
        return lines.contains(line);
    }

    boolean hasPrefix(String prefix) {
        return lines.stream().anyMatch(l -> l.startsWith(prefix));
    }
}
