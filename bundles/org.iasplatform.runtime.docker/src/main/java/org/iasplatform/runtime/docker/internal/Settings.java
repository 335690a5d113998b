package org.iasplatform.runtime.docker.internal;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How the docker runtime builds and runs containers.
 *
 * @param dockerHost    the engine: {@code unix:///path/docker.sock} or {@code tcp://host:port}
 * @param baseImage     the image every algorithm image is built {@code FROM}
 * @param networkMode   the containers' network ({@code host}: they reach the platform's API on 127.0.0.1)
 * @param apiUrl        {@code IAS_API_URL} for the containers; empty: the node's, as the launch gives it
 * @param interpreters  lang → the command inside the image before the script, e.g. {@code python → [python3, -u]}
 * @param extensions    file extension (lower case, no dot) → lang, for a launch without a lang
 * @param init          whether containers run an init process (signals reach the algorithm; zombies are reaped)
 * @param owner         what marks this node's containers across restarts (its leftovers are removed at start)
 * @param maxLineLength longest log line forwarded (bytes); the rest of a longer line is cut
 * @param connectTimeout connecting to the engine
 * @param callTimeout   a short engine call (ping, inspect, create, stop's answer aside)
 * @param buildTimeout  building one image
 * @param drainTimeout  how long the last log lines of an exited container are waited for
 * @param engineCheck   how often the engine is checked (and, while it does not answer, tried again)
 */
record Settings(String dockerHost, String baseImage, String networkMode, String apiUrl,
        Map<String, List<String>> interpreters, Map<String, String> extensions, boolean init, String owner,
        int maxLineLength, Duration connectTimeout, Duration callTimeout, Duration buildTimeout, Duration drainTimeout,
        Duration engineCheck) {

    /** An image reference: [registry[:port]/]name[:tag][@digest], the characters Docker accepts. */
    private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@+-]{0,254}");
    private static final Pattern NETWORK = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    /** The default interpreters inside an image: lang=command. */
    static final String[] DEFAULT_INTERPRETERS = { "python=python3 -u", "python3=python3 -u", "py=python3 -u", "sh=sh",
            "shell=sh", "bash=bash", "node=node", "nodejs=node", "javascript=node", "js=node", "ruby=ruby", "perl=perl",
            "java=java -jar", "jar=java -jar" };

    /** The default extensions: extension=lang ({@code .sh} is run by sh: small base images have no bash). */
    static final String[] DEFAULT_EXTENSIONS = { "py=python", "sh=sh", "bash=bash", "js=node", "mjs=node", "cjs=node",
            "rb=ruby", "pl=perl", "jar=java" };

    Settings {
        dockerHost = dockerHost == null ? "" : dockerHost.trim();
        URI host;
        try {
            host = URI.create(dockerHost);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("docker_host \"" + dockerHost + "\" is not a URI; expected "
                    + "unix:///path/to/docker.sock or tcp://host:port");
        }
        if (!List.of("unix", "tcp").contains(String.valueOf(host.getScheme()).toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("docker_host \"" + dockerHost + "\" is neither unix:///path/to/docker.sock "
                    + "nor tcp://host:port");
        }
        baseImage = baseImage == null ? "" : baseImage.trim();
        if (!IMAGE.matcher(baseImage).matches()) {
            throw new IllegalArgumentException("base_image \"" + baseImage + "\" is not an image reference; expected "
                    + "e.g. python:3-slim or registry.example:5000/team/base:1");
        }
        networkMode = networkMode == null || networkMode.isBlank() ? "host" : networkMode.trim();
        if (!NETWORK.matcher(networkMode).matches()) {
            throw new IllegalArgumentException("network_mode \"" + networkMode + "\" is not a network; expected host, "
                    + "none, bridge, container:<id> or the name of a network");
        }
        apiUrl = apiUrl == null ? "" : apiUrl.trim();
        interpreters = Map.copyOf(interpreters);
        extensions = Map.copyOf(extensions);
        owner = owner == null ? "" : owner.trim();
        if (maxLineLength < 16) {
            throw new IllegalArgumentException("max_line_length below 16");
        }
    }

    /**
     * Parses {@code key=value} entries, layer after layer (a later layer overrides a key of an earlier one); an entry may
     * hold several, separated by commas (as a single {@code .cfg} value does). Keys are trimmed, lower-cased and lose a
     * leading dot; an entry without '=' or without a value is refused, naming {@code form}.
     */
    static Map<String, String> entries(String form, String[]... layers) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String[] layer : layers) {
            for (String value : layer == null ? new String[0] : layer) {
                for (String entry : value.split(",")) {
                    if (entry.isBlank()) {
                        continue;
                    }
                    int eq = entry.indexOf('=');
                    if (eq <= 0 || entry.substring(eq + 1).isBlank()) {
                        throw new IllegalArgumentException("\"" + entry.trim() + "\" is not of the form " + form);
                    }
                    String key = entry.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                    result.put(key.startsWith(".") ? key.substring(1) : key, entry.substring(eq + 1).trim());
                }
            }
        }
        return result;
    }

    /** {@code lang=command words} entries as lang → words. */
    static Map<String, List<String>> interpreters(String[]... layers) {
        Map<String, List<String>> result = new LinkedHashMap<>();
        entries("lang=command", layers).forEach((lang, command) -> result.put(lang,
                List.copyOf(new ArrayList<>(Arrays.asList(command.split("\\s+"))))));
        return result;
    }

    /** {@code extension=lang} entries, langs lower-cased. */
    static Map<String, String> extensions(String[]... layers) {
        Map<String, String> result = new LinkedHashMap<>();
        entries("extension=lang", layers).forEach((ext, lang) -> result.put(ext, lang.toLowerCase(Locale.ROOT)));
        return result;
    }
}
