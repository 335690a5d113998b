package org.iasplatform.api.node;

/** A node as server-lifecycle sees it. */
public enum NodeState {
    /** Heartbeats arrive. */
    UP,
    /** Heartbeats stopped for longer than the suspect time-out. */
    SUSPECT,
    /** Silent longer than the down time-out: its instances are placed elsewhere. */
    DOWN,
    /**
     * Being decommissioned: no strategy places anything there; its instances are moved to other nodes, then it is told to
     * shut down. (A draining node that falls silent for the down time-out is shown DOWN.)
     *
     * @since 1.1
     */
    DRAINING,
    /**
     * Decommissioned: it runs nothing and was told to shut down; it is not placed on, nor moved from as DOWN. A node agent
     * started again with its id (a later epoch) puts it back in service.
     *
     * @since 1.1
     */
    DECOMMISSIONED
}
