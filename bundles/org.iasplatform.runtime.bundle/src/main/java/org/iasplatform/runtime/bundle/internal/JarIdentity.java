package org.iasplatform.runtime.bundle.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.osgi.framework.Constants;
import org.osgi.framework.Version;

/**
 * What identifies an algorithm jar as a bundle: its symbolic name and version (from the manifest), and a digest of its
 * content (to notice a different build under the same name and version).
 */
record JarIdentity(String symbolicName, Version version, String sha256) {

    /** {@code symbolic-name@version}: bundles with the same key cannot be installed twice. */
    String key() {
        return symbolicName + "@" + version;
    }

    static JarIdentity of(Path jar) throws IOException {
        Manifest manifest;
        try (JarFile file = new JarFile(jar.toFile())) {
            manifest = file.getManifest();
        } catch (IOException e) {
            throw new IOException(jar.getFileName() + " is not a jar: " + e.getMessage(), e);
        }
        Attributes main = manifest == null ? null : manifest.getMainAttributes();
        String bsn = main == null ? null : main.getValue(Constants.BUNDLE_SYMBOLICNAME);
        if (bsn == null || bsn.isBlank()) {
            throw new IOException(jar.getFileName() + " is not an OSGi bundle: its manifest has no "
                    + Constants.BUNDLE_SYMBOLICNAME);
        }
        int semicolon = bsn.indexOf(';');
        String name = (semicolon >= 0 ? bsn.substring(0, semicolon) : bsn).trim();
        Version version;
        try {
            version = Version.parseVersion(main.getValue(Constants.BUNDLE_VERSION));
        } catch (IllegalArgumentException e) {
            throw new IOException(jar.getFileName() + " has an invalid " + Constants.BUNDLE_VERSION + ": "
                    + e.getMessage(), e);
        }
        return new JarIdentity(name, version, sha256(jar));
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
