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
}
