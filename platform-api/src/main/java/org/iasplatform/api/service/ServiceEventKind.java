package org.iasplatform.api.service;

/** What the service-lifecycle watchdog saw or did to a platform component. */
public enum ServiceEventKind {
    /** A failure was seen: its activation failed, or one of its Kafka consumers died. */
    FAILED,
    /** It was restarted (disabled and enabled again through Declarative Services). */
    RESTARTED,
    /** It is healthy again after a failure. */
    RECOVERED,
    /** It failed again after as many restarts as allowed within the window: it is not restarted any more. */
    GAVE_UP
}
