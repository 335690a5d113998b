package org.iasplatform.api.messaging;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One candidate's part in the election of a single leader among every candidate of the same role, on any platform
 * instance sharing the broker ({@link Messaging#lead}). Closing it withdraws the candidate (a leader hands over first).
 */
@ProviderType
public interface Leadership extends AutoCloseable {
    /** The role elected for. */
    String role();

    /** Whether this candidate leads now. */
    boolean isLeader();

    /** Whether the candidate still takes part (false once closed or when its thread died). */
    boolean isAlive();

    @Override
    void close();
}
