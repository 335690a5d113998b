package org.iasplatform.api.messaging;

import org.osgi.annotation.versioning.ProviderType;

/** A running consumer; closing it stops consumption (what was handled is committed first). */
@ProviderType
public interface Subscription extends AutoCloseable {
    /** Whether the consumer is polling (false once closed or when its thread died). */
    boolean isAlive();

    @Override
    void close();
}
