package org.iasplatform.node.internal;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

import org.iasplatform.api.node.AppRuntime;
import org.iasplatform.api.node.InstanceLaunch;
import org.iasplatform.api.node.InstanceListener;
import org.iasplatform.api.node.RunningInstance;

/** An {@link AppRuntime} that records launches; each instance "runs" until stopped or told to exit. */
final class FakeRuntime implements AppRuntime {

    final class Running implements RunningInstance {
        final InstanceLaunch launch;
        final InstanceListener listener;
        final List<Duration> stops = new CopyOnWriteArrayList<>();
        /** Whether the launch directory existed while it ran (checked at start). */
        final boolean directoryExisted;
        volatile boolean alive = true;

        Running(InstanceLaunch launch, InstanceListener listener) {
            this.launch = launch;
            this.listener = listener;
            this.directoryExisted = Files.isDirectory(launch.directory());
        }

        @Override
        public boolean isAlive() {
            return alive;
        }

        @Override
        public void stop(Duration grace) {
            stops.add(grace);
            alive = false;
        }

        @Override
        public String describe() {
            return "fake " + launch.instanceId();
        }

        /** Ends by itself, as a process exiting. */
        void exit(int code, String reason) {
            alive = false;
            listener.exited(code, reason);
        }
    }

    final List<Running> started = new CopyOnWriteArrayList<>();
    /** Thrown by start when set. */
    volatile Exception failure;
    /** Called inside start, after the instance exists (e.g. to exit before start returns). */
    volatile BiConsumer<Running, InstanceListener> duringStart;

    @Override
    public RunningInstance start(InstanceLaunch launch, InstanceListener listener) throws Exception {
        if (failure != null) {
            throw failure;
        }
        Running running = new Running(launch, listener);
        started.add(running);
        if (duringStart != null) {
            duringStart.accept(running, listener);
        }
        return running;
    }

    Running last() {
        return started.get(started.size() - 1);
    }
}
