package org.iasplatform.scheduler.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.quartz.SchedulerConfigException;
import org.quartz.spi.ThreadPool;

/**
 * Quartz's thread pool for the scheduler, over a fixed {@link ExecutorService} of daemon threads named
 * {@code ias-scheduler-<n>} whose context class loader is this bundle's (where Quartz is embedded). Unlike Quartz's
 * {@code SimpleThreadPool}, whose idle workers notice a shutdown only after up to half a second, it stops at once when
 * nothing runs. Quartz creates it by class name from {@code org.quartz.threadPool.class} and sets
 * {@code org.quartz.threadPool.threadCount} through {@link #setThreadCount(int)}.
 */
public final class ExecutorThreadPool implements ThreadPool {
    private static final long SHUTDOWN_WAIT_SECONDS = 60;

    private int threadCount = 4;
    private String instanceName = "ias-scheduler";
    private volatile boolean shutdown;
    private ExecutorService executor;
    private Semaphore available;

    /** Quartz instantiates it reflectively. */
    public ExecutorThreadPool() {
    }

    public void setThreadCount(int threadCount) {
        this.threadCount = threadCount;
    }

    public int getThreadCount() {
        return threadCount;
    }

    @Override
    public void initialize() throws SchedulerConfigException {
        if (threadCount < 1) {
            throw new SchedulerConfigException("threadCount must be at least 1, not " + threadCount);
        }
        ClassLoader loader = ExecutorThreadPool.class.getClassLoader();
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "ias-scheduler-" + n.incrementAndGet());
            t.setDaemon(true);
            t.setContextClassLoader(loader);
            return t;
        };
        available = new Semaphore(threadCount);
        executor = Executors.newFixedThreadPool(threadCount, factory);
    }

    @Override
    public boolean runInThread(Runnable runnable) {
        if (shutdown || runnable == null) {
            return false;
        }
        available.acquireUninterruptibly();
        try {
            executor.execute(() -> {
                try {
                    runnable.run();
                } finally {
                    available.release();
                }
            });
            return true;
        } catch (RuntimeException e) { // rejected: shut down meanwhile
            available.release();
            return false;
        }
    }

    @Override
    public int blockForAvailableThreads() {
        while (!shutdown) {
            try {
                if (available.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    available.release();
                    return Math.max(1, available.availablePermits());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }
        return 0;
    }

    @Override
    public void shutdown(boolean waitForJobsToComplete) {
        shutdown = true;
        if (executor == null) {
            return;
        }
        executor.shutdown();
        if (waitForJobsToComplete) {
            try {
                executor.awaitTermination(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public int getPoolSize() {
        return threadCount;
    }

    @Override
    public void setInstanceId(String schedInstId) {
        // not used
    }

    @Override
    public void setInstanceName(String schedName) {
        this.instanceName = schedName;
    }

    @Override
    public String toString() {
        return "ExecutorThreadPool[" + instanceName + ", " + threadCount + " threads]";
    }
}
