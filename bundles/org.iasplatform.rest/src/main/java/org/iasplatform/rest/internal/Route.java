package org.iasplatform.rest.internal;

/**
 * One entry of the route table: method + path template, who may call it, what handles it.
 *
 * @param method       the HTTP method
 * @param path         the path template below {@code /ias/api/v1}
 * @param access       the role rule
 * @param handler      the handler
 * @param maxBodyBytes the largest request body the route accepts; 0 for the API's configured limit
 */
public record Route(String method, PathTemplate path, Access access, Handler handler, long maxBodyBytes) {
    public static Route of(String method, String path, Access access, Handler handler) {
        return new Route(method, new PathTemplate(path), access, handler, 0);
    }

    /** The same route with a body limit of its own (e.g. uploads of archives). */
    public Route withMaxBody(long bytes) {
        return new Route(method, path, access, handler, bytes);
    }

    @Override
    public String toString() {
        return method + " " + path + " [" + access.describe() + "]";
    }
}
