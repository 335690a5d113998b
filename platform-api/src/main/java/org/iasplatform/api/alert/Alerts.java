package org.iasplatform.api.alert;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.iasplatform.api.IasException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The stored alerts ({@code alerts.alerts}). Every alert raised, resolved or acknowledged is also published on
 * {@link #TOPIC} (key: the alert id, value: the alert's JSON), from which live views follow them.
 */
@ProviderType
public interface Alerts {
    /** The topic every change of an alert is published on. */
    String TOPIC = "alerts";
    /** The role that sees and may acknowledge every alert. */
    String ADMIN_ROLE = "admin";
    /** The most {@link #list} answers. */
    int MAX_LIMIT = 1000;

    /** The alerts for {@code user} or one of {@code roles} (admin: all) matching the filter, newest first. */
    List<Alert> list(AlertFilter filter, String user, Collection<String> roles) throws IasException;

    /** One alert, if it exists and is for {@code user} or one of {@code roles}. */
    Optional<Alert> alert(String id, String user, Collection<String> roles) throws IasException;

    /**
     * Acknowledges an alert for {@code user} (who and when are recorded; acknowledging again keeps the first). NOT_FOUND
     * if there is no such alert for this user or these roles.
     */
    Alert acknowledge(String id, String user, Collection<String> roles) throws IasException;
}
