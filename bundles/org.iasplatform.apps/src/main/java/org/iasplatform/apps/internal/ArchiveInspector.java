package org.iasplatform.apps.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;

/**
 * Checks an uploaded archive before anything of it is used or stored, in this order:
 * <ol>
 * <li>it is a plain, readable zip archive (central directory and local headers agree);</li>
 * <li>it has at most the allowed number of entries (TOO_LARGE);</li>
 * <li>every entry is safe to extract (INVALID, all such problems at once): a relative name without {@code ..}, a leading
 * {@code /}, a backslash, a drive letter or control characters; a regular file or folder (no symbolic link or special
 * file, judged from the unix mode in the external attributes); not encrypted; stored or deflated; given once;</li>
 * <li>appConfig.json lies at the root or inside a single top folder;</li>
 * <li>every entry inflates to its declared size and CRC, and all of them together to no more than the allowed total,
 * measured while actually inflating (TOO_LARGE as soon as the bound is passed: a zip bomb is never inflated further).</li>
 * </ol>
 */
final class ArchiveInspector {
    static final String APP_CONFIG = "appConfig.json";
    static final String UI_FOLDER = "ui/";
    /** Folder macOS's archiver adds beside the real content; ignored when finding the single top folder. */
    private static final String MACOS_METADATA = "__MACOSX/";

    private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");
    private static final int TYPE_MASK = 0170000;
    private static final int TYPE_FILE = 0100000;
    private static final int TYPE_DIRECTORY = 0040000;
    private static final int TYPE_SYMLINK = 0120000;

    /**
     * What the checks found.
     *
     * @param root        the folder holding appConfig.json: "" or "top/"
     * @param appConfig   the bytes of appConfig.json
     * @param files       the names of every file entry
     * @param directories the names of every folder, explicit ("x/" entries) or implied by a file's path
     * @param hasUi       whether there is a file under {@code <root>ui/}
     */
    record Archive(String root, byte[] appConfig, Set<String> files, Set<String> directories, boolean hasUi) {
        String appConfigEntry() {
            return root + APP_CONFIG;
        }
    }

    private final Limits limits;

    ArchiveInspector(Limits limits) {
        this.limits = limits;
    }

    Archive inspect(Path zip) throws IasException {
        CentralDirectory.Listing listing;
        try {
            listing = CentralDirectory.read(zip, limits.maxEntries());
        } catch (ZipException e) {
            throw notAZip(e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the uploaded archive's temporary copy " + zip, e);
        }
        if (listing.declared() > limits.maxEntries()) {
            throw new IasException(ErrorKind.TOO_LARGE, "", "app.zip has " + listing.declared() + " entries; expected at most "
                    + limits.maxEntries() + " files and folders (the repository's max_entries)");
        }
        List<CentralDirectory.Entry> entries = listing.entries();

        Set<String> files = new LinkedHashSet<>();
        Set<String> directories = new TreeSet<>();
        Problems invalid = new Problems();
        checkEntries(entries, files, directories, invalid);
        String root = invalid.isEmpty() ? findRoot(files, directories, invalid) : null;
        invalid.throwIfAny(ErrorKind.INVALID);

        byte[] appConfig = inflateAll(zip, entries, root + APP_CONFIG);
        boolean hasUi = files.stream().anyMatch(f -> f.startsWith(root + UI_FOLDER));
        return new Archive(root, appConfig, Set.copyOf(files), Set.copyOf(directories), hasUi);
    }

    private static IasException notAZip(ZipException e) {
        return new IasException(ErrorKind.INVALID, "", "app.zip is not a readable zip archive (" + e.getMessage()
                + "); expected a zip file holding appConfig.json and the algorithm files, e.g. made with \"zip -r app.zip .\"");
    }

    /** Every rule about names and entry kinds, for every entry; problems collected. */
    private static void checkEntries(List<CentralDirectory.Entry> entries, Set<String> files, Set<String> directories,
            Problems invalid) {
        Set<String> seen = new HashSet<>();
        for (CentralDirectory.Entry entry : entries) {
            String name = entry.name();
            String problem = nameProblem(name);
            if (problem != null) {
                invalid.add(name, "entry " + Texts.quote(name) + " " + problem
                        + "; expected a relative path inside the application's folder, with '/' between folders");
                continue;
            }
            if (!seen.add(name)) {
                invalid.add(name, "entry " + Texts.quote(name) + " appears more than once; expected each name once");
                continue;
            }
            int type = entry.unixMode() & TYPE_MASK;
            if (type == TYPE_SYMLINK) {
                invalid.add(name, "entry " + Texts.quote(name) + " is a symbolic link; expected regular files and folders "
                        + "only (a link could point outside the application's folder; zip with \"zip -r\" without -y, or "
                        + "replace the link by the file it points to)");
                continue;
            }
            if (type != 0 && type != TYPE_FILE && type != TYPE_DIRECTORY) {
                invalid.add(name, "entry " + Texts.quote(name) + " is a special file (device, pipe or socket, mode "
                        + Integer.toOctalString(entry.unixMode()) + "); expected regular files and folders only");
                continue;
            }
            if (entry.encrypted()) {
                invalid.add(name, "entry " + Texts.quote(name) + " is encrypted; expected an archive without a password");
                continue;
            }
            if (entry.method() != ZipEntry.STORED && entry.method() != ZipEntry.DEFLATED) {
                invalid.add(name, "entry " + Texts.quote(name) + " is compressed with method " + entry.method()
                        + "; expected stored (0) or deflated (8), what every zip tool writes by default");
                continue;
            }
            if (name.endsWith("/")) {
                directories.add(name);
            } else {
                files.add(name);
            }
        }
        for (String file : files) {
            for (int slash = file.indexOf('/'); slash >= 0; slash = file.indexOf('/', slash + 1)) {
                String parent = file.substring(0, slash);
                if (files.contains(parent)) {
                    invalid.add(file, "entry " + Texts.quote(file) + " lies inside " + Texts.quote(parent)
                            + ", which is a file; expected " + Texts.quote(parent) + " to be a folder or absent");
                }
                directories.add(parent + "/");
            }
        }
    }

    /** What makes an entry name unsafe to extract, or null when it is acceptable. */
    static String nameProblem(String name) {
        if (name.isEmpty()) {
            return "has an empty name";
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return "contains a control character";
            }
        }
        if (name.indexOf('\\') >= 0) {
            return "contains a backslash (zip names separate folders with '/'; a backslash can be read as a folder "
                    + "separator and lead outside the target folder)";
        }
        if (name.startsWith("/")) {
            return "is an absolute path";
        }
        if (DRIVE.matcher(name).matches()) {
            return "starts with a drive letter";
        }
        if (name.indexOf(':') >= 0) {
            return "contains ':' (a drive or alternate data stream separator on Windows)";
        }
        for (String segment : name.split("/", -1)) {
            if (segment.equals("..")) {
                return "leads out of the archive's folder (\"..\")";
            }
        }
        return null;
    }

    /**
     * Where appConfig.json is: at the root, or inside the single top folder every entry is in (macOS's {@code __MACOSX/}
     * aside). Null (and a problem) when neither.
     */
    private static String findRoot(Set<String> files, Set<String> directories, Problems invalid) {
        if (files.contains(APP_CONFIG)) {
            return "";
        }
        Set<String> tops = new TreeSet<>();
        for (String name : files) {
            if (!name.startsWith(MACOS_METADATA)) {
                int slash = name.indexOf('/');
                tops.add(slash < 0 ? name : name.substring(0, slash + 1));
            }
        }
        for (String name : directories) {
            if (!name.startsWith(MACOS_METADATA)) {
                tops.add(name.substring(0, name.indexOf('/') + 1));
            }
        }
        if (tops.size() == 1) {
            String top = tops.iterator().next();
            if (top.endsWith("/") && files.contains(top + APP_CONFIG)) {
                return top;
            }
        }
        StringBuilder message = new StringBuilder("app.zip has no appConfig.json at its root or inside a single top folder");
        List<String> elsewhere = new ArrayList<>();
        for (String name : files) {
            String last = name.substring(name.lastIndexOf('/') + 1);
            if (last.toLowerCase(Locale.ROOT).equals(APP_CONFIG.toLowerCase(Locale.ROOT)) && !name.startsWith(MACOS_METADATA)) {
                elsewhere.add(name);
            }
        }
        if (files.isEmpty() && directories.isEmpty()) {
            message.append(" (the archive is empty)");
        } else if (!elsewhere.isEmpty()) {
            message.append(" (found ").append(String.join(", ", elsewhere.stream().limit(5).map(Texts::quote).toList()));
            if (elsewhere.stream().anyMatch(n -> !n.endsWith(APP_CONFIG))) {
                message.append("; the name is case-sensitive");
            }
            if (tops.size() > 1) {
                message.append("; the archive's top level holds ").append(tops.size()).append(" entries");
            }
            message.append(')');
        }
        message.append("; expected appConfig.json at the root of the zip, or every file inside one folder that holds "
                + "appConfig.json");
        invalid.add(APP_CONFIG, message.toString());
        return null;
    }

    /**
     * Inflates every entry, checking its size and CRC, bounding the total; returns appConfig.json's bytes.
     */
    private byte[] inflateAll(Path zip, List<CentralDirectory.Entry> entries, String appConfigEntry) throws IasException {
        Problems invalid = new Problems();
        byte[] appConfig = null;
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try (ZipFile file = new ZipFile(zip.toFile())) {
            if (file.size() != entries.size()) {
                throw notAZip(new ZipException("the archive lists " + file.size() + " entries in one place and "
                        + entries.size() + " in another"));
            }
            for (CentralDirectory.Entry listed : entries) {
                String name = listed.name();
                ZipEntry entry = file.getEntry(name);
                if (entry == null || !entry.getName().equals(name)) {
                    invalid.add(name, "entry " + Texts.quote(name) + " cannot be found by its name; expected a well-formed archive");
                    continue;
                }
                boolean isAppConfig = name.equals(appConfigEntry);
                ByteArrayOutputStream captured = isAppConfig ? new ByteArrayOutputStream() : null;
                CRC32 crc = new CRC32();
                long size = 0;
                try (InputStream in = file.getInputStream(entry)) {
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        size += n;
                        total += n;
                        if (total > limits.maxInflatedBytes()) {
                            throw new IasException(ErrorKind.TOO_LARGE, name, "app.zip inflates to more than "
                                    + Texts.bytes(limits.maxInflatedBytes()) + " (passed while inflating entry "
                                    + Texts.quote(name) + "); expected at most " + limits.maxInflatedBytes()
                                    + " bytes of files in total (the repository's max_inflated_bytes)");
                        }
                        if (limits.maxEntryRatio() > 0 && size > Limits.RATIO_FLOOR_BYTES
                                && size > Math.max(1, listed.compressedSize()) * limits.maxEntryRatio()) {
                            throw new IasException(ErrorKind.TOO_LARGE, name, "entry " + Texts.quote(name)
                                    + " inflates to more than " + limits.maxEntryRatio() + " times its compressed size ("
                                    + listed.compressedSize() + " bytes); expected at most that ratio (the repository's "
                                    + "max_entry_ratio)");
                        }
                        if (isAppConfig) {
                            if (size > limits.maxAppConfigBytes()) {
                                throw new IasException(ErrorKind.TOO_LARGE, name, Texts.quote(name) + " is larger than "
                                        + Texts.bytes(limits.maxAppConfigBytes()) + "; expected an appConfig.json of at most "
                                        + limits.maxAppConfigBytes() + " bytes (the repository's max_app_config_bytes)");
                            }
                            captured.write(buffer, 0, n);
                        }
                        crc.update(buffer, 0, n);
                    }
                } catch (IOException e) {
                    invalid.add(name, "entry " + Texts.quote(name) + " cannot be inflated (" + e.getMessage()
                            + "); expected an undamaged archive");
                    continue;
                }
                if (size != listed.size() || size != entry.getSize()) {
                    invalid.add(name, "entry " + Texts.quote(name) + " inflates to " + size + " bytes but declares "
                            + listed.size() + "; expected an undamaged archive");
                } else if (entry.getCrc() != -1 && crc.getValue() != entry.getCrc()) {
                    invalid.add(name, "entry " + Texts.quote(name) + " fails its CRC check; expected an undamaged archive");
                } else if (isAppConfig) {
                    appConfig = captured.toByteArray();
                }
            }
        } catch (ZipException e) {
            throw notAZip(e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the uploaded archive's temporary copy " + zip, e);
        }
        invalid.throwIfAny(ErrorKind.INVALID);
        if (appConfig == null) {
            throw new IasException(ErrorKind.INVALID, appConfigEntry, Texts.quote(appConfigEntry)
                    + " could not be read; expected an undamaged archive");
        }
        return appConfig;
    }
}
