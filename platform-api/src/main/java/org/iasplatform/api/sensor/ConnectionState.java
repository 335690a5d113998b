package org.iasplatform.api.sensor;

/** Whether the platform currently has a working connection to a sensor instance's device. */
public enum ConnectionState {
    CONNECTED,
    DISCONNECTED
}
