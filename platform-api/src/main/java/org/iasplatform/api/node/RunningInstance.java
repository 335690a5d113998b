package org.iasplatform.api.node;

import java.time.Duration;

import org.osgi.annotation.versioning.ConsumerType;

/** An instance a runtime started. */
@ConsumerType
public interface RunningInstance {
    boolean isAlive();

    /**
     * Stops it and everything it started (child processes, the bundle, the container), waiting at most {@code grace} for
     * a clean end before forcing it. Returns when nothing of it is left.
     */
    void stop(Duration grace);

    /** What to show about it (pid, bundle id, container id). */
    String describe();
}
