package org.iasplatform.messaging.internal;

import java.util.function.Supplier;

/**
 * Runs code with the thread context class loader set to this bundle's class loader: Kafka loads configured classes by
 * name through the TCCL, and in OSGi the caller's TCCL cannot see the embedded kafka-clients.
 */
final class Tccl {
    private Tccl() {
    }

    static <T> T withBundleLoader(Supplier<T> action) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(Tccl.class.getClassLoader());
        try {
            return action.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
