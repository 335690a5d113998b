package org.iasplatform.lifecycle.internal;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.bson.Document;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.notification.Notification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;

/**
 * The {@code notifications.notifications} collection: one document per message of {@link Topics#NOTIFICATIONS},
 * {@code {_id, to, message, application_name, algorithm_name, instance_id, created_at, read_by: [users]}}. The id is
 * derived from the record's topic, partition and offset, and a record is inserted only if absent, so a redelivered record
 * is stored once and keeps its read marks. "Read" is per user ({@code read_by}), so a notification to a role is read
 * or unread for each of its members on their own.
 */
final class NotificationStore {
    private static final Logger LOG = LoggerFactory.getLogger(NotificationStore.class);
    static final String DATABASE = "notifications";
    static final String COLLECTION = "notifications";
    static final int MAX_LIMIT = 1000;

    private final MongoCollection<Document> notifications;
    private final ObjectMapper mapper;
    private final Clock clock;

    NotificationStore(MongoCollection<Document> notifications, ObjectMapper mapper, Clock clock) {
        this.notifications = notifications;
        this.mapper = mapper;
        this.clock = clock;
    }

    /** Creates the index of the recipient query (idempotent). */
    void createIndexes() {
        notifications.createIndex(Indexes.compoundIndex(Indexes.ascending("to"), Indexes.descending("created_at")),
                new IndexOptions().name("by_recipient"));
    }

    /** The id of the notification a record carries. */
    static String idOf(Message message) {
        return message.topic() + "-" + message.partition() + "-" + message.offset();
    }

    /** Stores one message of {@link Topics#NOTIFICATIONS} (once, however often it is delivered). */
    void handle(Message message) {
        JsonNode n;
        try {
            n = mapper.readTree(message.value());
        } catch (JsonProcessingException e) {
            LOG.warn("Dropping unreadable notification at {}-{}@{}: {}", message.topic(), message.partition(),
                    message.offset(), e.getOriginalMessage());
            return;
        }
        String to = n == null ? null : Docs.text(n, "to");
        if (to == null) {
            LOG.warn("Dropping notification at {}-{}@{}: it names no recipient (to)", message.topic(), message.partition(),
                    message.offset());
            return;
        }
        long at = n.path("timestamp").canConvertToLong() ? n.path("timestamp").asLong()
                : message.timestamp() > 0 ? message.timestamp() : clock.millis();
        String id = idOf(message);
        String instanceId = Docs.text(n, "instance_id") != null ? Docs.text(n, "instance_id") : message.key();
        notifications.updateOne(eq("_id", id), Updates.combine(
                Updates.setOnInsert("to", to),
                Updates.setOnInsert("message", n.path("message").asText("")),
                Updates.setOnInsert("application_name", Docs.text(n, "application_name")),
                Updates.setOnInsert("algorithm_name", Docs.text(n, "algorithm_name")),
                Updates.setOnInsert("instance_id", instanceId),
                Updates.setOnInsert("created_at", Docs.date(at)),
                Updates.setOnInsert("read_by", List.of())), new UpdateOptions().upsert(true));
    }

    /** The newest {@code limit} notifications to {@code user} or one of {@code roles}, newest first. */
    List<Notification> forRecipient(String user, Collection<String> roles, int limit) {
        Set<String> recipients = recipients(user, roles);
        if (recipients.isEmpty() || limit <= 0) {
            return List.of();
        }
        List<Notification> result = new ArrayList<>();
        notifications.find(in("to", recipients))
                .sort(Sorts.orderBy(Sorts.descending("created_at"), Sorts.descending("_id")))
                .limit(Math.min(limit, MAX_LIMIT))
                .forEach(d -> result.add(toNotification(d, user)));
        return result;
    }

    /** Marks a notification read for {@code user}; false if there is no such notification for this recipient. */
    boolean markRead(String id, String user, Collection<String> roles) {
        Set<String> recipients = recipients(user, roles);
        if (id == null || user == null || user.isEmpty() || recipients.isEmpty()) {
            return false;
        }
        return notifications.updateOne(and(eq("_id", id), in("to", recipients)), Updates.addToSet("read_by", user))
                .getMatchedCount() > 0;
    }

    private static Set<String> recipients(String user, Collection<String> roles) {
        Set<String> recipients = new LinkedHashSet<>();
        if (user != null && !user.isEmpty()) {
            recipients.add(user);
        }
        if (roles != null) {
            roles.stream().filter(Objects::nonNull).filter(r -> !r.isEmpty()).forEach(recipients::add);
        }
        return recipients;
    }

    private static Notification toNotification(Document d, String user) {
        List<String> readBy = d.getList("read_by", String.class, List.of());
        return new Notification(Docs.str(d, "_id"), Docs.str(d, "to"), Docs.str(d, "message"),
                Docs.str(d, "application_name"), Docs.str(d, "algorithm_name"), Docs.str(d, "instance_id"),
                Docs.instant(d, "created_at"), user != null && readBy.contains(user));
    }
}
