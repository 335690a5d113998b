package org.iasplatform.runtime.bundle.internal;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.wiring.FrameworkWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The algorithm bundles installed for running instances, shared and reference-counted: the framework refuses a second
 * bundle with the same symbolic name and version, so every instance whose jar has them uses the one installed bundle.
 * The bundle is installed (location {@value #LOCATION_PREFIX}{@code <bsn>@<version>}) and started by the first
 * instance, and stopped, uninstalled and refreshed away ({@link FrameworkWiring#refreshBundles}) when the last one
 * releases it. A bundle with that name and version installed by someone else is used but never uninstalled.
 * Thread-safe.
 */
final class SharedBundles {
    /** Location prefix of the bundles this runtime installs (so that leftovers of a crash are recognised). */
    static final String LOCATION_PREFIX = "ias-algorithm:";
    private static final Logger LOG = LoggerFactory.getLogger(SharedBundles.class);

    /** One installed bundle and the instances using it. */
    private static final class Shared {
        final String key;
        final Bundle bundle;
        final boolean owned;
        final String sha256;
        int users; // guarded by SharedBundles.lock

        Shared(String key, Bundle bundle, boolean owned, String sha256) {
            this.key = key;
            this.bundle = bundle;
            this.owned = owned;
            this.sha256 = sha256;
        }
    }

    /** One instance's use of a bundle; closing it releases the use (idempotent). */
    final class Lease implements AutoCloseable {
        private final Shared shared;
        private final boolean differentContent;
        private boolean released; // guarded by SharedBundles.lock

        private Lease(Shared shared, boolean differentContent) {
            this.shared = shared;
            this.differentContent = differentContent;
        }

        Bundle bundle() {
            return shared.bundle;
        }

        /** Whether the installed bundle was built from other content than this instance's jar (same name and version). */
        boolean differentContent() {
            return differentContent;
        }

        @Override
        public void close() {
            release(this);
        }
    }

    private final BundleContext context;
    private final Object lock = new Object();
    private final Map<String, Shared> shared = new HashMap<>(); // guarded by lock

    SharedBundles(BundleContext context) {
        this.context = context;
    }

    /**
     * The started bundle of this jar for one more instance: the installed one if its symbolic name and version are
     * installed already, else installed from the jar now.
     *
     * @throws Exception when the jar is no bundle or the bundle cannot be installed or started (the message says why);
     *                   nothing is left installed then
     */
    Lease acquire(Path jar) throws Exception {
        JarIdentity identity = JarIdentity.of(jar);
        synchronized (lock) {
            Shared s = shared.get(identity.key());
            if (s != null && s.bundle.getState() == Bundle.UNINSTALLED) {
                shared.remove(identity.key()); // uninstalled behind our back
                s = null;
            }
            boolean installedNow = false;
            if (s == null) {
                Bundle existing = find(identity);
                if (existing != null) {
                    s = new Shared(identity.key(), existing, existing.getLocation().startsWith(LOCATION_PREFIX), null);
                } else {
                    Bundle bundle;
                    try (InputStream in = Files.newInputStream(jar)) {
                        bundle = context.installBundle(LOCATION_PREFIX + identity.key(), in);
                    } catch (BundleException e) {
                        throw new BundleException("the algorithm bundle " + identity.key() + " cannot be installed: "
                                + e.getMessage(), e.getType(), e);
                    }
                    s = new Shared(identity.key(), bundle, true, identity.sha256());
                    installedNow = true;
                }
            }
            try {
                if (s.bundle.getState() != Bundle.ACTIVE && s.bundle.getState() != Bundle.STARTING) {
                    s.bundle.start();
                }
            } catch (BundleException | IllegalStateException e) {
                if (s.users == 0 && s.owned) {
                    uninstall(List.of(s.bundle));
                }
                if (!installedNow && s.users == 0) {
                    shared.remove(identity.key());
                }
                throw new BundleException("the algorithm bundle " + identity.key() + " cannot start: " + e.getMessage(),
                        e);
            }
            s.users++;
            shared.put(identity.key(), s);
            boolean different = s.sha256 != null && !s.sha256.equals(identity.sha256());
            return new Lease(s, different);
        }
    }

    /** How many instances use the bundle with this key (0 when it is not installed by us). */
    int users(String key) {
        synchronized (lock) {
            Shared s = shared.get(key);
            return s == null ? 0 : s.users;
        }
    }

    private Bundle find(JarIdentity identity) {
        for (Bundle b : context.getBundles()) {
            if (identity.symbolicName().equals(b.getSymbolicName()) && identity.version().equals(b.getVersion())
                    && b.getState() != Bundle.UNINSTALLED) {
                return b;
            }
        }
        return null;
    }

    private void release(Lease lease) {
        synchronized (lock) {
            if (lease.released) {
                return;
            }
            lease.released = true;
            Shared s = lease.shared;
            s.users--;
            if (s.users > 0) {
                return;
            }
            shared.remove(s.key, s);
            if (s.owned) {
                uninstall(List.of(s.bundle));
            }
        }
    }

    /** Uninstalls the bundles left by an earlier run of this runtime (a crash, a kill): they are not in use. */
    void uninstallLeftovers() {
        List<Bundle> left = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getLocation().startsWith(LOCATION_PREFIX)) {
                left.add(b);
            }
        }
        if (!left.isEmpty()) {
            LOG.info("Uninstalling algorithm bundles left by an earlier run: {}", left);
            uninstall(left);
        }
    }

    /** Releases every bundle still held (when the runtime stops, after its instances were stopped). */
    void close() {
        synchronized (lock) {
            List<Bundle> owned = new ArrayList<>();
            for (Shared s : shared.values()) {
                if (s.owned) {
                    owned.add(s.bundle);
                }
            }
            shared.clear();
            if (!owned.isEmpty()) {
                uninstall(owned);
            }
        }
    }

    /**
     * Stops and uninstalls bundles (synchronous: once this returns they are no longer installed) and asks the framework to
     * refresh them away (their wiring, class loaders). The refresh is not awaited: the framework does it on its own
     * thread, and this may be called on that very thread (when the runtime bundle itself is refreshed), where waiting
     * would deadlock.
     */
    private void uninstall(Collection<Bundle> bundles) {
        List<Bundle> uninstalled = new ArrayList<>();
        for (Bundle b : bundles) {
            try {
                if (b.getState() != Bundle.UNINSTALLED) {
                    try {
                        b.stop();
                    } catch (BundleException | IllegalStateException e) {
                        LOG.warn("Stopping algorithm bundle {} failed: {}", b, e.toString());
                    }
                    b.uninstall();
                }
                uninstalled.add(b);
            } catch (BundleException | IllegalStateException e) {
                LOG.warn("Uninstalling algorithm bundle {} failed: {}", b, e.toString());
            }
        }
        if (uninstalled.isEmpty()) {
            return;
        }
        Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_ID);
        FrameworkWiring wiring = system == null ? null : system.adapt(FrameworkWiring.class);
        if (wiring == null) {
            return;
        }
        try {
            wiring.refreshBundles(uninstalled);
        } catch (RuntimeException e) {
            LOG.warn("Refreshing after uninstalling {} failed: {}", uninstalled, e.toString());
        }
    }
}
