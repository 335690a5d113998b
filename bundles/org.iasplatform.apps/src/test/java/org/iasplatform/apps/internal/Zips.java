package org.iasplatform.apps.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds zip archives for tests with {@code java.util.zip}: files, folders, large runs of zeros written in chunks (so a
 * bomb costs no memory to make), and symbolic links (the unix mode is patched into the central directory, which
 * {@link ZipOutputStream} cannot write).
 */
final class Zips {
    private static final int CEN_SIGNATURE = 0x02014b50;
    private static final int LOC_SIGNATURE = 0x04034b50;
    private static final int SYMLINK_MODE = 0120777;

    private interface Part {
        void writeTo(ZipOutputStream zip) throws IOException;
    }

    private final List<Part> parts = new ArrayList<>();
    private final List<String> symlinks = new ArrayList<>();

    static Zips zip() {
        return new Zips();
    }

    Zips file(String name, String text) {
        return file(name, text.getBytes(StandardCharsets.UTF_8));
    }

    Zips file(String name, byte[] content) {
        parts.add(zip -> {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(content);
            zip.closeEntry();
        });
        return this;
    }

    Zips dir(String name) {
        parts.add(zip -> {
            zip.putNextEntry(new ZipEntry(name.endsWith("/") ? name : name + "/"));
            zip.closeEntry();
        });
        return this;
    }

    /** A deflated entry of {@code size} zero bytes, written 64 KiB at a time. */
    Zips zeros(String name, long size) {
        parts.add(zip -> {
            zip.putNextEntry(new ZipEntry(name));
            byte[] chunk = new byte[64 * 1024];
            for (long left = size; left > 0; left -= chunk.length) {
                zip.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
            zip.closeEntry();
        });
        return this;
    }

    /** An entry that unix unzip would restore as a symbolic link to {@code target}. */
    Zips symlink(String name, String target) {
        file(name, target);
        symlinks.add(name);
        return this;
    }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeTo(out);
        byte[] zip = out.toByteArray();
        for (String link : symlinks) {
            markSymlink(zip, link);
        }
        return zip;
    }

    void writeTo(OutputStream out) {
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Part part : parts) {
                part.writeTo(zip);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Renames an entry in place (same name length): in its local header and central directory record, or only in the
     * central directory record (a disguised entry: streaming and central-directory readers see different names).
     */
    static byte[] rename(byte[] zip, String from, String to, boolean localHeaderToo) {
        byte[] old = from.getBytes(StandardCharsets.UTF_8);
        byte[] now = to.getBytes(StandardCharsets.UTF_8);
        if (old.length != now.length) {
            throw new IllegalArgumentException("names must have the same length");
        }
        byte[] result = zip.clone();
        ByteBuffer b = ByteBuffer.wrap(result).order(ByteOrder.LITTLE_ENDIAN);
        int renamed = 0;
        for (int i = 0; i + 30 <= result.length; i++) {
            int signature = b.getInt(i);
            int nameAt;
            int nameLength;
            if (signature == CEN_SIGNATURE && i + 46 <= result.length) {
                nameAt = i + 46;
                nameLength = b.getShort(i + 28) & 0xFFFF;
            } else if (signature == LOC_SIGNATURE && localHeaderToo) {
                nameAt = i + 30;
                nameLength = b.getShort(i + 26) & 0xFFFF;
            } else {
                continue;
            }
            if (nameLength == old.length && nameAt + nameLength <= result.length
                    && Arrays.equals(result, nameAt, nameAt + nameLength, old, 0, nameLength)) {
                System.arraycopy(now, 0, result, nameAt, nameLength);
                renamed++;
            }
        }
        if (renamed == 0) {
            throw new IllegalArgumentException("no entry " + from);
        }
        return result;
    }

    /** Sets "made by UNIX" and the symlink file mode in the central directory record of {@code name}. */
    private static void markSymlink(byte[] zip, String name) {
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 46 <= zip.length; i++) {
            if (b.getInt(i) == CEN_SIGNATURE) {
                int nameLength = b.getShort(i + 28) & 0xFFFF;
                if (nameLength == wanted.length && Arrays.equals(zip, i + 46, i + 46 + nameLength, wanted, 0, nameLength)) {
                    b.putShort(i + 4, (short) ((3 << 8) | 20));
                    b.putInt(i + 38, SYMLINK_MODE << 16);
                    return;
                }
            }
        }
        throw new IllegalArgumentException("no central directory record for " + name);
    }
}
