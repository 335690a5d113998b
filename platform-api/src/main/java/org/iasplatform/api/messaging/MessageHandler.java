package org.iasplatform.api.messaging;

import org.osgi.annotation.versioning.ConsumerType;

/** Handles consumed messages one at a time, in order per partition. */
@ConsumerType
@FunctionalInterface
public interface MessageHandler {
    /**
     * Handles one message. Returning normally means the work is durable and the message may be committed. Throwing means
     * the work could not be done now (e.g. the store is unreachable): the same message is delivered again after a back-off,
     * and nothing after it is committed before it. Handlers must be idempotent: a message may be delivered more than once.
     */
    void handle(Message message) throws Exception;
}
