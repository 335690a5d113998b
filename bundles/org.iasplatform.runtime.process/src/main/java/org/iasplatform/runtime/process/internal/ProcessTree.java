package org.iasplatform.runtime.process.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ending a tree of processes: SIGTERM to every member (and to every descendant that appears meanwhile), up to a grace
 * period, then SIGKILL until none is left. A zombie (dead, not yet reaped by its parent) counts as gone.
 */
final class ProcessTree {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessTree.class);
    private static final Path PROC = Path.of("/proc");
    private static final long POLL_MS = 20;
    /** How long SIGKILL may take before giving up (a process in uninterruptible sleep). */
    private static final Duration KILL_LIMIT = Duration.ofSeconds(10);
    private static final int MAX_ENVIRON_BYTES = 1 << 20;

    private ProcessTree() {
    }

    /** Whether the process still runs (alive and not a zombie). */
    static boolean alive(ProcessHandle process) {
        return process.isAlive() && !zombie(process.pid());
    }

    /**
     * Ends every process of {@code processes} and all their descendants: SIGTERM, up to {@code grace} for them to end,
     * then SIGKILL. Returns when none is alive (or, for processes that cannot be killed, after a limit; they are logged).
     *
     * @return how many processes were signalled
     */
    static int terminate(Collection<ProcessHandle> processes, Duration grace) {
        Map<Long, ProcessHandle> tree = new LinkedHashMap<>();
        processes.forEach(p -> tree.putIfAbsent(p.pid(), p));
        Map<Long, ProcessHandle> signalled = new LinkedHashMap<>();
        long deadline = System.nanoTime() + grace.toNanos();
        while (true) {
            expand(tree);
            for (ProcessHandle p : tree.values()) {
                if (!signalled.containsKey(p.pid()) && alive(p)) {
                    p.destroy();
                    signalled.put(p.pid(), p);
                }
            }
            if (tree.values().stream().noneMatch(ProcessTree::alive)) {
                return signalled.size();
            }
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
            pause();
        }
        long limit = System.nanoTime() + KILL_LIMIT.toNanos();
        while (true) {
            expand(tree);
            List<ProcessHandle> left = tree.values().stream().filter(ProcessTree::alive).toList();
            if (left.isEmpty()) {
                return signalled.size();
            }
            for (ProcessHandle p : left) {
                p.destroyForcibly();
                signalled.putIfAbsent(p.pid(), p);
            }
            if (System.nanoTime() - limit > 0) {
                LOG.warn("Processes {} did not die within {} s of SIGKILL", left.stream().map(ProcessHandle::pid).toList(),
                        KILL_LIMIT.toSeconds());
                return signalled.size();
            }
            pause();
        }
    }

    /** Adds the descendants of every live member (children started meanwhile included). */
    private static void expand(Map<Long, ProcessHandle> tree) {
        for (ProcessHandle p : List.copyOf(tree.values())) {
            if (p.isAlive()) {
                p.descendants().forEach(d -> tree.putIfAbsent(d.pid(), d));
            }
        }
    }

    /**
     * The processes (other than this JVM) whose environment holds {@code name=value}: every process an instance started,
     * even those whose parent is gone, unless they replaced their environment. Linux only ({@code /proc}); empty elsewhere
     * and for processes whose environment cannot be read.
     */
    static List<ProcessHandle> withEnvironment(String name, String value) {
        List<ProcessHandle> found = new ArrayList<>();
        if (!Files.isDirectory(PROC)) {
            return found;
        }
        byte[] wanted = (name + "=" + value).getBytes(StandardCharsets.UTF_8);
        long self = ProcessHandle.current().pid();
        ProcessHandle.allProcesses().filter(p -> p.pid() != self).forEach(p -> {
            byte[] environ = environ(p.pid());
            if (environ != null && containsEntry(environ, wanted)) {
                found.add(p);
            }
        });
        return found;
    }

    private static byte[] environ(long pid) {
        try (InputStream in = Files.newInputStream(PROC.resolve(Long.toString(pid)).resolve("environ"))) {
            return in.readNBytes(MAX_ENVIRON_BYTES);
        } catch (IOException | SecurityException e) {
            return null; // gone, or another user's
        }
    }

    /** Whether NUL-separated {@code environ} has an entry equal to {@code entry}. */
    static boolean containsEntry(byte[] environ, byte[] entry) {
        int start = 0;
        for (int i = 0; i <= environ.length; i++) {
            if (i == environ.length || environ[i] == 0) {
                if (i - start == entry.length && Arrays.equals(environ, start, i, entry, 0, entry.length)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }

    /** Whether {@code /proc/<pid>/stat} says the process is a zombie (false where there is no /proc). */
    static boolean zombie(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.US_ASCII);
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(POLL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // keep going: the tree must not be left half-killed; the interrupt flag is kept for the caller
        }
    }
}
