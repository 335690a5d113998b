package org.iasplatform.lifecycle.internal;

import java.time.Clock;
import java.util.Collection;
import java.util.List;

import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.notification.Notification;
import org.iasplatform.api.notification.Notifications;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;

/**
 * The notification store: consumes {@link Topics#NOTIFICATIONS} in a consumer group, stores every notification in
 * {@code notifications.notifications} ({@link NotificationStore}) and serves them as {@link Notifications}.
 */
@Component(service = Notifications.class, immediate = true, configurationPid = "org.iasplatform.notifications",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = NotificationStoreComponent.Config.class)
public class NotificationStoreComponent implements Notifications {

    @ObjectClassDefinition(name = "IAS notification store", description = "Stores algorithms' notifications to end users.")
    public @interface Config {
        @AttributeDefinition(name = "Consumer group", description = "Kafka consumer group shared by every platform instance.")
        String consumer__group() default "notification-store";
    }

    private final NotificationStore store;
    private final Subscription subscription;

    @Activate
    public NotificationStoreComponent(@Reference(target = "(ias.store=platform)") MongoClient mongo,
            @Reference Messaging messaging, Config config) {
        this.store = new NotificationStore(
                mongo.getDatabase(NotificationStore.DATABASE).getCollection(NotificationStore.COLLECTION),
                new ObjectMapper(), Clock.systemUTC());
        store.createIndexes();
        this.subscription = messaging.subscribe(config.consumer__group(), List.of(Topics.NOTIFICATIONS), store::handle);
    }

    @Deactivate
    void deactivate() {
        subscription.close();
    }

    @Override
    public List<Notification> forRecipient(String user, Collection<String> roles, int limit) {
        return store.forRecipient(user, roles, limit);
    }

    @Override
    public boolean markRead(String id, String user, Collection<String> roles) {
        return store.markRead(id, user, roles);
    }
}
