package org.iasplatform.shell.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.karaf.shell.support.ShellUtil;
import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.validation.ValidationError;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** What the ias: commands share: reading JSON files, parsing key=value arguments, printing refusals. */
final class Shell {
    static final long MAX_FILE_BYTES = 10L * 1024 * 1024;

    private Shell() {
    }

    static ObjectMapper mapper() {
        return new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** Prints each error as {@code path: message}. */
    static void printErrors(IasException e, PrintStream err) {
        List<ValidationError> errors = e.errors().isEmpty() ? List.of(new ValidationError("", e.getMessage())) : e.errors();
        for (ValidationError error : errors) {
            err.println((error.path().isEmpty() ? "(document)" : error.path()) + ": " + error.message());
        }
    }

    /** A JSON file's document; INVALID (with line and column) when it cannot be read or parsed. */
    static JsonNode readJsonFile(ObjectMapper mapper, String file) throws IasException {
        Path path = Path.of(file).toAbsolutePath();
        byte[] bytes;
        try {
            if (Files.size(path) > MAX_FILE_BYTES) {
                throw new IasException(ErrorKind.TOO_LARGE, file, "larger than " + MAX_FILE_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new IasException(ErrorKind.NOT_FOUND, file, "no such file (" + path + ")");
        } catch (IOException e) {
            throw new IasException(ErrorKind.INVALID, file, "cannot be read: " + e);
        }
        try {
            JsonNode node = mapper.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw new IasException(ErrorKind.INVALID, file, "the file is empty; expected a JSON document");
            }
            return node;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String what = String.valueOf(e.getOriginalMessage()).replaceAll("\\[Source: [^;\\]]*; ", "[");
            throw new IasException(ErrorKind.INVALID, file, "malformed JSON" + where + ": " + what);
        } catch (IOException e) {
            throw new IasException(ErrorKind.INVALID, file, "cannot be read as JSON: " + e.getMessage());
        }
    }

    /** {@code key=value} arguments in order; INVALID naming the first that has no '='. */
    static Map<String, String> keyValues(List<String> args, String what) throws IasException {
        Map<String, String> result = new LinkedHashMap<>();
        if (args == null) {
            return result;
        }
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IasException(ErrorKind.INVALID, what, "expected key=value, got '" + arg + "'");
            }
            result.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return result;
    }

    /** A value given on the command line: a JSON scalar (number, true/false, null, "quoted") when it is one, else the text. */
    static Object scalar(ObjectMapper mapper, String text) {
        try {
            JsonNode node = mapper.readTree(text);
            if (node != null && node.isValueNode()) {
                return node.isNull() ? null : mapper.treeToValue(node, Object.class);
            }
        } catch (JsonProcessingException e) {
            // not JSON: the text itself
        }
        return text;
    }

    static String tags(Map<String, String> tags) {
        return tags.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    static String time(long epochMillis) {
        return epochMillis <= 0 ? "" : Instant.ofEpochMilli(epochMillis).toString();
    }

    static String time(Instant instant) {
        return instant == null ? "" : instant.toString();
    }

    /** The service, or UNAVAILABLE naming it when no such service runs (optional references of the commands). */
    static <T> T service(T service, Class<T> type, String what) throws IasException {
        if (service == null) {
            throw new IasException(ErrorKind.UNAVAILABLE, type.getSimpleName(),
                    what + " is not available: no " + type.getSimpleName() + " service is running on this platform");
        }
        return service;
    }

    /** The JAAS user running the command (Karaf runs each command as its session's subject); "shell" without one. */
    static String currentUser() {
        String user = ShellUtil.getCurrentUserName();
        return user == null || user.isBlank() ? "shell" : user;
    }

    /** A file to read whole: its path, NOT_FOUND (path: message) when it is missing or not a regular file. */
    static Path existingFile(String file) throws IasException {
        Path path = Path.of(file).toAbsolutePath();
        if (!Files.isRegularFile(path)) {
            throw new IasException(ErrorKind.NOT_FOUND, file, Files.exists(path) ? "not a regular file (" + path + ")"
                    : "no such file (" + path + ")");
        }
        return path;
    }

    /** A whole number option checked against its range: INVALID naming the option otherwise. */
    static int inRange(int value, int min, int max, String option) throws IasException {
        if (value < min || value > max) {
            throw new IasException(ErrorKind.INVALID, option, "expected an integer from " + min + " to " + max + ", got " + value);
        }
        return value;
    }

    /** Text, or "" for null. */
    static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    /** A 0..1 figure as a percentage. */
    static String percent(double fraction) {
        return Double.isFinite(fraction) ? Math.round(fraction * 100) + "%" : "";
    }

    /** The first {@code n} characters of a digest, for tables. */
    static String shortHash(String hash, int n) {
        return hash == null ? "" : hash.length() <= n ? hash : hash.substring(0, n);
    }
}
