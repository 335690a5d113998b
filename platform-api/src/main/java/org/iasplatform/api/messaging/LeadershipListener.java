package org.iasplatform.api.messaging;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told when its candidate becomes the leader of its role and when it stops being it. Calls come one at a time, in order,
 * from the election's own thread; a handover waits for {@link #revoked()} to return before another candidate is elected,
 * so the work of a role is not done twice while both candidates can reach the broker.
 */
@ConsumerType
public interface LeadershipListener {
    /** This candidate leads from now on: start the role's work. */
    void elected();

    /**
     * This candidate no longer leads (handed over, withdrawn, or cut off from the broker for longer than it may lead
     * without confirmation): stop the role's work before returning.
     */
    void revoked();
}
