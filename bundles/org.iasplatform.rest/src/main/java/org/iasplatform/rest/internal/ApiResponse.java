package org.iasplatform.rest.internal;

import javax.servlet.http.HttpServletResponse;

/**
 * What a handler answers.
 *
 * @param status the HTTP status
 * @param body   what is written as JSON; a {@link Streamed} writes itself; {@code null} for no body
 */
public record ApiResponse(int status, Object body) {
    /**
     * A body the handler writes itself (a download, an event stream): it sets its content type and headers and writes to
     * the response's stream. Whatever it throws before the response is committed is answered as an error like any other.
     */
    @FunctionalInterface
    public interface Streamed {
        void writeTo(HttpServletResponse response) throws Exception;
    }

    public static ApiResponse ok(Object body) {
        return new ApiResponse(200, body);
    }

    public static ApiResponse created(Object body) {
        return new ApiResponse(201, body);
    }

    public static ApiResponse accepted(Object body) {
        return new ApiResponse(202, body);
    }

    public static ApiResponse noContent() {
        return new ApiResponse(204, null);
    }

    public static ApiResponse streamed(int status, Streamed body) {
        return new ApiResponse(status, body);
    }
}
