package org.iasplatform.rest.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.iasplatform.api.validation.ValidationError;

/** A refusal decided by the HTTP layer itself (401, 403, 404, 405, 411, 413, 415, 429), answered in the usual error shape. */
public class HttpProblem extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient List<ValidationError> errors;
    private final transient Map<String, String> headers;

    public HttpProblem(int status, String path, String message) {
        this(status, List.of(new ValidationError(path, message)), Map.of());
    }

    public HttpProblem(int status, List<ValidationError> errors, Map<String, String> headers) {
        super(status + " " + errors);
        this.status = status;
        this.errors = List.copyOf(errors);
        this.headers = new LinkedHashMap<>(headers);
    }

    public HttpProblem withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new HttpProblem(status, errors, h);
    }

    public int status() {
        return status;
    }

    public List<ValidationError> errors() {
        return errors;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
