package org.iasplatform.rest.internal;

/**
 * One entry of the route table: method + path template, who may call it, what handles it.
 *
 * @param method   the HTTP method
 * @param path     the path template below {@code /ias/api/v1}
 * @param access   the role rule
 * @param handler  the handler
 */
public record Route(String method, PathTemplate path, Access access, Handler handler) {
    public static Route of(String method, String path, Access access, Handler handler) {
        return new Route(method, new PathTemplate(path), access, handler);
    }

    @Override
    public String toString() {
        return method + " " + path + " [" + access.describe() + "]";
    }
}
