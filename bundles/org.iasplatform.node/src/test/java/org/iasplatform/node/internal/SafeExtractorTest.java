package org.iasplatform.node.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Safe extraction of real zip archives: content, bounds, traversal, links. */
public class SafeExtractorTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private static final SafeExtractor.Limits LIMITS = new SafeExtractor.Limits(1 << 20, 100, 1 << 20);
    private Path work;
    private Path target;

    @Before
    public void folders() throws IOException {
        work = tmp.newFolder("work").toPath();
        target = work.resolve("out");
    }

    private Path file(byte[] zip) throws IOException {
        Path file = work.resolve("p" + System.nanoTime() + ".zip");
        Files.write(file, zip);
        return file;
    }

    @Test
    public void extractsFilesAndFoldersWithContent() throws Exception {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("app/", "");
        entries.put("app/appConfig.json", "{\"application_name\":\"A\"}");
        entries.put("app/algo/run.py", "print('hi')\n");
        entries.put("app/./ui/index.html", "<html/>");
        SafeExtractor.Result result = SafeExtractor.extract(file(Zips.zip(entries)), target, LIMITS);
        assertEquals(3, result.files());
        assertEquals("{\"application_name\":\"A\"}", Files.readString(target.resolve("app/appConfig.json")));
        assertEquals("print('hi')\n", Files.readString(target.resolve("app/algo/run.py")));
        assertTrue(Files.isRegularFile(target.resolve("app/ui/index.html")));
        assertTrue(result.skipped().isEmpty());
    }

    @Test
    public void refusesTraversalAndLeavesNothing() throws Exception {
        for (String evil : List.of("../escaped.txt", "a/../../escaped.txt", "..\\escaped.txt", "/tmp/escaped.txt",
                "C:/escaped.txt", "a\\..\\..\\escaped.txt")) {
            Map<String, String> entries = new LinkedHashMap<>();
            entries.put("appConfig.json", "{}");
            entries.put(evil, "gotcha");
            try {
                SafeExtractor.extract(file(Zips.zip(entries)), target, LIMITS);
                fail("extracted " + evil);
            } catch (SafeExtractor.RefusedException e) {
                assertTrue(e.getMessage(), e.getMessage().contains(evil));
            }
            assertFalse("nothing is left of a refused package (" + evil + ")", Files.exists(target));
            assertFalse(Files.exists(work.resolve("escaped.txt")));
            assertFalse(Files.exists(Path.of("/tmp/escaped.txt")));
        }
    }

    @Test
    public void skipsSymbolicLinksAndKeepsExecuteBits() throws Exception {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("appConfig.json", "{}");
        entries.put("run.sh", "echo hi\n");
        entries.put("passwd", "/etc/passwd");
        entries.put("data.txt", "x");
        byte[] zip = Zips.withUnixModes(Zips.zip(entries), Map.of("passwd", 0120777, "run.sh", 0100755, "data.txt", 0100644));
        SafeExtractor.Result result = SafeExtractor.extract(file(zip), target, LIMITS);
        assertFalse("a link entry creates nothing", Files.exists(target.resolve("passwd"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(List.of("passwd (a symbolic link)"), result.skipped());
        assertTrue(Files.isExecutable(target.resolve("run.sh")));
        assertFalse(Files.isExecutable(target.resolve("data.txt")));
        assertEquals(3, result.files());
    }

    @Test
    public void boundsEntriesAndInflatedSize() throws Exception {
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i < 101; i++) {
            many.put("f" + i, "x");
        }
        try {
            SafeExtractor.extract(file(Zips.zip(many)), target, LIMITS);
            fail("101 entries");
        } catch (SafeExtractor.RefusedException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("entries"));
        }
        assertFalse(Files.exists(target));

        // zeros compress about 1000:1: a small archive that inflates beyond the bound
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("appConfig.json"));
            zip.write("{}".getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("zeros"));
            zip.write(new byte[2 << 20]);
        }
        assertTrue(out.size() < LIMITS.maxPackageBytes());
        try {
            SafeExtractor.extract(file(out.toByteArray()), target, LIMITS);
            fail("a bomb");
        } catch (SafeExtractor.RefusedException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("inflates"));
        }
        assertFalse(Files.exists(target));
    }

    @Test
    public void refusesWhatIsNoZipAndBoundsTheDownload() throws Exception {
        try {
            SafeExtractor.extract(file("PK\u0003\u0004 no zip".getBytes(StandardCharsets.UTF_8)), target, LIMITS);
            fail("no zip");
        } catch (SafeExtractor.RefusedException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("not a valid zip"));
        }
        assertFalse(Files.exists(target));

        Path part = work.resolve("download.part");
        try {
            SafeExtractor.download(new ByteArrayInputStream(new byte[1001]), part, 1000);
            fail("beyond the bound");
        } catch (SafeExtractor.RefusedException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("1000"));
        }
        assertFalse("a refused download is deleted", Files.exists(part));
        assertEquals(1000, SafeExtractor.download(new ByteArrayInputStream(new byte[1000]), part, 1000));
    }

    @Test
    public void cleanNames() throws Exception {
        assertEquals("a/b.txt", SafeExtractor.safeRelativeName("./a//b.txt"));
        assertEquals("a/b", SafeExtractor.safeRelativeName("a\\b"));
        assertEquals("", SafeExtractor.safeRelativeName("./"));
    }
}
