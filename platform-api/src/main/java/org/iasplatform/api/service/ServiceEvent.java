package org.iasplatform.api.service;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One thing the service-lifecycle watchdog saw or did, as recorded in the store (collection
 * {@code slc.service_events}).
 *
 * @param platform  the platform instance whose watchdog recorded it ({@link PlatformServices#platformId()})
 * @param component the component's name
 * @param bundle    the symbolic name of the component's bundle
 * @param kind      what happened
 * @param reason    why, in words (the activation failure's first line, which consumer died, the back-off, ...)
 * @param restarts  the restarts of the component by this watchdog so far, this one included for {@code RESTARTED}
 * @param at        when, epoch ms
 */
public record ServiceEvent(
        @JsonProperty("platform") String platform,
        @JsonProperty("component") String component,
        @JsonProperty("bundle") String bundle,
        @JsonProperty("kind") ServiceEventKind kind,
        @JsonProperty("reason") String reason,
        @JsonProperty("restarts") int restarts,
        @JsonProperty("at") long at) {
}
