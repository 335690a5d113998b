package org.iasplatform.rest.internal;

/** Handles the requests of one route. */
@FunctionalInterface
public interface Handler {
    ApiResponse handle(ApiRequest request) throws Exception;
}
