package org.iasplatform.api.service;

import java.util.List;

import org.iasplatform.api.messaging.SubscriptionInfo;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One platform component (a Declarative Services component of a platform bundle) as the service-lifecycle watchdog sees
 * it.
 *
 * @param name        the component's name
 * @param bundle      the symbolic name of its bundle
 * @param bundleId    the id of its bundle
 * @param state       its Declarative Services state: {@code ACTIVE}, {@code SATISFIED}, {@code UNSATISFIED_REFERENCE},
 *                    {@code UNSATISFIED_CONFIGURATION}, {@code FAILED_ACTIVATION}, or {@code DISABLED}
 * @param status      the watchdog's view
 * @param failure     what is wrong while it is not OK (null when healthy)
 * @param restarts    how often this watchdog restarted it
 * @param nextRestart when the next restart is due, epoch ms (null when none is)
 * @param lastEvent   the last event recorded for it by this watchdog (null when none)
 * @param platform    the platform instance it runs in ({@link PlatformServices#platformId()})
 * @param consumers   its Kafka consumers, with their lag when it was asked of the broker
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ServiceHealth(
        @JsonProperty("name") String name,
        @JsonProperty("bundle") String bundle,
        @JsonProperty("bundle_id") long bundleId,
        @JsonProperty("state") String state,
        @JsonProperty("status") ServiceStatus status,
        @JsonProperty("failure") String failure,
        @JsonProperty("restarts") int restarts,
        @JsonProperty("next_restart") Long nextRestart,
        @JsonProperty("last_event") ServiceEvent lastEvent,
        @JsonProperty("platform") String platform,
        @JsonProperty("consumers") List<SubscriptionInfo> consumers) {

    public ServiceHealth {
        consumers = consumers == null ? List.of() : List.copyOf(consumers);
    }
}
