package org.iasplatform.runtime.docker.internal;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.iasplatform.api.node.InstanceLaunch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The image of one algorithm of one app version, as the seed's deployer made one: a generated Dockerfile {@code FROM} the
 * configured base image with the app's files (the folder holding appConfig.json, in {@value #APP_DIR}), for a Python
 * algorithm the SDK ({@code platform_lib.py} on {@code PYTHONPATH}) and the app's Python dependencies (appConfig.json's
 * {@code environment.modules} / {@code environment.dependencies}, installed with pip), and an {@code ENTRYPOINT} that runs
 * the algorithm file with its interpreter; each container's command is its instance id, so the algorithm runs as
 * {@code <interpreter> <file> <instance id>} exactly as the seed's {@code CMD} ran it, while the image serves every
 * instance of that app version and algorithm.
 *
 * <p>
 * The tag is a digest of everything that goes into the image (Dockerfile, files, SDK, dependencies): the same app version
 * and algorithm always give the same tag (the image is built once per node and reused), a changed file another.
 */
final class ImageRecipe {
    static final String APP_DIR = "/app";
    static final String SDK_DIR = "/opt/ias/sdk";
    static final String SDK_FILE = "platform_lib.py";
    static final String CONTEXT_APP = "app";
    static final String CONTEXT_SDK = "ias-sdk";
    static final String CONTEXT_REQUIREMENTS = "ias-requirements.txt";
    /** Image label naming the application (and the two below: the algorithm, the base image). */
    static final String LABEL_APPLICATION = "org.iasplatform.application";
    static final String LABEL_ALGORITHM = "org.iasplatform.algorithm";
    static final String LABEL_BASE = "org.iasplatform.base-image";

    /** A pip requirement: a project name with optional extras and version specifiers; never an option ("-…"). */
    private static final Pattern REQUIREMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._\\-\\[\\],<>=!~*+ ]{0,199}");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9.*+!_-]{1,64}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final InstanceLaunch launch;
    private final Path directory;
    private final List<String> entrypoint;
    private final boolean python;
    private final List<String> requirements;
    private final byte[] sdk;
    private final String dockerfile;
    private final String image;

    private ImageRecipe(InstanceLaunch launch, Path directory, List<String> entrypoint, boolean python,
            List<String> requirements, byte[] sdk, String baseImage) throws IOException {
        this.launch = launch;
        this.directory = directory;
        this.entrypoint = List.copyOf(entrypoint);
        this.python = python;
        this.requirements = List.copyOf(requirements);
        this.sdk = python ? sdk : null;
        this.dockerfile = dockerfile(baseImage);
        this.image = "ias/" + slug(launch.applicationName()) + "-" + slug(launch.algorithmName()) + ":" + digest();
    }

    /**
     * The recipe of a launch.
     *
     * @param sdk the SDK's {@code platform_lib.py} (put into Python images); null when this bundle has none
     * @throws IllegalArgumentException when the launch cannot be run (no entry, unknown lang, bad dependencies)
     * @throws FileNotFoundException    when its entry file is missing
     */
    static ImageRecipe of(InstanceLaunch launch, Settings settings, byte[] sdk) throws IOException {
        Path dir = launch.directory().toAbsolutePath().normalize();
        String entry = launch.entry() == null ? "" : launch.entry();
        Path script = dir.resolve(entry).normalize();
        if (entry.isBlank() || !script.startsWith(dir) || !Files.isRegularFile(script, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileNotFoundException("the entry \"" + entry + "\" is not a file of the app in " + dir);
        }
        String inImage = APP_DIR + "/" + dir.relativize(script).toString().replace('\\', '/');
        String lang = launch.lang() == null ? "" : launch.lang().trim().toLowerCase(Locale.ROOT);
        String chosen = lang;
        if (chosen.isEmpty()) {
            chosen = settings.extensions().getOrDefault(extension(script), "");
        }
        List<String> command = new ArrayList<>();
        if (!chosen.isEmpty()) {
            List<String> interpreter = settings.interpreters().get(chosen);
            if (interpreter == null) {
                throw new IllegalArgumentException("unknown lang \"" + (lang.isEmpty() ? chosen : launch.lang())
                        + "\"; the docker runtime knows " + settings.interpreters().keySet()
                        + " (configure more with its interpreters)");
            }
            command.addAll(interpreter);
        } else if (!Files.isExecutable(script)) {
            throw new IllegalArgumentException("cannot tell how to run \"" + entry + "\": no lang is given, "
                    + (extension(script).isEmpty() ? "it has no extension" : "no interpreter is known for ."
                            + extension(script) + " files")
                    + " and it is not executable");
        }
        command.add(inImage);
        boolean python = chosen.startsWith("py") || (!command.isEmpty() && command.get(0).contains("python"));
        List<String> requirements = python ? requirements(dir) : List.of();
        return new ImageRecipe(launch, dir, command, python, requirements, sdk, settings.baseImage());
    }

    /** {@code repository:tag} of the image. */
    String image() {
        return image;
    }

    String dockerfile() {
        return dockerfile;
    }

    /** The application's name ("" if the launch names none), for the image's labels. */
    String application() {
        return launch.applicationName() == null ? "" : launch.applicationName();
    }

    /** The algorithm's name ("" if the launch names none), for the image's labels. */
    String algorithm() {
        return launch.algorithmName() == null ? "" : launch.algorithmName();
    }

    List<String> entrypoint() {
        return entrypoint;
    }

    List<String> requirements() {
        return requirements;
    }

    boolean python() {
        return python;
    }

    private String dockerfile(String baseImage) {
        StringBuilder d = new StringBuilder();
        d.append("# Generated by the IAS docker runtime for ").append(clean(launch.applicationName())).append(" / ")
                .append(clean(launch.algorithmName())).append(" (").append(clean(launch.entry())).append(")\n");
        d.append("FROM ").append(baseImage).append('\n');
        d.append("COPY ").append(CONTEXT_APP).append("/ ").append(APP_DIR).append("/\n");
        if (python) {
            if (sdk != null) {
                d.append("COPY ").append(CONTEXT_SDK).append('/').append(SDK_FILE).append(' ').append(SDK_DIR).append('/')
                        .append(SDK_FILE).append('\n');
            }
            d.append("ENV PYTHONPATH=").append(SDK_DIR).append(" PYTHONUNBUFFERED=1\n");
            if (!requirements.isEmpty()) {
                d.append("COPY ").append(CONTEXT_REQUIREMENTS).append(" /opt/ias/requirements.txt\n");
                d.append("RUN pip install --no-cache-dir -r /opt/ias/requirements.txt\n");
            }
        }
        d.append("WORKDIR ").append(APP_DIR).append('\n');
        try {
            d.append("ENTRYPOINT ").append(JSON.writeValueAsString(entrypoint)).append('\n');
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        d.append("# each container's command is its instance id: the algorithm runs as <interpreter> <file> <instance id>\n");
        return d.toString();
    }

    /** Writes the build context into {@code context}: the Dockerfile, the app's files, the SDK, the requirements. */
    void writeContext(Path context) throws IOException {
        Files.createDirectories(context);
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        Path app = context.resolve(CONTEXT_APP);
        Files.createDirectories(app);
        for (Path file : files()) {
            Path target = app.resolve(directory.relativize(file).toString());
            Files.createDirectories(target.getParent());
            Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
        }
        if (python && sdk != null) {
            Files.createDirectories(context.resolve(CONTEXT_SDK));
            Files.write(context.resolve(CONTEXT_SDK).resolve(SDK_FILE), sdk);
        }
        if (!requirements.isEmpty()) {
            Files.writeString(context.resolve(CONTEXT_REQUIREMENTS), String.join("\n", requirements) + "\n");
        }
    }

    /** The app's regular files, by path (links and anything else are left out). */
    private List<Path> files() throws IOException {
        try (Stream<Path> walk = Files.walk(directory)) {
            return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
    }

    /** 16 hex digits of the SHA-256 of the Dockerfile, each file (path, mode, content), the SDK and the requirements. */
    private String digest() throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        field(sha, dockerfile.getBytes(StandardCharsets.UTF_8));
        for (Path file : files()) {
            field(sha, directory.relativize(file).toString().replace('\\', '/').getBytes(StandardCharsets.UTF_8));
            field(sha, new byte[] { (byte) (Files.isExecutable(file) ? 1 : 0) });
            field(sha, Files.readAllBytes(file));
        }
        field(sha, python && sdk != null ? sdk : new byte[0]);
        field(sha, String.join("\n", requirements).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }

    private static void field(MessageDigest sha, byte[] bytes) {
        sha.update(Long.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) 0);
        sha.update(bytes);
    }

    /**
     * The Python dependencies appConfig.json declares in its {@code environment}: the seed's {@code modules} (names) and
     * {@code dependencies} (names, or {@code [name, version]} pairs as in the seed's deploy config; an empty version is
     * any). Each must be a plain requirement (no pip option).
     */
    static List<String> requirements(Path directory) throws IOException {
        Path config = directory.resolve("appConfig.json");
        if (!Files.isRegularFile(config, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        JsonNode environment;
        try {
            environment = JSON.readTree(config.toFile()).path("environment");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("appConfig.json is not JSON: " + e.getOriginalMessage());
        }
        List<String> result = new ArrayList<>();
        for (String field : List.of("modules", "dependencies")) {
            JsonNode list = environment.path(field);
            for (int i = 0; i < list.size(); i++) {
                JsonNode item = list.get(i);
                String at = "appConfig.json /environment/" + field + "/" + i;
                String requirement;
                if (item.isTextual()) {
                    requirement = item.asText().trim();
                } else if (item.isArray() && item.size() >= 1 && item.size() <= 2 && item.get(0).isTextual()) {
                    String name = item.get(0).asText().trim();
                    String version = item.size() == 2 ? item.get(1).asText("").trim() : "";
                    if (!version.isEmpty() && !VERSION.matcher(version).matches()) {
                        throw new IllegalArgumentException(at + ": \"" + version + "\" is not a version; expected e.g. "
                                + "\"2.31.0\" or \"\" for any");
                    }
                    requirement = version.isEmpty() ? name : name + "==" + version;
                } else {
                    throw new IllegalArgumentException(at + ": expected a module name such as \"requests\" or a pair "
                            + "[\"requests\", \"2.31.0\"]");
                }
                if (requirement.isEmpty()) {
                    continue;
                }
                if (!REQUIREMENT.matcher(requirement).matches()) {
                    throw new IllegalArgumentException(at + ": \"" + requirement + "\" is not a Python requirement; "
                            + "expected a name with optional version, e.g. \"numpy\" or \"pandas>=2\"");
                }
                if (!result.contains(requirement)) {
                    result.add(requirement);
                }
            }
        }
        return result;
    }

    /** A repository name component: lower-case letters and digits separated by single '-'. */
    static String slug(String name) {
        String s = (name == null ? "" : name).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
        if (s.length() > 60) {
            s = s.substring(0, 60).replaceAll("-+$", "");
        }
        return s.isEmpty() ? "x" : s;
    }

    /** Text for a Dockerfile comment: one line, no control characters. */
    private static String clean(String text) {
        return text == null ? "" : text.replaceAll("\\p{Cntrl}", " ");
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot <= 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
