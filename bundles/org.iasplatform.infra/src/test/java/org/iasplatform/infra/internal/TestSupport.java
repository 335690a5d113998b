package org.iasplatform.infra.internal;

import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

final class TestSupport {
    /** Where the build copied ias-infra-server and its dependencies (the jars the bundle carries). */
    static final Path INFRA_LIB = Paths.get("target", "classes", LibraryExtractor.ENTRY_DIR);

    private TestSupport() {
    }

    static Map<String, URL> builtJars() throws IOException {
        assertTrue("the build puts the jars into " + INFRA_LIB, Files.isDirectory(INFRA_LIB));
        Map<String, URL> jars = new TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(INFRA_LIB, "*.jar")) {
            for (Path jar : dir) {
                jars.put(jar.getFileName().toString(), jar.toUri().toURL());
            }
        }
        return jars;
    }

    static LaunchSpec spec(Path dataDir, boolean kafka, boolean mongo, int mongoPort) {
        return new LaunchSpec(LaunchSpec.currentJava(), dataDir, List.of("-Xmx384m"), kafka, 0, 0, mongo, mongoPort,
                Duration.ofSeconds(120));
    }

    /** An InfraConfig with the declared defaults, except {@code values} (keyed by method name). */
    static InfraConfig config(Map<String, Object> values) {
        return (InfraConfig) Proxy.newProxyInstance(InfraConfig.class.getClassLoader(),
                new Class<?>[] {InfraConfig.class}, (proxy, method, args) -> {
                    if (values.containsKey(method.getName())) {
                        return values.get(method.getName());
                    }
                    if (method.getName().equals("annotationType")) {
                        return InfraConfig.class;
                    }
                    if (method.getDefaultValue() != null) {
                        return method.getDefaultValue();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    static void await(String what, long seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what);
            }
            Thread.sleep(50); // polling a condition with a deadline
        }
    }
}
