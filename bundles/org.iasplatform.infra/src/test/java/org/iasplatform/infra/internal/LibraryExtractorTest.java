package org.iasplatform.infra.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class LibraryExtractorTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void theBuildPutsTheServerAndItsDependenciesIntoInfraLib() throws IOException {
        Map<String, URL> jars = TestSupport.builtJars();
        assertTrue(jars.keySet().toString(), jars.keySet().stream().anyMatch(n -> n.startsWith("ias-infra-server-")));
        assertTrue(jars.keySet().stream().anyMatch(n -> n.startsWith("kafka_2.13-")));
        assertTrue(jars.keySet().stream().anyMatch(n -> n.startsWith("mongo-java-server-h2-backend-")));
        assertTrue(jars.keySet().stream().anyMatch(n -> n.startsWith("slf4j-api-")));
        assertTrue(jars.keySet().stream().anyMatch(n -> n.startsWith("jackson-databind-")));
        assertFalse("no OSGi API jar", jars.keySet().stream().anyMatch(n -> n.startsWith("org.iasplatform.api")));
        assertFalse("no test jar", jars.keySet().stream().anyMatch(n -> n.startsWith("junit")));
    }

    @Test
    public void extractsOnceWithTheServerJarFirstAndRedoesAChangedSet() throws IOException {
        Path dir = tmp.getRoot().toPath().resolve("lib-1.0.0-1");
        Map<String, URL> jars = new TreeMap<>();
        jars.put("a.jar", jar("a"));
        jars.put("ias-infra-server-1.jar", jar("s"));
        List<Path> classpath = LibraryExtractor.extract(jars, dir);
        assertEquals(List.of(dir.resolve("ias-infra-server-1.jar"), dir.resolve("a.jar")), classpath);
        assertEquals("a", Files.readString(dir.resolve("a.jar")));

        FileTime before = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(dir.resolve("a.jar"), before);
        LibraryExtractor.extract(jars, dir);
        assertEquals("not copied again", before, Files.getLastModifiedTime(dir.resolve("a.jar")));

        jars.put("b.jar", jar("b"));
        LibraryExtractor.extract(jars, dir);
        assertEquals("b", Files.readString(dir.resolve("b.jar")));

        Files.createDirectories(tmp.getRoot().toPath().resolve("lib-0.9.0-1"));
        LibraryExtractor.removeOthers(dir);
        assertFalse(Files.exists(tmp.getRoot().toPath().resolve("lib-0.9.0-1")));
        assertTrue(Files.exists(dir.resolve("b.jar")));
    }

    @Test
    public void aBundleWithoutJarsIsAClearError() {
        IOException e = assertThrows(IOException.class,
                () -> LibraryExtractor.extract(Map.of(), tmp.getRoot().toPath().resolve("lib")));
        assertTrue(e.getMessage(), e.getMessage().contains("carries no infra-lib/*.jar"));
    }

    private URL jar(String content) throws IOException {
        Path f = tmp.newFile().toPath();
        Files.writeString(f, content);
        return f.toUri().toURL();
    }
}
