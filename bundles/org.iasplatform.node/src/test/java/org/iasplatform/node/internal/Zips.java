package org.iasplatform.node.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Builds real zip archives for the tests, including Unix modes (links, execute bits) the JDK cannot write. */
final class Zips {
    private Zips() {
    }

    /** A zip of the given entries (name → text; a name ending in / is a folder), in order. */
    static byte[] zip(Map<String, String> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                if (!e.getKey().endsWith("/")) {
                    zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                }
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /**
     * Marks entries of a zip as made on Unix with the given modes (e.g. 0120777 a symbolic link, 0100755 an executable
     * file), patching the central directory the way Info-ZIP writes it.
     */
    static byte[] withUnixModes(byte[] zip, Map<String, Integer> modes) {
        ByteBuffer b = ByteBuffer.wrap(zip.clone()).order(ByteOrder.LITTLE_ENDIAN);
        for (int pos = 0; pos + 46 <= zip.length; pos++) {
            if (b.getInt(pos) != 0x02014b50) {
                continue;
            }
            int nameLength = Short.toUnsignedInt(b.getShort(pos + 28));
            String name = new String(zip, pos + 46, nameLength, StandardCharsets.UTF_8);
            Integer mode = modes.get(name);
            if (mode != null) {
                b.putShort(pos + 4, (short) ((3 << 8) | 20));
                b.putInt(pos + 38, mode << 16);
            }
        }
        return b.array();
    }
}
