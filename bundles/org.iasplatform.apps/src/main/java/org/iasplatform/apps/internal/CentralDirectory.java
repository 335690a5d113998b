package org.iasplatform.apps.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipException;

/**
 * A minimal reader of a zip file's central directory, for what {@link java.util.zip.ZipFile} does not tell: the "version
 * made by" host and the external attributes of each entry (where unix tools keep the file mode, hence symbolic links),
 * the general purpose flags, and whether each entry's local header names the same file as its central directory record.
 * Supports zip64. Refuses what a plain archive never has: split archives, data before the first entry, a central
 * directory that is not where the end record says.
 */
final class CentralDirectory {
    private static final int EOCD_SIGNATURE = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
    private static final int ZIP64_EOCD_SIGNATURE = 0x06064b50;
    private static final int CEN_SIGNATURE = 0x02014b50;
    private static final int LOC_SIGNATURE = 0x04034b50;
    private static final int EOCD_SIZE = 22;
    private static final int CEN_SIZE = 46;
    private static final int LOC_SIZE = 30;
    private static final int MAX_COMMENT = 0xFFFF;
    private static final int ZIP64_EXTRA = 0x0001;

    /** Host system "UNIX" in the upper byte of "version made by". */
    static final int HOST_UNIX = 3;

    /**
     * One central directory record.
     *
     * @param name               the entry name, decoded as UTF-8 (as {@link java.util.zip.ZipFile} does)
     * @param host               the upper byte of "version made by" (0 MS-DOS, 3 UNIX, …)
     * @param flags              the general purpose bit flags (bit 0: encrypted)
     * @param method             the compression method (0 stored, 8 deflated)
     * @param compressedSize     bytes of the stored data
     * @param size               bytes once inflated, as declared
     * @param externalAttributes the external file attributes (unix mode in the upper 16 bits)
     * @param localHeaderOffset  where the entry's local header starts
     */
    record Entry(String name, int host, int flags, int method, long compressedSize, long size, long externalAttributes,
            long localHeaderOffset) {

        /** The unix file mode, when the archiver recorded one (0 otherwise). */
        int unixMode() {
            return (int) ((externalAttributes >>> 16) & 0xFFFF);
        }

        boolean encrypted() {
            return (flags & 1) != 0;
        }
    }

    private CentralDirectory() {
    }

    /**
     * Reads every central directory record of {@code zip}, in order.
     *
     * @param maxEntries read at most this many records: when the end record declares more, only that count is returned
     *                   (the caller refuses the archive)
     * @return the records, and the count the end record declares
     * @throws ZipException when the file is not a plain, well-formed zip archive
     */
    static Listing read(Path zip, int maxEntries) throws IOException {
        try (FileChannel channel = FileChannel.open(zip, StandardOpenOption.READ)) {
            return new Reader(channel).read(maxEntries);
        }
    }

    /**
     * @param entries  the records read (at most the requested maximum)
     * @param declared how many entries the archive declares
     */
    record Listing(List<Entry> entries, long declared) {
    }

    private static final class Reader {
        private final FileChannel channel;
        private final long fileSize;

        Reader(FileChannel channel) throws IOException {
            this.channel = channel;
            this.fileSize = channel.size();
        }

        Listing read(int maxEntries) throws IOException {
            if (fileSize < EOCD_SIZE) {
                throw new ZipException("the file is too short to be a zip archive (" + fileSize + " bytes)");
            }
            long eocd = findEndRecord();
            ByteBuffer end = read(eocd, EOCD_SIZE);
            int thisDisk = u16(end, 4);
            int cenDisk = u16(end, 6);
            long entriesOnDisk = u16(end, 8);
            long total = u16(end, 10);
            long cenSize = u32(end, 12);
            long cenOffset = u32(end, 16);
            long cenEnd = eocd;
            if (total == 0xFFFF || entriesOnDisk == 0xFFFF || cenSize == 0xFFFFFFFFL || cenOffset == 0xFFFFFFFFL) {
                if (eocd < 20) {
                    throw new ZipException("the zip64 end record locator is missing");
                }
                ByteBuffer locator = read(eocd - 20, 20);
                if (locator.getInt(0) != ZIP64_LOCATOR_SIGNATURE) {
                    throw new ZipException("the zip64 end record locator is missing");
                }
                long zip64End = u64(locator, 8);
                if (zip64End < 0 || zip64End > eocd - 20 - 56) {
                    throw new ZipException("the zip64 end record is outside the archive");
                }
                ByteBuffer end64 = read(zip64End, 56);
                if (end64.getInt(0) != ZIP64_EOCD_SIGNATURE) {
                    throw new ZipException("the zip64 end record is missing");
                }
                thisDisk = (int) u32(end64, 16);
                cenDisk = (int) u32(end64, 20);
                entriesOnDisk = u64(end64, 24);
                total = u64(end64, 32);
                cenSize = u64(end64, 40);
                cenOffset = u64(end64, 48);
                cenEnd = zip64End;
            }
            if (thisDisk != 0 || cenDisk != 0 || entriesOnDisk != total) {
                throw new ZipException("the archive is split over several files (disks); expected a single-file zip");
            }
            if (cenSize < 0 || cenOffset < 0 || cenSize > cenEnd || cenOffset != cenEnd - cenSize) {
                throw new ZipException("the central directory is not where the end record says (data before the "
                        + "first entry, e.g. a self-extracting or concatenated archive); expected a plain zip");
            }
            if (total < 0 || total > cenSize / CEN_SIZE) {
                throw new ZipException("the end record declares " + total + " entries, more than the central directory holds");
            }
            int wanted = (int) Math.min(total, maxEntries);
            List<Entry> entries = new ArrayList<>(Math.min(wanted, 1024));
            long position = cenOffset;
            for (int i = 0; i < wanted; i++) {
                if (position + CEN_SIZE > cenEnd) {
                    throw new ZipException("the central directory ends inside record " + i);
                }
                ByteBuffer header = read(position, CEN_SIZE);
                if (header.getInt(0) != CEN_SIGNATURE) {
                    throw new ZipException("central directory record " + i + " is damaged (bad signature)");
                }
                int host = u16(header, 4) >>> 8;
                int flags = u16(header, 8);
                int method = u16(header, 10);
                long compressed = u32(header, 20);
                long size = u32(header, 24);
                int nameLength = u16(header, 28);
                int extraLength = u16(header, 30);
                int commentLength = u16(header, 32);
                int diskStart = u16(header, 34);
                long external = u32(header, 38);
                long localOffset = u32(header, 42);
                long variable = (long) nameLength + extraLength + commentLength;
                if (position + CEN_SIZE + variable > cenEnd) {
                    throw new ZipException("central directory record " + i + " runs past the central directory");
                }
                byte[] nameBytes = bytes(read(position + CEN_SIZE, nameLength));
                ByteBuffer extra = read(position + CEN_SIZE + nameLength, extraLength);
                String name = utf8(nameBytes, i);
                long[] zip64 = zip64(extra, size == 0xFFFFFFFFL, compressed == 0xFFFFFFFFL, localOffset == 0xFFFFFFFFL,
                        diskStart == 0xFFFF, name);
                size = zip64[0] >= 0 ? zip64[0] : size;
                compressed = zip64[1] >= 0 ? zip64[1] : compressed;
                localOffset = zip64[2] >= 0 ? zip64[2] : localOffset;
                if (localOffset + LOC_SIZE > cenOffset) {
                    throw new ZipException("the local header of entry " + Texts.quote(name) + " is outside the archive's data");
                }
                checkLocalName(localOffset, nameBytes, name);
                entries.add(new Entry(name, host, flags, method, compressed, size, external, localOffset));
                position += CEN_SIZE + variable;
            }
            return new Listing(List.copyOf(entries), total);
        }

        /** The local header of an entry must name the same file: else streaming and central-directory readers disagree. */
        private void checkLocalName(long offset, byte[] nameBytes, String name) throws IOException {
            ByteBuffer local = read(offset, LOC_SIZE);
            if (local.getInt(0) != LOC_SIGNATURE) {
                throw new ZipException("the local header of entry " + Texts.quote(name) + " is damaged (bad signature)");
            }
            int localNameLength = u16(local, 26);
            byte[] localName = localNameLength == nameBytes.length ? bytes(read(offset + LOC_SIZE, localNameLength)) : null;
            if (localName == null || !Arrays.equals(localName, nameBytes)) {
                throw new ZipException("entry " + Texts.quote(name) + " is named differently in its local header and in the "
                        + "central directory (a disguised entry)");
            }
        }

        /** Searches the end of central directory record backwards from the end (it may be followed by a comment). */
        private long findEndRecord() throws IOException {
            long start = Math.max(0, fileSize - EOCD_SIZE - MAX_COMMENT);
            ByteBuffer tail = read(start, (int) (fileSize - start));
            for (int i = tail.limit() - EOCD_SIZE; i >= 0; i--) {
                if (tail.getInt(i) == EOCD_SIGNATURE && i + EOCD_SIZE + u16(tail, i + 20) <= tail.limit()) {
                    return start + i;
                }
            }
            throw new ZipException("no end of central directory record (not a zip archive, or a truncated one)");
        }

        /** Values of the zip64 extra field for the fields that overflowed; -1 for the others. */
        private static long[] zip64(ByteBuffer extra, boolean size, boolean compressed, boolean offset, boolean disk,
                String name) throws ZipException {
            long[] values = {-1, -1, -1};
            if (!size && !compressed && !offset && !disk) {
                return values;
            }
            int position = 0;
            while (position + 4 <= extra.limit()) {
                int id = u16(extra, position);
                int length = u16(extra, position + 2);
                if (position + 4 + length > extra.limit()) {
                    break;
                }
                if (id == ZIP64_EXTRA) {
                    int at = position + 4;
                    int end = at + length;
                    boolean[] present = {size, compressed, offset};
                    for (int k = 0; k < 3; k++) {
                        if (present[k]) {
                            if (at + 8 > end) {
                                throw new ZipException("the zip64 field of entry " + Texts.quote(name) + " is too short");
                            }
                            values[k] = u64(extra, at);
                            at += 8;
                        }
                    }
                    if (disk && at + 4 <= end && u32(extra, at) != 0) {
                        throw new ZipException("entry " + Texts.quote(name) + " lies on another disk of a split archive");
                    }
                    for (long v : values) {
                        if (v < -1) {
                            throw new ZipException("the zip64 field of entry " + Texts.quote(name) + " is out of range");
                        }
                    }
                    return values;
                }
                position += 4 + length;
            }
            throw new ZipException("entry " + Texts.quote(name) + " lacks the zip64 field its record calls for");
        }

        private ByteBuffer read(long position, int length) throws IOException {
            if (position < 0 || position + length > fileSize) {
                throw new ZipException("the archive is truncated (a record reaches past its end)");
            }
            ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, position + buffer.position());
                if (n < 0) {
                    throw new EOFException("the archive ended early");
                }
            }
            return buffer.flip();
        }

        private static String utf8(byte[] bytes, int index) throws ZipException {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new ZipException("the name of entry " + index + " is not valid UTF-8");
            }
        }

        private static byte[] bytes(ByteBuffer buffer) {
            byte[] result = new byte[buffer.remaining()];
            buffer.get(result);
            return result;
        }

        private static int u16(ByteBuffer b, int at) {
            return b.getShort(at) & 0xFFFF;
        }

        private static long u32(ByteBuffer b, int at) {
            return b.getInt(at) & 0xFFFFFFFFL;
        }

        /** An unsigned 64-bit value; one that does not fit a long comes out negative (and is refused by the callers). */
        private static long u64(ByteBuffer b, int at) {
            return b.getLong(at);
        }
    }
}
