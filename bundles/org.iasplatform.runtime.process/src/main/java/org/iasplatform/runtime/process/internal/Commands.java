package org.iasplatform.runtime.process.internal;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.iasplatform.api.node.InstanceLaunch;

/**
 * The command line of an instance: the interpreter of its {@code lang} (or, without a lang, of its entry file's
 * extension; or, failing both, the entry file itself when it is executable), then the entry file, then the instance id.
 */
final class Commands {
    private Commands() {
    }

    static List<String> commandFor(InstanceLaunch launch, Settings settings) throws FileNotFoundException {
        Path dir = launch.directory().toAbsolutePath().normalize();
        String entry = launch.entry();
        if (entry == null || entry.isBlank()) {
            throw new IllegalArgumentException("the launch names no entry file");
        }
        Path script = dir.resolve(entry).normalize();
        if (!script.startsWith(dir) || script.equals(dir)) {
            throw new IllegalArgumentException("the entry \"" + entry + "\" is not a file inside " + dir);
        }
        if (!Files.isRegularFile(script, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileNotFoundException("the entry file \"" + entry + "\" is missing from " + dir);
        }
        String lang = launch.lang() == null ? "" : launch.lang().trim().toLowerCase(Locale.ROOT);
        List<String> interpreter;
        if (!lang.isEmpty()) {
            interpreter = settings.interpreters().get(lang);
            if (interpreter == null) {
                throw new IllegalArgumentException("unknown lang \"" + launch.lang() + "\"; this node knows "
                        + settings.interpreters().keySet() + " (configure more with the process runtime's interpreters)");
            }
        } else {
            String extension = extension(script);
            String byExtension = settings.extensions().get(extension);
            interpreter = byExtension == null ? null : settings.interpreters().get(byExtension);
            if (interpreter == null) {
                if (!Files.isExecutable(script)) {
                    throw new IllegalArgumentException("cannot tell how to run \"" + entry + "\": no lang is given, "
                            + (extension.isEmpty() ? "it has no extension" : "no interpreter is known for ." + extension
                                    + " files")
                            + " and it is not executable");
                }
                interpreter = List.of();
            }
        }
        List<String> command = new ArrayList<>(interpreter);
        command.add(script.toString());
        command.add(launch.instanceId());
        return command;
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot <= 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
