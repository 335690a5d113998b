package org.iasplatform.rest.internal;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs in against a JAAS realm (Karaf's {@code karaf} by default); the roles are the names of the RolePrincipals. */
public final class JaasAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(JaasAuthenticator.class);

    private final String realm;

    public JaasAuthenticator(String realm) {
        this.realm = realm;
    }

    @Override
    public Optional<Set<String>> authenticate(String user, String password) {
        Thread thread = Thread.currentThread();
        ClassLoader tccl = thread.getContextClassLoader();
        // Karaf's realms name org.apache.karaf.jaas.boot.ProxyLoginModule, loaded by LoginContext through the TCCL.
        thread.setContextClassLoader(JaasAuthenticator.class.getClassLoader());
        try {
            Subject subject = new Subject();
            LoginContext context = new LoginContext(realm, subject, callbacks -> handle(callbacks, user, password));
            context.login();
            Set<String> roles = new TreeSet<>();
            subject.getPrincipals(RolePrincipal.class).forEach(p -> roles.add(p.getName()));
            try {
                context.logout();
            } catch (LoginException e) {
                LOG.debug("JAAS logout of {} failed", user, e);
            }
            return Optional.of(roles);
        } catch (FailedLoginException e) {
            LOG.debug("login of {} in realm {} refused: {}", user, realm, e.getMessage());
            return Optional.empty();
        } catch (LoginException | SecurityException e) {
            LOG.warn("login of {} in realm {} failed: {}", user, realm, e.toString());
            return Optional.empty();
        } finally {
            thread.setContextClassLoader(tccl);
        }
    }

    private static void handle(Callback[] callbacks, String user, String password) throws UnsupportedCallbackException {
        for (Callback callback : callbacks) {
            if (callback instanceof NameCallback name) {
                name.setName(user);
            } else if (callback instanceof PasswordCallback pw) {
                pw.setPassword(password.toCharArray());
            } else {
                throw new UnsupportedCallbackException(callback);
            }
        }
    }
}
