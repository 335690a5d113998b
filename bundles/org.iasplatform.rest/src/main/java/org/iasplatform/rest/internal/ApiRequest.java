package org.iasplatform.rest.internal;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.servlet.http.HttpServletRequest;

import org.iasplatform.api.IasException;

import com.fasterxml.jackson.databind.JsonNode;

/** One request as a handler sees it: path variables, query, caller, JSON body. */
public final class ApiRequest {
    private final HttpServletRequest http;
    private final Map<String, String> variables;
    private final Caller caller;
    private final BodyReader bodyReader;
    private Map<String, List<String>> query;

    public ApiRequest(HttpServletRequest http, Map<String, String> variables, Caller caller, BodyReader bodyReader) {
        this.http = http;
        this.variables = Map.copyOf(variables);
        this.caller = caller;
        this.bodyReader = bodyReader;
    }

    public HttpServletRequest http() {
        return http;
    }

    public Caller caller() {
        return caller;
    }

    /** The value of a path variable of the route's template. */
    public String variable(String name) {
        String value = variables.get(name);
        if (value == null) {
            throw new IllegalArgumentException("the route has no variable " + name);
        }
        return value;
    }

    /** The query parameters in order (decoded from the query string only; a body is never read for them). */
    public Map<String, List<String>> query() {
        if (query == null) {
            query = parseQuery(http.getQueryString());
        }
        return query;
    }

    /** The first value of a query parameter. */
    public Optional<String> queryParam(String name) {
        List<String> values = query().get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The token of an {@code Authorization: Bearer} header, if there is one. */
    public Optional<String> bearerToken() {
        return BearerToken.parse(http.getHeader("Authorization"));
    }

    /** How the body is read (and bounded) for this route. */
    public BodyReader bodyReader() {
        return bodyReader;
    }

    /** The JSON body, or (when {@code multipartAllowed}) the JSON document of the multipart part {@code file}. */
    public JsonNode json(boolean multipartAllowed) throws HttpProblem, IasException, IOException {
        return bodyReader.readJson(http, multipartAllowed);
    }

    static Map<String, List<String>> parseQuery(String queryString) {
        Map<String, List<String>> result = new LinkedHashMap<>();
        if (queryString == null || queryString.isEmpty()) {
            return result;
        }
        for (String pair : queryString.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            result.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        result.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return Collections.unmodifiableMap(result);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
