package org.iasplatform.api.algorithm;

import java.util.List;
import java.util.Map;

import org.iasplatform.api.IasException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What one algorithm instance can do on the platform: the Java form of the HTTP algorithm API (API.md, "For algorithm
 * instances"). Reaches only the instance's own bound sensors.
 */
@ProviderType
public interface AlgorithmContext {
    String instanceId();

    String applicationName();

    String algorithmName();

    /** The bound sensors, in the order of the deploy config's {@code sensor_info}. */
    List<SensorHandle> sensors();

    /** The bound sensor at {@code index} of the deploy config's {@code sensor_info}. */
    SensorHandle sensor(int index) throws IasException;

    /** Sends a notification to end users: {@code to} is a user name or a role. Stored and shown to them. */
    void notify(String to, String message) throws IasException;

    /** Publishes data (a JSON-able map) to the application's feed, which the application's UI reads. */
    void publishFeed(Map<String, Object> data) throws IasException;

    /** Writes a line to the instance's log. */
    void log(String message);

    /** Whether the instance has been asked to stop. */
    boolean isStopped();

    /** Blocks until the instance is asked to stop (then returns; interrupted: throws). */
    void awaitStop() throws InterruptedException;
}
