package org.iasplatform.api.alert;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One alert: raised once when its condition begins, resolved when it ends; a new occurrence of the condition is a new
 * alert.
 *
 * @param id             its id
 * @param kind           what it is about
 * @param subject        the sensor instance id or algorithm instance id it is about
 * @param message        what happened, for people
 * @param roles          the platform roles it is for (admin sees every alert)
 * @param users          user names it is also for (e.g. the uploader of a failed instance's app); may be empty
 * @param state          ACTIVE while the condition holds, RESOLVED once it ended
 * @param raisedAt       when it was raised
 * @param resolvedAt     when its condition ended (null while ACTIVE)
 * @param acknowledgedBy who acknowledged it (null if nobody did)
 * @param acknowledgedAt when (null if nobody did)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Alert(
        @JsonProperty("id") String id,
        @JsonProperty("kind") AlertKind kind,
        @JsonProperty("subject") String subject,
        @JsonProperty("message") String message,
        @JsonProperty("roles") List<String> roles,
        @JsonProperty("users") List<String> users,
        @JsonProperty("state") AlertState state,
        @JsonProperty("raised_at") Instant raisedAt,
        @JsonProperty("resolved_at") Instant resolvedAt,
        @JsonProperty("acknowledged_by") String acknowledgedBy,
        @JsonProperty("acknowledged_at") Instant acknowledgedAt) {

    public Alert {
        roles = roles == null ? List.of() : List.copyOf(roles);
        users = users == null ? List.of() : List.copyOf(users);
    }

    /** Whether this alert is for {@code user} or one of {@code roles} (admin: every alert). */
    public boolean isFor(String user, Collection<String> callerRoles) {
        if (callerRoles != null && (callerRoles.contains(Alerts.ADMIN_ROLE)
                || callerRoles.stream().anyMatch(roles::contains))) {
            return true;
        }
        return user != null && !user.isEmpty() && users.contains(user);
    }
}
