package org.iasplatform.apps.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;

/**
 * An uploaded archive copied to a private temporary file, never more than the size limit: reading stops as soon as the
 * upload is one byte over it. Knows the upload's size and SHA-256; {@link #close()} deletes the file.
 */
final class BoundedUpload implements AutoCloseable {
    private final Path file;
    private final long size;
    private final String sha256;

    private BoundedUpload(Path file, long size, String sha256) {
        this.file = file;
        this.size = size;
        this.sha256 = sha256;
    }

    /**
     * Copies {@code in} (up to {@code maxBytes}) to a new temporary file.
     *
     * @throws IasException TOO_LARGE when the upload has more than {@code maxBytes}; INVALID when it cannot be read
     */
    static BoundedUpload copy(InputStream in, long maxBytes) throws IasException {
        if (in == null) {
            throw new IasException(ErrorKind.INVALID, "", "no app.zip was given; expected the archive as the upload's content");
        }
        Path file;
        try {
            file = Files.createTempFile("ias-app-", ".zip");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary file for an upload", e);
        }
        MessageDigest digest = newDigest();
        long total = 0;
        boolean kept = false;
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                if (total > maxBytes) {
                    throw new IasException(ErrorKind.TOO_LARGE, "", "app.zip is larger than " + Texts.bytes(maxBytes)
                            + "; expected an archive of at most " + maxBytes + " bytes (the repository's max_upload_bytes)");
                }
                digest.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
            kept = true;
        } catch (IOException e) {
            throw new IasException(ErrorKind.INVALID, "", "the upload could not be read to its end (" + e.getMessage()
                    + "); expected a complete app.zip");
        } finally {
            if (!kept) {
                deleteQuietly(file);
            }
        }
        return new BoundedUpload(file, total, HexFormat.of().formatHex(digest.digest()));
    }

    Path file() {
        return file;
    }

    long size() {
        return size;
    }

    String sha256() {
        return sha256;
    }

    InputStream open() throws IOException {
        return Files.newInputStream(file);
    }

    @Override
    public void close() {
        deleteQuietly(file);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            file.toFile().deleteOnExit();
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JVM", e);
        }
    }
}
