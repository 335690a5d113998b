package org.iasplatform.api.alert;

/** What an alert is about. */
public enum AlertKind {
    /** A sensor instance sent no reading for longer than its type's {@code max_silence_seconds}. */
    SENSOR_SILENT,
    /** A sensor instance is DISCONNECTED. */
    SENSOR_DISCONNECTED,
    /** An algorithm instance is FAILED (server-lifecycle gave up restarting it, or it could not be placed). */
    INSTANCE_FAILED
}
