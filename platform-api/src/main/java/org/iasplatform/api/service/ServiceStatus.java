package org.iasplatform.api.service;

/** The watchdog's view of a platform component. */
public enum ServiceStatus {
    /** Active (or satisfied and waiting to be asked for), every consumer of it alive. */
    OK,
    /** Waiting for a dependency or its configuration: nothing the watchdog restarts. */
    WAITING,
    /** Disabled (by an administrator): not watched. */
    DISABLED,
    /** Failed; a restart is due ({@link ServiceHealth#nextRestart()}). */
    FAILED,
    /** Restarted; waiting to see it healthy again. */
    RESTARTING,
    /** Failed again after the allowed restarts: left as it is until it is healthy again by other means. */
    GAVE_UP
}
