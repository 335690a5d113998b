package org.iasplatform.api.node;

/** A node as server-lifecycle sees it. */
public enum NodeState {
    /** Heartbeats arrive. */
    UP,
    /** Heartbeats stopped for longer than the suspect time-out. */
    SUSPECT,
    /** Silent longer than the down time-out: its instances are placed elsewhere. */
    DOWN
}
