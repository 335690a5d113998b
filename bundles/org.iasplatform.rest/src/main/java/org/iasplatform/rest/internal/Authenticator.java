package org.iasplatform.rest.internal;

import java.util.Optional;
import java.util.Set;

/** Checks a user name and password. */
@FunctionalInterface
public interface Authenticator {
    /** The user's roles when the credentials are right, empty otherwise. */
    Optional<Set<String>> authenticate(String user, String password);
}
