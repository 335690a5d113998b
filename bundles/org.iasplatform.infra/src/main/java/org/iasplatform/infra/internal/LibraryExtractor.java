package org.iasplatform.infra.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the jars the bundle carries under {@value #ENTRY_DIR}/ (ias-infra-server and its runtime dependencies) into a
 * directory of the file system, where a child JVM can use them as its class path. A directory is filled once: a marker
 * file listing the jars is written last, and a directory with a matching marker is used as it is.
 */
final class LibraryExtractor {
    private static final Logger LOG = LoggerFactory.getLogger(LibraryExtractor.class);
    static final String ENTRY_DIR = "infra-lib";
    static final String MARKER = ".complete";
    private static final String SERVER_JAR_PREFIX = "ias-infra-server";

    private LibraryExtractor() {
    }

    /** The bundle's {@value #ENTRY_DIR}/*.jar entries by file name. */
    static Map<String, URL> bundleJars(Bundle bundle) {
        Map<String, URL> jars = new TreeMap<>();
        Enumeration<URL> entries = bundle.findEntries(ENTRY_DIR, "*.jar", false);
        while (entries != null && entries.hasMoreElements()) {
            URL url = entries.nextElement();
            String path = url.getPath();
            jars.put(path.substring(path.lastIndexOf('/') + 1), url);
        }
        return jars;
    }

    /** {@code lib-<version>-<lastModified>} under {@code dataDir}: a new directory for every bundle update. */
    static Path libDir(Path dataDir, Bundle bundle) {
        return dataDir.resolve("lib-" + bundle.getVersion() + "-" + bundle.getLastModified());
    }

    /**
     * Copies {@code jars} into {@code target} unless it already holds them, and returns the class path: the
     * ias-infra-server jar first, then the others by name.
     */
    static List<Path> extract(Map<String, URL> jars, Path target) throws IOException {
        if (jars.isEmpty()) {
            throw new IOException("the bundle carries no " + ENTRY_DIR + "/*.jar: it was built without ias-infra-server");
        }
        if (jars.keySet().stream().noneMatch(n -> n.startsWith(SERVER_JAR_PREFIX))) {
            throw new IOException("no " + SERVER_JAR_PREFIX + " jar among the bundle's " + ENTRY_DIR + " jars");
        }
        String expected = String.join("\n", new TreeMap<>(jars).keySet()) + "\n";
        Path marker = target.resolve(MARKER);
        if (!Files.exists(marker) || !Files.readString(marker, StandardCharsets.UTF_8).equals(expected)) {
            Path parent = target.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempDirectory(parent, target.getFileName() + ".tmp");
            try {
                for (Map.Entry<String, URL> jar : jars.entrySet()) {
                    try (InputStream in = jar.getValue().openStream()) {
                        Files.copy(in, tmp.resolve(jar.getKey()));
                    }
                }
                Files.writeString(tmp.resolve(MARKER), expected, StandardCharsets.UTF_8);
                deleteTree(target);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                deleteTree(tmp);
            }
            LOG.info("Extracted {} jars of the embedded infrastructure server to {}", jars.size(), target);
        }
        List<Path> classpath = new ArrayList<>();
        jars.keySet().stream()
                .sorted(Comparator.comparing((String n) -> !n.startsWith(SERVER_JAR_PREFIX))
                        .thenComparing(Comparator.naturalOrder()))
                .forEach(n -> classpath.add(target.resolve(n)));
        return classpath;
    }

    /** Deletes the other {@code lib-*} directories beside {@code keep} (left by earlier bundle versions). */
    static void removeOthers(Path keep) {
        Path parent = keep.toAbsolutePath().getParent();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, "lib-*")) {
            for (Path dir : dirs) {
                if (!dir.getFileName().equals(keep.getFileName()) && Files.isDirectory(dir)) {
                    deleteTree(dir);
                    LOG.info("Removed the jars of an earlier version: {}", dir);
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot clean up earlier jars beside {}: {}", keep, e.toString());
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
