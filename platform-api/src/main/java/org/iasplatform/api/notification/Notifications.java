package org.iasplatform.api.notification;

import java.util.Collection;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The stored notifications (from the {@code notifications} topic). */
@ProviderType
public interface Notifications {
    /** The newest {@code limit} notifications addressed to {@code user} or to one of {@code roles}, newest first. */
    List<Notification> forRecipient(String user, Collection<String> roles, int limit);

    /** Marks a notification read; false if there is no such notification for this recipient. */
    boolean markRead(String id, String user, Collection<String> roles);
}
