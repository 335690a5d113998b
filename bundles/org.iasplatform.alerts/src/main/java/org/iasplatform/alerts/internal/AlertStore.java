package org.iasplatform.alerts.internal;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.or;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.iasplatform.api.alert.Alert;
import org.iasplatform.api.alert.AlertFilter;
import org.iasplatform.api.alert.AlertKind;
import org.iasplatform.api.alert.AlertState;
import org.iasplatform.api.alert.Alerts;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Updates;

/**
 * The {@code alerts.alerts} collection: {@code {_id, kind, subject, message, roles, users, state, raised_at,
 * resolved_at, acknowledged_by, acknowledged_at}}. At most one ACTIVE alert per kind and subject: {@link #raise} of a
 * condition that already has one changes nothing.
 */
final class AlertStore {
    static final String DATABASE = "alerts";
    static final String COLLECTION = "alerts";

    private final MongoCollection<Document> alerts;

    AlertStore(MongoCollection<Document> alerts) {
        this.alerts = alerts;
    }

    /** Creates the indexes of the checker's and the listing's queries (idempotent). */
    void createIndexes() {
        alerts.createIndex(Indexes.compoundIndex(Indexes.ascending("kind"), Indexes.ascending("subject"),
                Indexes.ascending("state")), new IndexOptions().name("by_condition"));
        alerts.createIndex(Indexes.descending("raised_at"), new IndexOptions().name("by_time"));
    }

    /**
     * Raises an alert unless one of this kind and subject is ACTIVE already.
     *
     * @return the new alert; empty if the condition had one
     */
    Optional<Alert> raise(AlertKind kind, String subject, String message, List<String> roles, List<String> users,
            Instant at) {
        if (active(kind, subject).isPresent()) {
            return Optional.empty();
        }
        Document d = new Document("_id", new ObjectId().toHexString())
                .append("kind", kind.name())
                .append("subject", subject)
                .append("message", message)
                .append("roles", List.copyOf(roles))
                .append("users", List.copyOf(users))
                .append("state", AlertState.ACTIVE.name())
                .append("raised_at", Date.from(at))
                .append("resolved_at", null)
                .append("acknowledged_by", null)
                .append("acknowledged_at", null);
        alerts.insertOne(d);
        return Optional.of(toAlert(d));
    }

    /** The ACTIVE alert of this kind and subject. */
    Optional<Alert> active(AlertKind kind, String subject) {
        return Optional.ofNullable(alerts.find(and(eq("kind", kind.name()), eq("subject", subject),
                eq("state", AlertState.ACTIVE.name()))).first()).map(AlertStore::toAlert);
    }

    /** Every ACTIVE alert of a kind. */
    List<Alert> active(AlertKind kind) {
        List<Alert> result = new ArrayList<>();
        alerts.find(and(eq("kind", kind.name()), eq("state", AlertState.ACTIVE.name()))).forEach(d -> result.add(toAlert(d)));
        return result;
    }

    /** Resolves the ACTIVE alert of this kind and subject; empty if there is none. */
    Optional<Alert> resolve(AlertKind kind, String subject, Instant at) {
        return Optional.ofNullable(alerts.findOneAndUpdate(
                and(eq("kind", kind.name()), eq("subject", subject), eq("state", AlertState.ACTIVE.name())),
                Updates.combine(Updates.set("state", AlertState.RESOLVED.name()), Updates.set("resolved_at", Date.from(at))),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER))).map(AlertStore::toAlert);
    }

    /** The alerts for {@code user} or {@code roles} (admin: all) matching the filter, newest first. */
    List<Alert> list(AlertFilter filter, String user, Collection<String> roles) {
        List<Bson> conditions = new ArrayList<>();
        Optional<Bson> audience = audience(user, roles);
        if (audience.isEmpty()) {
            return List.of();
        }
        if (audience.get() != ALL) {
            conditions.add(audience.get());
        }
        if (filter.kind() != null) {
            conditions.add(eq("kind", filter.kind().name()));
        }
        if (filter.state() != null) {
            conditions.add(eq("state", filter.state().name()));
        }
        if (filter.subject() != null) {
            conditions.add(eq("subject", filter.subject()));
        }
        if (filter.acknowledged() != null) {
            conditions.add(filter.acknowledged() ? Filters.ne("acknowledged_at", null) : eq("acknowledged_at", null));
        }
        List<Alert> result = new ArrayList<>();
        alerts.find(conditions.isEmpty() ? new Document() : and(conditions))
                .sort(Sorts.orderBy(Sorts.descending("raised_at"), Sorts.descending("_id")))
                .limit(Math.max(1, Math.min(filter.limit(), Alerts.MAX_LIMIT)))
                .forEach(d -> result.add(toAlert(d)));
        return result;
    }

    /** One alert for {@code user} or {@code roles}. */
    Optional<Alert> alert(String id, String user, Collection<String> roles) {
        Optional<Bson> audience = audience(user, roles);
        if (id == null || audience.isEmpty()) {
            return Optional.empty();
        }
        Bson byId = eq("_id", id);
        return Optional.ofNullable(alerts.find(audience.get() == ALL ? byId : and(byId, audience.get())).first())
                .map(AlertStore::toAlert);
    }

    /**
     * Records that {@code user} acknowledged the alert (the first acknowledgement is kept).
     *
     * @return the alert after it; empty if there is no such alert for this user or these roles
     */
    Optional<Alert> acknowledge(String id, String user, Collection<String> roles, Instant at) {
        Optional<Alert> alert = alert(id, user, roles);
        if (alert.isEmpty() || alert.get().acknowledgedAt() != null) {
            return alert;
        }
        Document after = alerts.findOneAndUpdate(and(eq("_id", id), eq("acknowledged_at", null)),
                Updates.combine(Updates.set("acknowledged_by", user), Updates.set("acknowledged_at", Date.from(at))),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
        return after != null ? Optional.of(toAlert(after)) : alert(id, user, roles);
    }

    private static final Bson ALL = new Document();

    /** Who may see an alert: ALL for admin, none without a user or role. */
    private static Optional<Bson> audience(String user, Collection<String> roles) {
        Set<String> named = new LinkedHashSet<>();
        if (roles != null) {
            roles.stream().filter(Objects::nonNull).filter(r -> !r.isEmpty()).forEach(named::add);
        }
        if (named.contains(Alerts.ADMIN_ROLE)) {
            return Optional.of(ALL);
        }
        List<Bson> either = new ArrayList<>();
        if (!named.isEmpty()) {
            either.add(in("roles", named));
        }
        if (user != null && !user.isEmpty()) {
            either.add(eq("users", user));
        }
        return either.isEmpty() ? Optional.empty() : Optional.of(or(either));
    }

    static Alert toAlert(Document d) {
        return new Alert(d.getString("_id"), AlertKind.valueOf(d.getString("kind")), d.getString("subject"),
                d.getString("message"), d.getList("roles", String.class, List.of()), d.getList("users", String.class,
                List.of()), AlertState.valueOf(d.getString("state")), instant(d, "raised_at"), instant(d, "resolved_at"),
                d.getString("acknowledged_by"), instant(d, "acknowledged_at"));
    }

    private static Instant instant(Document d, String field) {
        Date date = d.getDate(field);
        return date == null ? null : date.toInstant();
    }
}
