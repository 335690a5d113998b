package org.iasplatform.rest.internal;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who may call a route: nobody needs to log in ({@link #PUBLIC}), a caller with any of the platform's roles
 * ({@link #ANY_ROLE}), or a caller having one of {@link #roles()}. The role {@value #ADMIN} may do everything. A JAAS user
 * with none of the platform's roles (e.g. only Karaf's own) may call nothing but public routes.
 *
 * @param authenticated whether a login is needed
 * @param roles         the roles allowed besides {@value #ADMIN}
 */
public record Access(boolean authenticated, Set<String> roles) {
    public static final String ADMIN = "admin";
    public static final Access PUBLIC = new Access(false, Set.of());
    /** The platform's roles: admin, developer, configurator, user. */
    public static final Set<String> PLATFORM_ROLES = Set.of(ADMIN, "developer", "configurator", "user");
    public static final Access ANY_ROLE = new Access(true, PLATFORM_ROLES);

    public Access {
        roles = Set.copyOf(roles);
        if (authenticated && roles.isEmpty()) {
            throw new IllegalArgumentException("an authenticated route names the roles allowed");
        }
    }

    public static Access roles(String... roles) {
        if (roles.length == 0) {
            throw new IllegalArgumentException("name at least one role, or use ANY_ROLE");
        }
        return new Access(true, Set.of(roles));
    }

    /** Whether an authenticated caller with {@code callerRoles} may call the route. */
    public boolean allows(Collection<String> callerRoles) {
        if (!authenticated || callerRoles.contains(ADMIN)) {
            return true;
        }
        return callerRoles.stream().anyMatch(roles::contains);
    }

    /** "none" or the allowed roles, admin included, sorted, e.g. "admin, configurator". */
    public String describe() {
        if (!authenticated) {
            return "none";
        }
        Set<String> all = new TreeSet<>(roles);
        all.add(ADMIN);
        return String.join(", ", all);
    }
}
