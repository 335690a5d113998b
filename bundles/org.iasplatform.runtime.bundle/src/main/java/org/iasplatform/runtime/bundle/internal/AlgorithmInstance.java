package org.iasplatform.runtime.bundle.internal;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.iasplatform.api.algorithm.Algorithm;
import org.iasplatform.api.node.InstanceListener;
import org.iasplatform.api.node.RunningInstance;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance of a Java algorithm: {@link Algorithm#run} on a thread of its own ({@code ias-algorithm-<instance id>},
 * with the algorithm bundle's class loader as context class loader). When {@code run} returns the instance ends with 0
 * ("returned"); when it throws, with 1 (the exception; its stack trace goes to the log as stderr lines); when the
 * algorithm service goes away (its bundle stopped or updated), the instance is asked to stop and ends with 1. Either way
 * its subscriptions are closed, the service released and the bundle lease returned (the bundle is uninstalled when no
 * other instance uses it).
 *
 * <p>
 * {@link #stop}: marks the context stopped (awaitStop returns, subscriptions close), interrupts the thread, waits up to the
 * grace for it to end, then forces it ({@link Thread#stop()} while the JDK still has it), then releases everything as
 * above; no exit is reported afterwards.
 */
final class AlgorithmInstance implements RunningInstance {
    private static final Logger LOG = LoggerFactory.getLogger(AlgorithmInstance.class);
    private static final Duration FORCE_WAIT = Duration.ofSeconds(2);

    private final String instanceId;
    private final String algorithmName;
    private final Algorithm algorithm;
    private final ServiceReference<Algorithm> reference;
    private final BundleContext runtimeContext;
    private final SharedBundles.Lease lease;
    private final InstanceContext context;
    private final InstanceListener listener;
    private final Duration cleanupWait;
    private final Runnable onGone;
    private final Thread thread;
    private final ServiceListener serviceWatch;
    private final AtomicBoolean endClaimed = new AtomicBoolean();
    private final AtomicBoolean cleanupClaimed = new AtomicBoolean();
    private final CountDownLatch cleanedUp = new CountDownLatch(1);
    private final Object stopLock = new Object();
    private boolean stopped; // guarded by stopLock
    private volatile boolean serviceGone;

    AlgorithmInstance(String instanceId, String algorithmName, Algorithm algorithm, ServiceReference<Algorithm> reference,
            BundleContext runtimeContext, SharedBundles.Lease lease, InstanceContext context, InstanceListener listener,
            Duration cleanupWait, Runnable onGone) {
        this.instanceId = instanceId;
        this.algorithmName = algorithmName;
        this.algorithm = algorithm;
        this.reference = reference;
        this.runtimeContext = runtimeContext;
        this.lease = lease;
        this.context = context;
        this.listener = listener;
        this.cleanupWait = cleanupWait;
        this.onGone = onGone;
        this.thread = new Thread(this::run, "ias-algorithm-" + instanceId);
        this.thread.setDaemon(true);
        BundleWiring wiring = lease.bundle().adapt(BundleWiring.class);
        if (wiring != null && wiring.getClassLoader() != null) {
            this.thread.setContextClassLoader(wiring.getClassLoader());
        }
        this.serviceWatch = event -> {
            if (event.getType() == ServiceEvent.UNREGISTERING) {
                serviceGone();
            }
        };
    }

    /** Starts the algorithm's thread. */
    void begin() throws InvalidSyntaxException {
        runtimeContext.addServiceListener(serviceWatch,
                "(" + Constants.SERVICE_ID + "=" + reference.getProperty(Constants.SERVICE_ID) + ")");
        thread.start();
    }

    private void serviceGone() {
        serviceGone = true;
        context.markStopped();
        thread.interrupt();
    }

    private void run() {
        Throwable failure = null;
        try {
            algorithm.run(context);
        } catch (Throwable t) {
            failure = t;
        }
        if (!endClaimed.compareAndSet(false, true)) {
            return; // stopped: stop() releases everything and nothing is reported
        }
        int code;
        String reason;
        if (serviceGone) {
            code = 1;
            reason = "the algorithm service went away (its bundle was stopped or updated)";
        } else if (failure == null) {
            code = 0;
            reason = "returned";
        } else {
            code = 1;
            reason = failure.toString();
            StringWriter trace = new StringWriter();
            failure.printStackTrace(new PrintWriter(trace));
            for (String line : trace.toString().split("\r?\n")) {
                listener.log("stderr", line);
            }
        }
        cleanup();
        try {
            listener.exited(code, reason);
        } catch (RuntimeException e) {
            LOG.warn("Reporting the end of {} failed", instanceId, e);
        }
    }

    @Override
    public boolean isAlive() {
        return thread.isAlive();
    }

    @Override
    @SuppressWarnings({ "deprecation", "removal" })
    public void stop(Duration grace) {
        synchronized (stopLock) {
            if (stopped) {
                return;
            }
            endClaimed.set(true);
            context.markStopped();
            if (thread != Thread.currentThread()) {
                thread.interrupt();
                join(grace);
                if (thread.isAlive()) {
                    LOG.warn("Algorithm {} of instance {} did not end within {} ms of being stopped; forcing its thread",
                            algorithmName, instanceId, grace.toMillis());
                    listener.log("log", "[platform] the algorithm did not end within " + grace.toMillis()
                            + " ms of being stopped; its thread is forced to end");
                    try {
                        thread.stop();
                    } catch (UnsupportedOperationException e) {
                        // a JDK without Thread.stop: the thread ends when the algorithm lets it
                    }
                    join(FORCE_WAIT);
                    if (thread.isAlive()) {
                        LOG.warn("The thread of instance {} still runs; its bundle is released anyway", instanceId);
                    }
                }
            }
            cleanup();
            stopped = true;
        }
    }

    private void join(Duration wait) {
        try {
            thread.join(Math.max(1, wait.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes subscriptions, releases the service and the bundle lease, once; others wait for it to be done. */
    private void cleanup() {
        if (!cleanupClaimed.compareAndSet(false, true)) {
            try {
                cleanedUp.await(cleanupWait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            context.markStopped();
            runtimeContext.removeServiceListener(serviceWatch);
            try {
                runtimeContext.ungetService(reference);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // the runtime's context is no longer valid or the service is gone
            }
            lease.close();
        } catch (RuntimeException e) {
            LOG.warn("Releasing instance {} failed", instanceId, e);
        } finally {
            cleanedUp.countDown();
            onGone.run();
        }
    }

    @Override
    public String describe() {
        return "algorithm " + algorithmName + " of bundle " + lease.bundle().getSymbolicName() + " "
                + lease.bundle().getVersion() + " (bundle id " + lease.bundle().getBundleId() + ", service id "
                + reference.getProperty(Constants.SERVICE_ID) + ") on thread " + thread.getName();
    }

    @Override
    public String toString() {
        return "AlgorithmInstance[" + instanceId + "]";
    }
}
