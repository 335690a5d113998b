package org.iasplatform.rest.internal;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.alert.Alerts;
import org.iasplatform.api.app.AppRepository;
import org.iasplatform.api.deploy.Deployments;
import org.iasplatform.api.deploy.InstanceRegistry;
import org.iasplatform.api.infra.InfrastructureEndpoints;
import org.iasplatform.api.manager.PlatformManager;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.node.NodeDecommissioning;
import org.iasplatform.api.node.NodeProvisioning;
import org.iasplatform.api.node.Nodes;
import org.iasplatform.api.notification.Notifications;
import org.iasplatform.api.sensor.SensorConnections;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.service.PlatformServices;

/**
 * The platform services the API calls; each may be absent for a while (its bundle stopped or restarting), which the API
 * answers with 503 and {@code /health} reports, instead of the whole API disappearing.
 */
public interface Services {
    /** The service, or {@code null} when it is not there. */
    PlatformManager platformManager();

    SensorRegistry sensorRegistry();

    SensorConnections sensorConnections();

    Messaging messaging();

    /** The app repository (apps bundle). */
    AppRepository appRepository();

    /** The deployments (scheduler). */
    Deployments deployments();

    /** The algorithm instances and their tokens (server-lifecycle). */
    InstanceRegistry instanceRegistry();

    /** The nodes and placement strategies (server-lifecycle). */
    Nodes nodes();

    /** Decommissioning nodes (server-lifecycle). */
    NodeDecommissioning nodeDecommissioning();

    /** Provisioning nodes over SSH (provision bundle). */
    NodeProvisioning nodeProvisioning();

    /** The stored notifications. */
    Notifications notifications();

    /** The stored alerts (alerts bundle). */
    Alerts alerts();

    /** Where Kafka and MongoDB are (infra). */
    InfrastructureEndpoints infrastructure();

    /** The platform's components and the watchdog's events (service lifecycle). */
    PlatformServices platformServices();

    /** The service, or 503 naming the missing component. */
    static <T> T require(T service, String component) throws IasException {
        if (service == null) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", "the platform component " + component
                    + " is not available right now; try again shortly");
        }
        return service;
    }
}
