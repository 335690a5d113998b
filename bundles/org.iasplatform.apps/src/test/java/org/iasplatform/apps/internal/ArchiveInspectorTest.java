package org.iasplatform.apps.internal;

import static org.iasplatform.apps.internal.Support.busApp;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The archive checks on their own: entry names, zip64 archives, sizes for people. */
public class ArchiveInspectorTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void entryNamesThatStayInsideAreAccepted() {
        for (String name : List.of("appConfig.json", "top/", "top/ui/index.html", "a..b.txt", "lib/.hidden", "ü/名前.py")) {
            assertNull(name, ArchiveInspector.nameProblem(name));
        }
    }

    @Test
    public void entryNamesThatCouldLeaveAreRefused() {
        for (String name : List.of("", "..", "../x", "a/../../x", "a/..", "/x", "\\x", "a\\..\\x", "C:x", "c:/x", "a:b",
                "x\u0000y", "x\ny")) {
            assertNotNull(name, ArchiveInspector.nameProblem(name));
        }
    }

    /** More than 65535 entries: java.util.zip writes a zip64 end record, which the central directory reader follows. */
    @Test
    public void aZip64ArchiveIsRead() throws Exception {
        Zips zips = busApp();
        for (int i = 0; i < 66_000; i++) {
            zips.dir("d/" + i);
        }
        Path file = tmp.newFile("big.zip").toPath();
        try (OutputStream out = Files.newOutputStream(file)) {
            zips.writeTo(out);
        }
        ArchiveInspector inspector = new ArchiveInspector(new Limits(1L << 30, 100_000, 1L << 30, 0, 1 << 20));

        ArchiveInspector.Archive archive = inspector.inspect(file);

        assertEquals("", archive.root());
        assertEquals(3, archive.files().size());
        assertTrue(archive.directories().contains("d/65999/"));
        CentralDirectory.Listing listing = CentralDirectory.read(file, 100_000);
        assertEquals(66_003, listing.declared());
        assertEquals(66_003, listing.entries().size());
    }

    @Test
    public void sizesAreWrittenForPeople() {
        assertEquals("1 byte", Texts.bytes(1));
        assertEquals("1023 bytes", Texts.bytes(1023));
        assertEquals("1.5 KiB", Texts.bytes(1536));
        assertEquals("50 MiB", Texts.bytes(50L * 1024 * 1024));
        assertEquals("\"a\\\"b\\u0007\"", Texts.quote("a\"b\u0007"));
    }
}
