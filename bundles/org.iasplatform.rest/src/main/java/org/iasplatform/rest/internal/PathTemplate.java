package org.iasplatform.rest.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A path such as {@code /sensor-instances/{id}/readings}: literal segments and {@code {name}} variables, each matching one
 * non-empty segment. A trailing slash on the request path is ignored.
 */
public final class PathTemplate {
    private final String template;
    private final List<String> segments;

    public PathTemplate(String template) {
        if (!template.startsWith("/")) {
            throw new IllegalArgumentException("a path template starts with '/': " + template);
        }
        this.template = template;
        this.segments = split(template);
        for (String s : segments) {
            if (s.isEmpty() || (s.contains("{") || s.contains("}")) && !isVariable(s)) {
                throw new IllegalArgumentException("bad segment '" + s + "' in " + template);
            }
        }
    }

    public String template() {
        return template;
    }

    /** The names of the variables, in order. */
    public List<String> variables() {
        return segments.stream().filter(PathTemplate::isVariable).map(s -> s.substring(1, s.length() - 1)).toList();
    }

    /** The variables' values when {@code path} matches, empty otherwise. */
    public Optional<Map<String, String>> match(String path) {
        if (path == null || !path.startsWith("/")) {
            return Optional.empty();
        }
        List<String> actual = split(path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
        if (actual.size() != segments.size()) {
            return Optional.empty();
        }
        Map<String, String> vars = new LinkedHashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            String expected = segments.get(i);
            String value = actual.get(i);
            if (isVariable(expected)) {
                if (value.isEmpty()) {
                    return Optional.empty();
                }
                vars.put(expected.substring(1, expected.length() - 1), value);
            } else if (!expected.equals(value)) {
                return Optional.empty();
            }
        }
        return Optional.of(vars);
    }

    private static boolean isVariable(String segment) {
        return segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}")
                && segment.indexOf('{', 1) < 0 && segment.indexOf('}') == segment.length() - 1;
    }

    private static List<String> split(String path) {
        List<String> result = new ArrayList<>();
        if (path.equals("/")) {
            return result;
        }
        int start = 1;
        while (true) {
            int slash = path.indexOf('/', start);
            if (slash < 0) {
                result.add(path.substring(start));
                return result;
            }
            result.add(path.substring(start, slash));
            start = slash + 1;
        }
    }

    @Override
    public String toString() {
        return template;
    }
}
