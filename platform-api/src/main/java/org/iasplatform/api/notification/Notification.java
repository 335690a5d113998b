package org.iasplatform.api.notification;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A notification to end users.
 *
 * @param id              its id
 * @param to              a user name or a role name
 * @param message         the text
 * @param applicationName the application whose algorithm sent it
 * @param algorithmName   the algorithm
 * @param instanceId      the algorithm instance
 * @param createdAt       when it was sent
 * @param read            whether the recipient marked it read
 */
public record Notification(
        @JsonProperty("id") String id,
        @JsonProperty("to") String to,
        @JsonProperty("message") String message,
        @JsonProperty("application_name") String applicationName,
        @JsonProperty("algorithm_name") String algorithmName,
        @JsonProperty("instance_id") String instanceId,
        @JsonProperty("created_at") Instant createdAt,
        @JsonProperty("read") boolean read) {
}
