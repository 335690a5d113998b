package org.iasplatform.api.deploy;

/** The states of an algorithm instance (API.md). */
public enum InstanceState {
    /** Bound and scheduled; not running now (waiting for its start time or next run). */
    SCHEDULED,
    /** Placed on a node; the runtime is starting it. */
    STARTING,
    RUNNING,
    /** Ended: stopped, its end time passed, or it exited by itself with status 0. */
    STOPPED,
    /** Ended with an error (non-zero exit, exception, no node could run it). */
    FAILED,
    /** Crashed; being restarted. */
    RESTARTING;

    /** Whether an instance in this state has (or is about to have) a process, bundle or container somewhere. */
    public boolean isActive() {
        return this == STARTING || this == RUNNING || this == RESTARTING;
    }
}
