package org.iasplatform.api.node;

import org.iasplatform.api.IasException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Takes a node out of service (server-lifecycle): the node becomes {@link NodeState#DRAINING}, so that no strategy places
 * anything there; each instance it runs is stopped there and started on another node through the strategy in force, the
 * generation fencing making sure none runs twice; once it runs nothing, it is sent a shutdown on its command topic and is
 * {@link NodeState#DECOMMISSIONED}.
 *
 * @since 1.1
 */
@ProviderType
public interface NodeDecommissioning {
    /**
     * Starts decommissioning {@code nodeId} and returns at once (the instances move in the background; {@link Nodes}
     * shows the node's state). Asking again for a node being (or already) decommissioned answers its current state.
     *
     * @param force also when no other node can take its instances: they then wait RESTARTING until one can
     * @throws IasException NOT_FOUND for a node server-lifecycle does not know; CONFLICT when it runs instances and no
     *                      other node that is UP offers their runtime (nowhere to drain to) and {@code force} is not
     *                      given; UNAVAILABLE when the store cannot be reached
     */
    Decommission decommission(String nodeId, boolean force) throws IasException;
}
