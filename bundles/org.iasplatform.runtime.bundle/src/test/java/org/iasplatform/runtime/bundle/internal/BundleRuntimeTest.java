package org.iasplatform.runtime.bundle.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.BooleanSupplier;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.iasplatform.api.deploy.BoundSensor;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.node.InstanceLaunch;
import org.iasplatform.api.node.RunningInstance;
import org.iasplatform.api.sensor.ControlFunction;
import org.iasplatform.api.sensor.ControlFunctions;
import org.iasplatform.api.sensor.FieldType;
import org.iasplatform.api.sensor.SensorType;
import org.iasplatform.runtime.bundle.testalgo.TestAlgorithmsActivator;
import org.iasplatform.testsupport.RecordingMessaging;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The bundle runtime in a real OSGi framework (Apache Felix): algorithm bundles built here are installed, started, their
 * Algorithm services run with their contexts, shared between instances and uninstalled when the last instance stops.
 * The framework's system bundle exports the platform API from the test's class path (as Karaf's api bundle would), so
 * the algorithm bundles and the runtime share its classes.
 */
public class BundleRuntimeTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    static final String BSN = "test.algorithms";
    static final String SYSTEM_PACKAGES = "org.iasplatform.api;version=1.0.0,org.iasplatform.api.algorithm;version=1.0.0,"
            + "org.iasplatform.api.deploy;version=1.0.0,org.iasplatform.api.sensor;version=1.1.0,"
            + "org.iasplatform.api.validation;version=1.0.0";
    static final String IMPORTS = "org.osgi.framework,org.iasplatform.api;version=\"[1.0,2)\","
            + "org.iasplatform.api.algorithm;version=\"[1.0,2)\",org.iasplatform.api.sensor;version=\"[1.1,2)\","
            + "org.iasplatform.api.validation;version=\"[1.0,2)\"";
    private static final String DATA = "sensor_data_si-light";
    private static final String CONTROL = "sensor_control_si-light";

    private Framework framework;
    private BundleContext context;
    private final RecordingMessaging messaging = new RecordingMessaging();
    private BundleRuntime runtime;

    @Before
    public void startFramework() throws Exception {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, tmp.newFolder("felix").getAbsolutePath());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SYSTEM_PACKAGES);
        framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(config);
        framework.start();
        context = framework.getBundleContext();
        runtime = new BundleRuntime(context, messaging, settings(Duration.ofSeconds(10)));
    }

    private static Settings settings(Duration serviceWait) {
        return new Settings(serviceWait, Duration.ofSeconds(5), 8192);
    }

    @After
    public void stopFramework() throws Exception {
        if (runtime != null) {
            runtime.close(Duration.ofSeconds(1));
        }
        framework.stop();
        framework.waitForStop(10_000);
    }

    // ---- the tests ----

    @Test
    public void theAlgorithmRunsWithItsContextAndStopUninstallsItsBundle() throws Exception {
        Path dir = appDir("a", jar(BSN, "1.0.0", "echo", Map.of()));
        RecordingListener listener = new RecordingListener();
        RunningInstance instance = runtime.start(launch("i1", dir, "echo"), listener);
        await("ready", () -> listener.has("log:ready"));

        assertTrue(listener.lines.toString(), listener.has("log:hello from i1 app=App algo=echo sensors=1 loader=true"));
        assertTrue("control is checked against the type", listener.has("log:bad control: INVALID /function"));
        assertTrue(listener.has("log:sensor 5: NOT_FOUND"));
        Bundle bundle = only(BSN);
        assertEquals(Bundle.ACTIVE, bundle.getState());
        assertTrue(bundle.getLocation(), bundle.getLocation().startsWith(SharedBundles.LOCATION_PREFIX));
        assertTrue(instance.describe(), instance.describe().contains("echo") && instance.describe().contains(BSN));

        JsonNode notification = messaging.published(Topics.NOTIFICATIONS).get(0).json();
        assertEquals("user", notification.path("to").asText());
        assertEquals("started i1", notification.path("message").asText());
        assertEquals("i1", notification.path("instance_id").asText());
        assertEquals("App", notification.path("application_name").asText());
        assertEquals("echo", notification.path("algorithm_name").asText());
        JsonNode feed = messaging.published(Topics.appFeed("App")).get(0).json();
        assertEquals("up", feed.path("data").path("status").asText());
        assertEquals("i1", messaging.published(Topics.appFeed("App")).get(0).key());

        messaging.deliver(DATA, "si-light", "{\"sensor_instance_id\":\"si-light\",\"timestamp\":1,\"data\":{\"lux\":12}}");
        await("the control command", () -> listener.has("log:switched on"));
        assertTrue(listener.has("log:reading 12 of si-light"));
        RecordingMessaging.Published control = messaging.published(CONTROL).get(0);
        assertEquals("si-light", control.key());
        assertEquals("{\"function\":\"switchOnLight\",\"params\":{\"level\":1}}", control.value());
        assertEquals("the bad command was not sent", 1, messaging.published(CONTROL).size());

        instance.stop(Duration.ofSeconds(5));
        assertTrue("it ended cleanly within the grace", listener.has("log:bye"));
        assertFalse(instance.isAlive());
        assertEquals("no bundle of that name is left", List.of(), bundles(BSN));
        assertEquals("its subscriptions are closed", 0, messaging.openSubscriptions(DATA));
        assertFalse("its thread is gone", threadAlive("ias-algorithm-i1"));
        assertTrue("no exit is reported after stop", listener.exits.isEmpty());
        assertEquals(0, runtime.running());
        instance.stop(Duration.ofSeconds(1)); // idempotent
    }

    @Test
    public void returningEndsWithZeroAndThrowingWithOneAndTheStackTrace() throws Exception {
        Path jar = jar(BSN, "1.0.0", "returns,fails", Map.of());
        RecordingListener returns = new RecordingListener();
        RunningInstance first = runtime.start(launch("i2", appDir("a", jar), "returns"), returns);
        await("the end", () -> !returns.exits.isEmpty());
        assertEquals(List.of("0 returned"), returns.exits);
        assertTrue(returns.has("log:done at once"));
        assertEquals("the bundle is released when the instance ends by itself", List.of(), bundles(BSN));
        first.stop(Duration.ofSeconds(1)); // what the node agent does after an exit: harmless

        RecordingListener fails = new RecordingListener();
        runtime.start(launch("i3", appDir("b", jar), "fails"), fails);
        await("the end", () -> !fails.exits.isEmpty());
        assertEquals(List.of("1 java.lang.IllegalStateException: boom"), fails.exits);
        assertTrue(fails.has("stderr:java.lang.IllegalStateException: boom"));
        assertTrue(fails.lines.toString(), fails.lines.stream()
                .anyMatch(l -> l.startsWith("stderr:\tat " + TestAlgorithmsActivator.class.getName())));
        assertEquals(List.of(), bundles(BSN));
        assertFalse(threadAlive("ias-algorithm-i3"));
    }

    @Test
    public void twoInstancesShareOneBundleAndTheSecondStopUninstallsIt() throws Exception {
        Path jar = jar(BSN, "1.0.0", "echo", Map.of());
        RecordingListener la = new RecordingListener();
        RecordingListener lb = new RecordingListener();
        RunningInstance a = runtime.start(launch("ia", appDir("a", jar), "echo"), la);
        RunningInstance b = runtime.start(launch("ib", appDir("b", jar), "echo"), lb);
        await("both ready", () -> la.has("log:ready") && lb.has("log:ready"));
        Bundle shared = only(BSN);
        assertEquals(2, runtime.bundles().users(BSN + "@1.0.0"));

        a.stop(Duration.ofSeconds(5));
        assertEquals("still installed for the other instance", shared.getBundleId(), only(BSN).getBundleId());
        assertEquals(Bundle.ACTIVE, shared.getState());
        assertTrue(b.isAlive());
        messaging.deliver(DATA, "si-light", "{\"sensor_instance_id\":\"si-light\",\"timestamp\":2,\"data\":{\"lux\":77}}");
        await("the other still reads", () -> lb.has("log:reading 77 of si-light"));
        assertFalse(la.has("log:reading 77 of si-light"));

        b.stop(Duration.ofSeconds(5));
        assertEquals(List.of(), bundles(BSN));
        assertEquals(Bundle.UNINSTALLED, shared.getState());
        assertEquals(0, runtime.bundles().users(BSN + "@1.0.0"));
    }

    @Test
    public void theOnlyAlgorithmOfTheBundleRunsWhateverItsName() throws Exception {
        RecordingListener unnamed = new RecordingListener();
        runtime.start(launch("u1", appDir("a", jar(BSN, "1.0.0", "returns", Map.of("Test-Unnamed", "true"))),
                "lightControl"), unnamed);
        await("the end", () -> !unnamed.exits.isEmpty());
        assertEquals(List.of("0 returned"), unnamed.exits);

        RecordingListener other = new RecordingListener();
        runtime.start(launch("u2", appDir("b", jar(BSN, "2.0.0", "returns", Map.of())), "lightControl"), other);
        await("the end", () -> !other.exits.isEmpty());
        assertEquals(List.of("0 returned"), other.exits);
        assertEquals(List.of(), bundles(BSN));
    }

    @Test
    public void aMissingAlgorithmFailsTheStartAndLeavesNothing() throws Exception {
        runtime.close(Duration.ofSeconds(1));
        runtime = new BundleRuntime(context, messaging, settings(Duration.ofMillis(300)));
        Path dir = appDir("a", jar(BSN, "1.0.0", "echo,returns", Map.of()));
        try {
            runtime.start(launch("m1", dir, "fareCalculator"), new RecordingListener());
            fail("started without its algorithm");
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("no Algorithm service with ias.algorithm=fareCalculator"));
            assertTrue(e.getMessage(), e.getMessage().contains("echo") && e.getMessage().contains("returns"));
        }
        assertEquals(List.of(), bundles(BSN));
        assertEquals(0, runtime.running());
    }

    @Test
    public void whatIsNoStartableBundleIsRefusedAndLeavesNothing() throws Exception {
        int before = context.getBundles().length;
        Path plain = tmp.getRoot().toPath().resolve("plain.jar");
        try (OutputStream out = Files.newOutputStream(plain);
                JarOutputStream jar = new JarOutputStream(out, manifest(Map.of()))) {
            jar.putNextEntry(new JarEntry("x.txt"));
        }
        try {
            runtime.start(launch("n1", appDir("a", plain), "echo"), new RecordingListener());
            fail();
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("not an OSGi bundle"));
        }

        Map<String, String> unresolvable = new LinkedHashMap<>();
        unresolvable.put("Import-Package", IMPORTS + ",no.such.pkg");
        try {
            runtime.start(launch("n2", appDir("b", jar(BSN, "1.0.0", "echo", unresolvable)), "echo"),
                    new RecordingListener());
            fail();
        } catch (BundleException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("cannot start") && e.getMessage().contains("no.such.pkg"));
        }

        try {
            runtime.start(launch("n3", tmp.newFolder("empty").toPath(), "echo"), new RecordingListener());
            fail();
        } catch (FileNotFoundException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("algorithms.jar"));
        }
        assertEquals(before, context.getBundles().length);
    }

    @Test
    public void anAlgorithmIgnoringTheStopIsForcedAfterTheGrace() throws Exception {
        RecordingListener listener = new RecordingListener();
        RunningInstance instance = runtime.start(launch("s1", appDir("a", jar(BSN, "1.0.0", "stubborn", Map.of())),
                "stubborn"), listener);
        await("spinning", () -> listener.has("log:spinning"));
        instance.stop(Duration.ofMillis(300));
        assertTrue(listener.hasPrefix("log:[platform] the algorithm did not end within 300 ms"));
        assertFalse(threadAlive("ias-algorithm-s1"));
        assertEquals(List.of(), bundles(BSN));
    }

    @Test
    public void anInstanceWhoseServiceGoesAwayEndsWithOne() throws Exception {
        RecordingListener listener = new RecordingListener();
        runtime.start(launch("g1", appDir("a", jar(BSN, "1.0.0", "echo", Map.of())), "echo"), listener);
        await("ready", () -> listener.has("log:ready"));
        only(BSN).stop();
        await("the end", () -> !listener.exits.isEmpty());
        assertTrue(listener.exits.get(0), listener.exits.get(0).startsWith("1 the algorithm service went away"));
        assertEquals(List.of(), bundles(BSN));
        assertFalse(threadAlive("ias-algorithm-g1"));
    }

    @Test
    public void closingStopsEverythingAndLeftoversOfAnEarlierRunAreUninstalled() throws Exception {
        RecordingListener listener = new RecordingListener();
        RunningInstance instance = runtime.start(launch("c1", appDir("a", jar(BSN, "1.0.0", "echo", Map.of())), "echo"),
                listener);
        await("ready", () -> listener.has("log:ready"));
        runtime.close(Duration.ofSeconds(2));
        assertFalse(instance.isAlive());
        assertEquals(List.of(), bundles(BSN));
        try {
            runtime.start(launch("c2", appDir("b", jar(BSN, "1.0.0", "echo", Map.of())), "echo"), listener);
            fail("a closed runtime starts nothing");
        } catch (IllegalStateException expected) {
            // stopping
        }

        Path left = jar("left.over", "1.0.0", "echo", Map.of());
        context.installBundle(SharedBundles.LOCATION_PREFIX + "left.over@1.0.0", Files.newInputStream(left)).start();
        assertEquals(1, bundles("left.over").size());
        runtime = new BundleRuntime(context, messaging, settings(Duration.ofSeconds(10)));
        assertEquals(List.of(), bundles("left.over"));
    }

    // ---- helpers ----

    private InstanceLaunch launch(String id, Path dir, String algorithm) {
        SensorType light = new SensorType("light-sensor", "acme", Map.of("lux", FieldType.INT), new ControlFunctions(1,
                List.of(new ControlFunction("switchOnLight", 1, List.of(Map.of("level", FieldType.INT))))));
        return new InstanceLaunch(id, "job-" + id, "App", algorithm, dir, "algorithms.jar", "java",
                Map.of(InstanceLaunch.ENV_INSTANCE_ID, id), List.of(new BoundSensor(0, "si-light", "light-sensor", DATA,
                        CONTROL)), Map.of("light-sensor", light));
    }

    private Path appDir(String name, Path jar) throws IOException {
        Path dir = tmp.getRoot().toPath().resolve("apps").resolve(name);
        Files.createDirectories(dir);
        Files.copy(jar, dir.resolve("algorithms.jar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    /** A bundle jar holding the test algorithms' classes, with the given manifest headers on top of the defaults. */
    private Path jar(String bsn, String version, String algorithms, Map<String, String> headers) throws Exception {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("Bundle-ManifestVersion", "2");
        all.put("Bundle-SymbolicName", bsn);
        all.put("Bundle-Version", version);
        all.put("Bundle-Activator", TestAlgorithmsActivator.class.getName());
        all.put("Import-Package", IMPORTS);
        all.put("Test-Algorithms", algorithms);
        all.putAll(headers);
        Path file = tmp.getRoot().toPath().resolve(bsn + "-" + version + "-" + System.nanoTime() + ".jar");
        String pkg = TestAlgorithmsActivator.class.getPackageName().replace('.', '/');
        Path classes = Path.of(TestAlgorithmsActivator.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve(pkg);
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest(all));
                var list = Files.list(classes)) {
            for (Path c : list.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                jar.putNextEntry(new JarEntry(pkg + "/" + c.getFileName()));
                jar.write(Files.readAllBytes(c));
                jar.closeEntry();
            }
        }
        return file;
    }

    private static Manifest manifest(Map<String, String> headers) {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        headers.forEach(manifest.getMainAttributes()::putValue);
        return manifest;
    }

    private List<Bundle> bundles(String bsn) {
        return Arrays.stream(context.getBundles()).filter(b -> bsn.equals(b.getSymbolicName())).toList();
    }

    private Bundle only(String bsn) {
        List<Bundle> found = bundles(bsn);
        assertEquals(found.toString(), 1, found.size());
        return found.get(0);
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
