package org.iasplatform.rest.internal;

import java.util.Set;

/**
 * Who made a request.
 *
 * @param user  the user name; empty for an anonymous call of a public route
 * @param roles the user's roles
 */
public record Caller(String user, Set<String> roles) {
    public static final Caller ANONYMOUS = new Caller("", Set.of());

    public Caller {
        roles = Set.copyOf(roles);
    }
}
