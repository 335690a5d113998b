package org.iasplatform.services.internal;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A real OSGi framework (Apache Felix) with the real Declarative Services runtime (Apache Felix SCR, the jar Karaf
 * ships), for the watchdog's tests. The system bundle exports the DS and promise APIs and the platform's messaging API
 * from the test's class path, so that the test, SCR and the test bundles share those classes. Test bundles are built
 * here: component classes of this test tree with hand-written component descriptions.
 */
final class ScrFramework implements AutoCloseable {
    static final String SYSTEM_PACKAGES = "org.osgi.service.component;version=1.5.1,"
            + "org.osgi.service.component.runtime;version=1.5.0,org.osgi.service.component.runtime.dto;version=1.5.0,"
            + "org.osgi.util.promise;version=1.3.0,org.osgi.util.function;version=1.2.0,"
            + "org.iasplatform.api.messaging;version=1.2.0";
    private static final String IMPORTS = "org.osgi.framework,org.osgi.service.component;version=\"[1.5,2)\","
            + "org.iasplatform.api.messaging;version=\"[1.2,2)\"";

    private final Path dir;
    private final Framework framework;
    private final ServiceComponentRuntime scr;
    private int jars;

    ScrFramework(Path dir) throws Exception {
        this.dir = dir;
        String scrJar = System.getProperty("ias.test.scr.jar");
        if (scrJar == null || !Files.isRegularFile(Path.of(scrJar))) {
            throw new IllegalStateException("The Felix SCR jar is missing (system property ias.test.scr.jar = " + scrJar
                    + "); run the tests through Maven, which sets it from the test dependency");
        }
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, dir.resolve("felix").toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SYSTEM_PACKAGES);
        framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(config);
        framework.start();
        context().installBundle(Path.of(scrJar).toUri().toString()).start();
        ServiceTracker<ServiceComponentRuntime, ServiceComponentRuntime> tracker = new ServiceTracker<>(context(),
                ServiceComponentRuntime.class, null);
        tracker.open();
        scr = tracker.waitForService(30_000);
        if (scr == null) {
            throw new IllegalStateException("Felix SCR registered no ServiceComponentRuntime within 30 s");
        }
    }

    BundleContext context() {
        return framework.getBundleContext();
    }

    ServiceComponentRuntime scr() {
        return scr;
    }

    /**
     * Installs and starts a bundle named {@code symbolicName} holding {@code componentClasses} (of this test tree) and
     * one component description per entry of {@code components} (its name → its {@code scr:component} element, see
     * {@link #component}).
     */
    Bundle install(String symbolicName, Map<String, String> components, Class<?>... componentClasses)
            throws Exception {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
        main.putValue(Constants.BUNDLE_SYMBOLICNAME, symbolicName);
        main.putValue(Constants.BUNDLE_VERSION, "1.0.0");
        main.putValue(Constants.IMPORT_PACKAGE, IMPORTS);
        main.putValue("Service-Component", "OSGI-INF/*.xml");
        Path jar = dir.resolve("bundle-" + (++jars) + ".jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (Class<?> c : componentClasses) {
                String entry = c.getName().replace('.', '/') + ".class";
                out.putNextEntry(new JarEntry(entry));
                try (InputStream in = c.getClassLoader().getResourceAsStream(entry)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
            for (Map.Entry<String, String> e : components.entrySet()) {
                out.putNextEntry(new JarEntry("OSGI-INF/" + e.getKey() + ".xml"));
                out.write(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + e.getValue().replace("NAME", e.getKey()))
                        .getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        Bundle bundle = context().installBundle(jar.toUri().toString());
        bundle.start();
        return bundle;
    }

    /**
     * The description of an immediate component of {@code type} with string properties, more attributes of the
     * {@code scr:component} element (e.g. {@code init="1"}: constructor injection) and more elements.
     */
    static String component(Class<?> type, Map<String, String> properties, String attributes, String more) {
        StringBuilder xml = new StringBuilder("<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.4.0\" "
                + "name=\"NAME\" immediate=\"true\" " + attributes + ">\n");
        xml.append("  <implementation class=\"" + type.getName() + "\"/>\n");
        for (Map.Entry<String, String> p : properties.entrySet()) {
            xml.append("  <property name=\"").append(p.getKey()).append("\" type=\"String\" value=\"")
                    .append(p.getValue()).append("\"/>\n");
        }
        return xml.append(more).append("\n</scr:component>\n").toString();
    }

    static Map<String, String> one(String name, String body) {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(name, body);
        return map;
    }

    @Override
    public void close() throws Exception {
        framework.stop();
        framework.waitForStop(10_000);
    }
}
