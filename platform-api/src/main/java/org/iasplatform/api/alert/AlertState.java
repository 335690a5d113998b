package org.iasplatform.api.alert;

/** Whether the condition an alert is about still holds. */
public enum AlertState {
    /** The condition holds. */
    ACTIVE,
    /** The condition ended (the sensor reads again, the instance runs again or is gone). */
    RESOLVED
}
