package org.iasplatform.runtime.bundle.internal;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.iasplatform.api.algorithm.Algorithm;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.node.AppRuntime;
import org.iasplatform.api.node.InstanceLaunch;
import org.iasplatform.api.node.InstanceListener;
import org.iasplatform.api.node.RunningInstance;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The bundle runtime: an instance's entry file is an algorithm bundle, installed into this framework through
 * {@link SharedBundles} (one bundle per symbolic name and version, shared by the instances that use it), whose
 * {@link Algorithm} service named {@link Algorithm#PROPERTY_NAME ias.algorithm} = the algorithm's name (or the only
 * Algorithm service of that bundle) is run for the instance ({@link AlgorithmInstance}) with an {@link InstanceContext}.
 * {@link #close} stops every instance and uninstalls what it installed.
 */
public final class BundleRuntime implements AppRuntime {
    /** How long the only Algorithm service of a bundle, named otherwise, must be alone before it is taken. */
    static final Duration SETTLE = Duration.ofMillis(500);
    private static final Logger LOG = LoggerFactory.getLogger(BundleRuntime.class);

    private final BundleContext context;
    private final Messaging messaging;
    private final Settings settings;
    private final SharedBundles bundles;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Set<AlgorithmInstance> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param context the context bundles are installed and services looked up with (the runtime bundle's)
     */
    BundleRuntime(BundleContext context, Messaging messaging, Settings settings) {
        this.context = context;
        this.messaging = messaging;
        this.settings = settings;
        this.bundles = new SharedBundles(context);
        bundles.uninstallLeftovers();
    }

    @Override
    public RunningInstance start(InstanceLaunch launch, InstanceListener listener) throws Exception {
        if (closed) {
            throw new IllegalStateException("the bundle runtime is stopping");
        }
        Path jar = entryOf(launch);
        SharedBundles.Lease lease = bundles.acquire(jar);
        ServiceReference<Algorithm> reference = null;
        try {
            if (lease.differentContent()) {
                listener.log("log", "[platform] " + lease.bundle().getSymbolicName() + " " + lease.bundle().getVersion()
                        + " is already installed from a different build for another instance; that one runs (give a new "
                        + "build a new Bundle-Version)");
            }
            reference = awaitAlgorithm(lease.bundle(), launch.algorithmName());
            Algorithm algorithm = context.getService(reference);
            if (algorithm == null) {
                throw new IllegalStateException("the Algorithm service of " + lease.bundle().getSymbolicName()
                        + " could not be obtained (its component failed to activate?)");
            }
            InstanceContext instanceContext = new InstanceContext(launch, messaging, listener, settings, mapper);
            AlgorithmInstance[] self = new AlgorithmInstance[1];
            AlgorithmInstance instance = new AlgorithmInstance(launch.instanceId(), launch.algorithmName(), algorithm,
                    reference, context, lease, instanceContext, listener, Duration.ofSeconds(30),
                    () -> running.remove(self[0]));
            self[0] = instance;
            running.add(instance);
            instance.begin();
            LOG.info("Instance {} runs {}", launch.instanceId(), instance.describe());
            return instance;
        } catch (Exception | Error e) {
            if (reference != null) {
                try {
                    context.ungetService(reference);
                } catch (IllegalStateException ignored) {
                    // the service is gone
                }
            }
            lease.close();
            throw e;
        }
    }

    /** The entry file: a regular file inside the launch's folder. */
    static Path entryOf(InstanceLaunch launch) throws FileNotFoundException {
        Path dir = launch.directory().toAbsolutePath().normalize();
        if (launch.entry() == null || launch.entry().isBlank()) {
            throw new IllegalArgumentException("the launch names no entry file");
        }
        Path jar = dir.resolve(launch.entry()).normalize();
        if (!jar.startsWith(dir) || jar.equals(dir)) {
            throw new IllegalArgumentException("the entry \"" + launch.entry() + "\" is not a file inside " + dir);
        }
        if (!Files.isRegularFile(jar, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileNotFoundException("the entry file \"" + launch.entry() + "\" is missing from " + dir);
        }
        return jar;
    }

    /**
     * Waits (up to the configured time) for {@code bundle} to register the Algorithm service named {@code name}, or, when
     * it registers exactly one Algorithm service, for that one (at once if it has no name, after {@link #SETTLE} if it is
     * named otherwise: another one may be on its way).
     */
    ServiceReference<Algorithm> awaitAlgorithm(Bundle bundle, String name) throws Exception {
        Object signal = new Object();
        ServiceListener wake = event -> {
            synchronized (signal) {
                signal.notifyAll();
            }
        };
        context.addServiceListener(wake, "(objectClass=" + Algorithm.class.getName() + ")");
        try {
            long deadline = System.nanoTime() + settings.serviceWait().toNanos();
            long aloneSince = 0;
            while (true) {
                List<ServiceReference<Algorithm>> mine = algorithmsOf(bundle);
                ServiceReference<Algorithm> named = mine.stream().filter(r -> namesOf(r).contains(name))
                        .max(Comparator.naturalOrder()).orElse(null);
                if (named != null) {
                    return named;
                }
                long now = System.nanoTime();
                if (mine.size() == 1) {
                    if (namesOf(mine.get(0)).isEmpty()) {
                        return mine.get(0);
                    }
                    if (aloneSince == 0) {
                        aloneSince = now;
                    } else if (now - aloneSince >= SETTLE.toNanos()) {
                        return mine.get(0);
                    }
                } else {
                    aloneSince = 0;
                }
                int state = bundle.getState();
                if (state != Bundle.ACTIVE && state != Bundle.STARTING) {
                    throw new IllegalStateException("the algorithm bundle " + bundle.getSymbolicName() + " "
                            + bundle.getVersion() + " is no longer active");
                }
                if (now - deadline >= 0) {
                    List<String> registered = new ArrayList<>();
                    mine.forEach(r -> registered.add(namesOf(r).isEmpty() ? "(unnamed)" : String.join(",", namesOf(r))));
                    throw new IllegalStateException("the algorithm bundle " + bundle.getSymbolicName() + " "
                            + bundle.getVersion() + " registered no Algorithm service with " + Algorithm.PROPERTY_NAME + "="
                            + name + " within " + settings.serviceWait().toMillis() + " ms (it registers "
                            + (registered.isEmpty() ? "none" : registered) + ")");
                }
                synchronized (signal) {
                    signal.wait(Math.max(1, Math.min(100, (deadline - now) / 1_000_000)));
                }
            }
        } finally {
            context.removeServiceListener(wake);
        }
    }

    private List<ServiceReference<Algorithm>> algorithmsOf(Bundle bundle) throws InvalidSyntaxException {
        Collection<ServiceReference<Algorithm>> all = context.getServiceReferences(Algorithm.class, null);
        List<ServiceReference<Algorithm>> mine = new ArrayList<>();
        for (ServiceReference<Algorithm> r : all) {
            Bundle owner = r.getBundle();
            if (owner != null && owner.getBundleId() == bundle.getBundleId()) {
                mine.add(r);
            }
        }
        return mine;
    }

    private static List<String> namesOf(ServiceReference<?> reference) {
        Object value = reference.getProperty(Algorithm.PROPERTY_NAME);
        if (value instanceof String s) {
            return List.of(s);
        }
        if (value instanceof String[] array) {
            return List.of(array);
        }
        if (value instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    /** The instances running now. */
    int running() {
        return running.size();
    }

    SharedBundles bundles() {
        return bundles;
    }

    /** Stops every instance (in parallel, each with {@code grace}) and uninstalls every bundle installed for them. */
    void close(Duration grace) {
        closed = true;
        List<Thread> stoppers = new ArrayList<>();
        for (AlgorithmInstance instance : List.copyOf(running)) {
            Thread t = new Thread(() -> instance.stop(grace), "ias-bundle-runtime-stop-" + instance);
            t.setDaemon(true);
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        bundles.close();
    }
}
