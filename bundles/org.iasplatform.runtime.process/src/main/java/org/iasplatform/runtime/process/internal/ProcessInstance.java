package org.iasplatform.runtime.process.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.iasplatform.api.node.InstanceListener;
import org.iasplatform.api.node.RunningInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance run as a child process. Its stdout and stderr lines go to the listener; when the process exits by itself,
 * what it left behind (descendants) is ended too, the last lines are drained and {@link InstanceListener#exited} is
 * called. {@link #stop} ends the process and every descendant (SIGTERM, grace, SIGKILL) and returns only when none is
 * alive; after it, no exit is reported and no line is forwarded.
 *
 * <p>
 * Descendants are found three ways, so that those whose parent already died are not missed: the live tree
 * ({@link ProcessHandle#descendants()}), the descendants recorded while the instance ran ({@link #sample()}), and (on
 * Linux) every process whose environment carries this start's {@link ProcessRuntime#TAG_VARIABLE tag}.
 */
final class ProcessInstance implements RunningInstance {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessInstance.class);

    private final String instanceId;
    private final Process process;
    private final String tag;
    private final String commandLine;
    private final InstanceListener listener;
    private final Settings settings;
    private final Runnable onGone;
    private final Map<Long, ProcessHandle> seen = new ConcurrentHashMap<>();
    /** Set once the end is claimed: by the waiter (exited by itself) or by stop (then no exit is reported). */
    private final AtomicBoolean endClaimed = new AtomicBoolean();
    private final Object stopLock = new Object();
    private boolean stopped; // guarded by stopLock
    private volatile boolean silenced;
    private final Thread stdout;
    private final Thread stderr;
    private final Thread waiter;

    ProcessInstance(String instanceId, Process process, String tag, List<String> command, InstanceListener listener,
            Settings settings, Runnable onGone) {
        this.instanceId = instanceId;
        this.process = process;
        this.tag = tag;
        this.commandLine = String.join(" ", command);
        this.listener = listener;
        this.settings = settings;
        this.onGone = onGone;
        this.stdout = thread("stdout", new OutputPump(process.getInputStream(), settings.maxLineLength(),
                line -> forward("stdout", line)));
        this.stderr = thread("stderr", new OutputPump(process.getErrorStream(), settings.maxLineLength(),
                line -> forward("stderr", line)));
        this.waiter = thread("wait", this::awaitExit);
    }

    private Thread thread(String what, Runnable body) {
        Thread t = new Thread(body, "ias-process-" + instanceId + "-" + what);
        t.setDaemon(true);
        return t;
    }

    /** Starts draining the output and waiting for the exit. */
    void begin() {
        try {
            process.getOutputStream().close(); // no input: a script reading stdin sees its end
        } catch (IOException e) {
            // nothing to close
        }
        stdout.start();
        stderr.start();
        waiter.start();
    }

    long pid() {
        return process.pid();
    }

    private void forward(String stream, String line) {
        if (!silenced) {
            listener.log(stream, line);
        }
    }

    /** Records the current descendants (called periodically while the process runs). */
    void sample() {
        if (!process.isAlive()) {
            return;
        }
        process.descendants().forEach(d -> seen.putIfAbsent(d.pid(), d));
        seen.values().removeIf(h -> !ProcessTree.alive(h));
    }

    private void awaitExit() {
        int code;
        try {
            code = process.waitFor();
        } catch (InterruptedException e) {
            return;
        }
        if (!endClaimed.compareAndSet(false, true)) {
            return; // stop() ends it and reports nothing
        }
        int left = ProcessTree.terminate(leftovers(), settings.orphanGrace());
        if (left > 0) {
            forward("stderr", "[platform] ended " + left + " process(es) the instance left running");
        }
        joinReaders();
        onGone.run();
        try {
            listener.exited(code, reason(code));
        } catch (RuntimeException e) {
            LOG.warn("Reporting the exit of {} failed", instanceId, e);
        }
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void stop(Duration grace) {
        synchronized (stopLock) {
            if (stopped) {
                return;
            }
            endClaimed.set(true);
            List<ProcessHandle> tree = new ArrayList<>(leftovers());
            tree.add(0, process.toHandle());
            ProcessTree.terminate(tree, grace);
            try {
                process.waitFor(settings.drainTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            joinReaders();
            if (Thread.currentThread() != waiter) {
                join(waiter);
            }
            silenced = true;
            stopped = true;
            onGone.run();
        }
    }

    /** Every known descendant: the live tree, those recorded while running, and those carrying this start's tag. */
    private List<ProcessHandle> leftovers() {
        Map<Long, ProcessHandle> all = new LinkedHashMap<>();
        process.descendants().forEach(d -> all.putIfAbsent(d.pid(), d));
        seen.values().forEach(d -> all.putIfAbsent(d.pid(), d));
        ProcessTree.withEnvironment(ProcessRuntime.TAG_VARIABLE, tag).forEach(d -> all.putIfAbsent(d.pid(), d));
        all.remove(process.pid());
        return List.copyOf(all.values());
    }

    private void joinReaders() {
        join(stdout);
        join(stderr);
    }

    private void join(Thread t) {
        if (t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(settings.drainTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.warn("{} still runs {} ms after the processes of {} ended (an escaped descendant holds its pipe?)",
                    t.getName(), settings.drainTimeout().toMillis(), instanceId);
        }
    }

    /** {@code exit N}, naming the signal for 128+N. */
    static String reason(int code) {
        if (code > 128 && code < 128 + 65) {
            return "exit " + code + " (signal " + (code - 128) + ")";
        }
        return "exit " + code;
    }

    @Override
    public String describe() {
        return "pid " + process.pid() + ": " + commandLine;
    }

    @Override
    public String toString() {
        return "ProcessInstance[" + instanceId + ", " + describe() + "]";
    }
}
