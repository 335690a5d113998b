package org.iasplatform.rest.internal;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who may call a route: nobody needs to log in ({@link #PUBLIC}), a caller with any of the platform's roles
 * ({@link #ANY_ROLE}), a caller having one of {@link #roles()}, or an algorithm instance with its bearer token
 * ({@link #INSTANCE_TOKEN}). The role {@value #ADMIN} may do everything a role may. A JAAS user with none of the platform's
 * roles (e.g. only Karaf's own) may call nothing but public routes.
 *
 * @param authenticated whether a credential is needed
 * @param roles         the roles allowed besides {@value #ADMIN} (none for instance-token routes)
 * @param instanceToken whether the credential is an algorithm instance's bearer token instead of a user's login; the
 *                      dispatcher requires one, the route checks it against the instance it names
 */
public record Access(boolean authenticated, Set<String> roles, boolean instanceToken) {
    public static final String ADMIN = "admin";
    public static final Access PUBLIC = new Access(false, Set.of(), false);
    /** The platform's roles: admin, developer, configurator, user. */
    public static final Set<String> PLATFORM_ROLES = Set.of(ADMIN, "developer", "configurator", "user");
    public static final Access ANY_ROLE = new Access(true, PLATFORM_ROLES, false);
    /** The algorithm API: {@code Authorization: Bearer <token>} of an algorithm instance; no user login helps. */
    public static final Access INSTANCE_TOKEN = new Access(true, Set.of(), true);

    public Access {
        roles = Set.copyOf(roles);
        if (authenticated && !instanceToken && roles.isEmpty()) {
            throw new IllegalArgumentException("an authenticated route names the roles allowed");
        }
        if (instanceToken && (!authenticated || !roles.isEmpty())) {
            throw new IllegalArgumentException("an instance-token route is authenticated by the token alone, not by roles");
        }
    }

    public Access(boolean authenticated, Set<String> roles) {
        this(authenticated, roles, false);
    }

    public static Access roles(String... roles) {
        if (roles.length == 0) {
            throw new IllegalArgumentException("name at least one role, or use ANY_ROLE");
        }
        return new Access(true, Set.of(roles), false);
    }

    /** Whether an authenticated user with {@code callerRoles} may call the route (never for instance-token routes). */
    public boolean allows(Collection<String> callerRoles) {
        if (!authenticated) {
            return true;
        }
        if (instanceToken) {
            return false;
        }
        return callerRoles.contains(ADMIN) || callerRoles.stream().anyMatch(roles::contains);
    }

    /** "none", "instance token", or the allowed roles, admin included, sorted, e.g. "admin, configurator". */
    public String describe() {
        if (!authenticated) {
            return "none";
        }
        if (instanceToken) {
            return "instance token";
        }
        Set<String> all = new TreeSet<>(roles);
        all.add(ADMIN);
        return String.join(", ", all);
    }
}
