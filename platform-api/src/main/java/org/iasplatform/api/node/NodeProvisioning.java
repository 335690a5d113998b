package org.iasplatform.api.node;

import java.util.List;
import java.util.Optional;

import org.iasplatform.api.IasException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Adds a node on another host over SSH: copies the node distribution there, unpacks it, writes its configuration (its
 * node id, the platform's Kafka, store and API as that host reaches them), starts it and waits for its first heartbeat.
 * Credentials are never logged nor shown.
 *
 * @since 1.1
 */
@ProviderType
public interface NodeProvisioning {
    /**
     * Checks the request and starts provisioning in the background.
     *
     * @return the provisioning as it starts (state {@link Provision.State#RUNNING}); follow it with
     *         {@link #provision(String)}
     * @throws IasException INVALID for a request that cannot be carried out as it is (nothing is started); CONFLICT when
     *                      a node with that id is UP already, or a provisioning of it runs; UNAVAILABLE when the node
     *                      distribution archive or the platform's endpoints are not there
     */
    Provision provision(ProvisionRequest request) throws IasException;

    /** A provisioning started on this platform instance (the latest ones are kept), by its id. */
    Optional<Provision> provision(String provisionId);

    /** The provisionings kept, newest first. */
    List<Provision> provisions();
}
