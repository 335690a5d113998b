package org.iasplatform.runtime.docker.internal;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.iasplatform.api.node.InstanceListener;
import org.iasplatform.api.node.RunningInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;

/**
 * One instance run as a container. Its log (stdout and stderr, followed from the container's start) goes to the listener
 * line by line; when the container exits by itself, the last lines are drained and {@link InstanceListener#exited} is
 * called with its exit code. {@link #stop} stops it (SIGTERM, the grace period, SIGKILL: {@code docker stop}) and
 * removes it; after it, no exit is reported and no line is forwarded. Should the engine stop answering while the
 * container runs, its exit is waited for again until the engine answers or the instance is stopped.
 */
final class ContainerInstance implements RunningInstance {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerInstance.class);
    private static final long RETRY_MS = 1000;

    private final Engine engine;
    private final String instanceId;
    private final String containerId;
    private final String name;
    private final String image;
    private final InstanceListener listener;
    private final Settings settings;
    private final Runnable onGone;
    /** Set once the end is claimed: by the waiter (exited by itself) or by stop (then no exit is reported). */
    private final AtomicBoolean endClaimed = new AtomicBoolean();
    private final CountDownLatch logEnded = new CountDownLatch(1);
    private final Object stopLock = new Object();
    private volatile boolean stopped; // written under stopLock
    private volatile boolean silenced;
    private volatile boolean exited;
    private volatile ResultCallback.Adapter<Frame> log;
    private final Thread waiter;

    ContainerInstance(Engine engine, String instanceId, String containerId, String name, String image,
            InstanceListener listener, Settings settings, Runnable onGone) {
        this.engine = engine;
        this.instanceId = instanceId;
        this.containerId = containerId;
        this.name = name;
        this.image = image;
        this.listener = listener;
        this.settings = settings;
        this.onGone = onGone;
        this.waiter = new Thread(this::awaitExit, "ias-docker-" + instanceId + "-wait");
        this.waiter.setDaemon(true);
    }

    String containerId() {
        return containerId;
    }

    /** Starts following the log (from the container's start) and waiting for the exit. */
    void begin() {
        LineSplitter out = new LineSplitter(settings.maxLineLength(), line -> forward("stdout", line));
        LineSplitter err = new LineSplitter(settings.maxLineLength(), line -> forward("stderr", line));
        log = engine.streams().logContainerCmd(containerId).withStdOut(true).withStdErr(true).withFollowStream(true)
                .exec(new ResultCallback.Adapter<Frame>() {
                    @Override
                    public void onNext(Frame frame) {
                        (frame.getStreamType() == StreamType.STDERR ? err : out).feed(frame.getPayload());
                    }

                    @Override
                    public void onError(Throwable error) {
                        LOG.debug("The log of {} ({}) ended: {}", instanceId, name, error.toString());
                        ended();
                    }

                    @Override
                    public void onComplete() {
                        ended();
                    }

                    private void ended() {
                        out.finish();
                        err.finish();
                        logEnded.countDown();
                    }
                });
        waiter.start();
    }

    private void forward(String stream, String line) {
        if (!silenced) {
            listener.log(stream, line);
        }
    }

    private void awaitExit() {
        Integer code = null;
        String removed = null;
        while (code == null && !endClaimed.get()) {
            try {
                code = engine.streams().waitContainerCmd(containerId).exec(new WaitContainerResultCallback())
                        .awaitStatusCode();
            } catch (NotFoundException e) {
                removed = "its container " + name + " was removed by someone else";
                code = -1;
            } catch (RuntimeException e) {
                if (endClaimed.get()) {
                    return;
                }
                LOG.debug("Waiting for the container of {} failed ({}); trying again", instanceId, e.toString());
                do {
                    try {
                        TimeUnit.MILLISECONDS.sleep(RETRY_MS); // the engine does not answer: try again, until stopped
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                } while (!endClaimed.get() && !engine.reachable());
            }
        }
        exited = true;
        if (code == null || !endClaimed.compareAndSet(false, true)) {
            return; // stop() ends it and reports nothing
        }
        try {
            if (!logEnded.await(settings.drainTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.debug("The last log lines of {} did not arrive within {} ms", instanceId,
                        settings.drainTimeout().toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String reason = removed != null ? removed : reason(code, oomKilled());
        try {
            listener.exited(code, reason);
        } catch (RuntimeException e) {
            LOG.warn("Reporting the exit of {} failed", instanceId, e);
        }
    }

    private boolean oomKilled() {
        try {
            InspectContainerResponse.ContainerState state = engine.calls().inspectContainerCmd(containerId).exec()
                    .getState();
            return Boolean.TRUE.equals(state.getOOMKilled());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** {@code exit N}, naming the signal for 128+N (the seed's 130, 137, 143 among them). */
    static String reason(int code, boolean oomKilled) {
        if (oomKilled) {
            return "exit " + code + " (killed: out of memory)";
        }
        return switch (code) {
            case 130 -> "exit 130 (signal 2: SIGINT)";
            case 137 -> "exit 137 (signal 9: SIGKILL, e.g. docker kill)";
            case 143 -> "exit 143 (signal 15: SIGTERM, e.g. docker stop)";
            default -> code > 128 && code < 128 + 65 ? "exit " + code + " (signal " + (code - 128) + ")" : "exit " + code;
        };
    }

    @Override
    public boolean isAlive() {
        return !exited && !stopped;
    }

    @Override
    public void stop(Duration grace) {
        synchronized (stopLock) {
            if (stopped) {
                return;
            }
            endClaimed.set(true);
            int seconds = (int) Math.min(Integer.MAX_VALUE, Math.max(0, (grace.toMillis() + 999) / 1000));
            try {
                engine.streams().stopContainerCmd(containerId).withTimeout(seconds).exec();
            } catch (NotModifiedException | NotFoundException e) {
                // it had exited already, or is gone
            } catch (RuntimeException e) {
                LOG.warn("Stopping the container {} of {} failed: {}", name, instanceId, e.toString());
            }
            try {
                logEnded.await(settings.drainTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            silenced = true;
            remove();
            closeLog();
            waiter.interrupt();
            join(waiter);
            stopped = true;
            onGone.run();
        }
    }

    private void remove() {
        try {
            engine.calls().removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // gone already
        } catch (RuntimeException e) {
            LOG.warn("Removing the container {} of {} failed: {} (it is removed when this node's docker runtime starts "
                    + "again)", name, instanceId, e.toString());
        }
    }

    private void closeLog() {
        ResultCallback.Adapter<Frame> callback = log;
        if (callback != null) {
            try {
                callback.close();
            } catch (Exception e) {
                // closed already
            }
        }
    }

    private void join(Thread t) {
        if (t == Thread.currentThread() || !t.isAlive()) {
            return;
        }
        try {
            t.join(settings.drainTimeout().toMillis() + RETRY_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String describe() {
        return "container " + containerId.substring(0, Math.min(12, containerId.length())) + " (" + name + ", image "
                + image + ")";
    }

    @Override
    public String toString() {
        return "ContainerInstance[" + instanceId + ", " + describe() + "]";
    }
}
