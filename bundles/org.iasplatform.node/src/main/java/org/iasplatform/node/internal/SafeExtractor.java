package org.iasplatform.node.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Downloads and extracts an app package (a zip) safely:
 * <ul>
 * <li>bounded: the package's size, its number of entries and the total of inflated bytes (counted while inflating, the
 * sizes the archive declares are not trusted);</li>
 * <li>no path traversal: an absolute name, a drive letter, a {@code ..} segment (with {@code /} or {@code \} as separator)
 * refuses the whole package;</li>
 * <li>no links: only directories and regular files are ever created ({@code CREATE_NEW}, links not followed); an entry
 * the archive marks as a symbolic link (or another special file) in its Unix mode is skipped and reported;</li>
 * <li>the owner-executable bit is set on files whose Unix mode has an execute bit.</li>
 * </ul>
 * Nothing here is specific to OSGi; the class is used by {@link InstanceManager} and tested with real archives.
 */
final class SafeExtractor {

    /**
     * Bounds of one package.
     *
     * @param maxPackageBytes  the largest package (compressed) accepted
     * @param maxEntries       the most entries (files and folders) accepted
     * @param maxInflatedBytes the most bytes all files may inflate to together
     */
    record Limits(long maxPackageBytes, int maxEntries, long maxInflatedBytes) {
        Limits {
            if (maxPackageBytes <= 0 || maxEntries <= 0 || maxInflatedBytes <= 0) {
                throw new IllegalArgumentException("package limits must be positive");
            }
        }
    }

    /** What an extraction produced. */
    record Result(int files, int directories, long bytes, List<String> skipped) {
    }

    /** The package is refused (unsafe, too large, not a zip); the message says why. */
    static final class RefusedException extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }

        RefusedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final int EOCD_SIGNATURE = 0x06054b50;
    private static final int CEN_SIGNATURE = 0x02014b50;
    private static final int EOCD_SIZE = 22;
    private static final int CEN_SIZE = 46;
    private static final int HOST_UNIX = 3;
    private static final int HOST_OSX = 19;
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;
    private static final int MAX_NAME_LENGTH = 4096;
    private static final int MAX_SEGMENT_LENGTH = 255;

    private SafeExtractor() {
    }

    /** Copies {@code in} to a new file {@code target}, refusing (and deleting it) beyond {@code maxBytes}. */
    static long download(InputStream in, Path target, long maxBytes) throws IOException {
        long total = 0;
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > maxBytes) {
                    throw new RefusedException("the package is larger than " + maxBytes + " bytes");
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(target);
            throw e;
        }
        return total;
    }

    /**
     * Extracts {@code zip} into {@code target}, which must not exist yet (it is created). On any refusal or failure the
     * partly extracted {@code target} is deleted again.
     */
    static Result extract(Path zip, Path target, Limits limits) throws IOException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(target + " exists already");
        }
        long size = Files.size(zip);
        if (size > limits.maxPackageBytes()) {
            throw new RefusedException("the package is larger than " + limits.maxPackageBytes() + " bytes");
        }
        Map<String, Integer> unixModes = unixModes(zip);
        Files.createDirectories(target);
        Path root = target.toAbsolutePath().normalize();
        try (ZipFile archive = open(zip)) {
            if (archive.size() > limits.maxEntries()) {
                throw new RefusedException("the package has " + archive.size() + " entries; at most "
                        + limits.maxEntries() + " are accepted");
            }
            int files = 0;
            int directories = 0;
            int entries = 0;
            long bytes = 0;
            List<String> skipped = new ArrayList<>();
            byte[] buffer = new byte[64 * 1024];
            Enumeration<? extends ZipEntry> all = archive.entries();
            while (all.hasMoreElements()) {
                ZipEntry entry = all.nextElement();
                if (++entries > limits.maxEntries()) {
                    throw new RefusedException("the package has more than " + limits.maxEntries() + " entries");
                }
                String name = entry.getName();
                String relative = safeRelativeName(name);
                if (relative.isEmpty()) {
                    continue; // "./" or "/" alone: the root itself
                }
                Integer mode = unixModes.get(name);
                int type = mode == null ? 0 : mode & S_IFMT;
                if (type != 0 && type != S_IFREG && type != S_IFDIR) {
                    skipped.add(name + (type == S_IFLNK ? " (a symbolic link)" : " (a special file)"));
                    continue;
                }
                Path path = root.resolve(relative).normalize();
                if (!path.startsWith(root) || path.equals(root)) {
                    throw new RefusedException("entry \"" + name + "\" would be extracted outside the package folder");
                }
                if (entry.isDirectory() || type == S_IFDIR) {
                    createDirectories(root, path, name);
                    directories++;
                    continue;
                }
                createDirectories(root, path.getParent(), name);
                try (InputStream in = archive.getInputStream(entry);
                        OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW,
                                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        bytes += n;
                        if (bytes > limits.maxInflatedBytes()) {
                            throw new RefusedException("the package inflates to more than " + limits.maxInflatedBytes()
                                    + " bytes");
                        }
                        out.write(buffer, 0, n);
                    }
                } catch (FileAlreadyExistsException e) {
                    throw new RefusedException("entry \"" + name + "\" occurs twice in the package");
                } catch (ZipException e) {
                    throw new RefusedException("entry \"" + name + "\" is damaged: " + e.getMessage(), e);
                }
                if (mode != null && (mode & 0111) != 0) {
                    path.toFile().setExecutable(true, true);
                }
                files++;
            }
            return new Result(files, directories, bytes, List.copyOf(skipped));
        } catch (IOException | RuntimeException e) {
            deleteTree(target);
            throw e;
        }
    }

    private static ZipFile open(Path zip) throws IOException {
        try {
            return new ZipFile(zip.toFile(), StandardCharsets.UTF_8);
        } catch (ZipException e) {
            throw new RefusedException("the package is not a valid zip archive: " + e.getMessage(), e);
        }
    }

    private static void createDirectories(Path root, Path dir, String entryName) throws IOException {
        // every folder between root and dir must be a real folder (never a file, never a link)
        Path current = root;
        for (Path part : root.relativize(dir)) {
            current = current.resolve(part);
            if (Files.isSymbolicLink(current)) {
                throw new RefusedException("entry \"" + entryName + "\" goes through a link");
            }
            if (Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                    throw new RefusedException("entry \"" + entryName + "\" needs " + root.relativize(current)
                            + " as a folder but it is a file");
                }
            } else {
                Files.createDirectory(current);
            }
        }
    }

    /**
     * The entry name as a clean relative path ({@code /}-separated, without {@code .} or empty segments), or a refusal
     * when it is absolute or climbs out with {@code ..}. {@code \} counts as a separator too.
     */
    static String safeRelativeName(String name) throws RefusedException {
        if (name.length() > MAX_NAME_LENGTH) {
            throw new RefusedException("an entry name is longer than " + MAX_NAME_LENGTH + " characters");
        }
        if (name.indexOf('\0') >= 0) {
            throw new RefusedException("entry \"" + name.replace('\0', '?') + "\" has a NUL character in its name");
        }
        String unified = name.replace('\\', '/');
        if (unified.startsWith("/") || (unified.length() >= 2 && unified.charAt(1) == ':')) {
            throw new RefusedException("entry \"" + name + "\" has an absolute path");
        }
        StringBuilder clean = new StringBuilder();
        for (String segment : unified.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                throw new RefusedException("entry \"" + name + "\" climbs out of the package with \"..\"");
            }
            if (segment.length() > MAX_SEGMENT_LENGTH) {
                throw new RefusedException("entry \"" + name + "\" has a name part longer than " + MAX_SEGMENT_LENGTH);
            }
            if (clean.length() > 0) {
                clean.append('/');
            }
            clean.append(segment);
        }
        return clean.toString();
    }

    /**
     * The Unix mode of every entry whose central directory record says it was made on Unix (or macOS), by entry name. The
     * JDK's zip API does not expose the external attributes, so the central directory is read here; an archive whose
     * directory cannot be read this way (e.g. ZIP64) gives no modes, which only means no entry is skipped as a link and no
     * execute bit is set — nothing but regular files and folders is created either way.
     */
    static Map<String, Integer> unixModes(Path zip) throws IOException {
        Map<String, Integer> modes = new HashMap<>();
        try (FileChannel channel = FileChannel.open(zip, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < EOCD_SIZE) {
                return modes;
            }
            int tailLength = (int) Math.min(size, EOCD_SIZE + 0xFFFF);
            ByteBuffer tail = read(channel, size - tailLength, tailLength);
            int eocd = -1;
            for (int i = tailLength - EOCD_SIZE; i >= 0; i--) {
                if (tail.getInt(i) == EOCD_SIGNATURE) {
                    eocd = i;
                    break;
                }
            }
            if (eocd < 0) {
                return modes;
            }
            int count = Short.toUnsignedInt(tail.getShort(eocd + 10));
            long cenSize = Integer.toUnsignedLong(tail.getInt(eocd + 12));
            long cenOffset = Integer.toUnsignedLong(tail.getInt(eocd + 16));
            if (count == 0xFFFF || cenOffset == 0xFFFFFFFFL || cenSize > size || cenOffset + cenSize > size) {
                return modes; // ZIP64 or inconsistent: ZipFile decides whether it is an archive at all
            }
            ByteBuffer cen = read(channel, cenOffset, (int) cenSize);
            int pos = 0;
            for (int i = 0; i < count && pos + CEN_SIZE <= cen.limit(); i++) {
                if (cen.getInt(pos) != CEN_SIGNATURE) {
                    break;
                }
                int madeBy = Short.toUnsignedInt(cen.getShort(pos + 4));
                int nameLength = Short.toUnsignedInt(cen.getShort(pos + 28));
                int extraLength = Short.toUnsignedInt(cen.getShort(pos + 30));
                int commentLength = Short.toUnsignedInt(cen.getShort(pos + 32));
                long external = Integer.toUnsignedLong(cen.getInt(pos + 38));
                if (pos + CEN_SIZE + nameLength > cen.limit()) {
                    break;
                }
                byte[] nameBytes = new byte[nameLength];
                cen.get(pos + CEN_SIZE, nameBytes);
                int host = madeBy >> 8;
                int mode = (int) (external >>> 16);
                if ((host == HOST_UNIX || host == HOST_OSX) && mode != 0) {
                    modes.put(new String(nameBytes, StandardCharsets.UTF_8), mode);
                }
                pos += CEN_SIZE + nameLength + extraLength + commentLength;
            }
        }
        return modes;
    }

    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                break;
            }
        }
        buffer.flip();
        return buffer;
    }

    /** Deletes a file or a folder with everything in it; links are deleted, never followed. */
    static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            List<Path> children;
            try (var stream = Files.list(path)) {
                children = stream.toList();
            }
            for (Path child : children) {
                deleteTree(child);
            }
        }
        Files.deleteIfExists(path);
    }
}
