package org.iasplatform.api.manager;

import java.util.List;

/**
 * What a registration through the pipeline came to.
 *
 * @param requestId  the id the request travels under (the Kafka message key)
 * @param completed  whether the pipeline answered in time; if not, the request is accepted and still under way
 * @param registered what was registered (type names, or instances), when completed
 */
public record RegistrationOutcome<T>(String requestId, boolean completed, List<T> registered) {
    public RegistrationOutcome {
        registered = registered == null ? List.of() : List.copyOf(registered);
    }
}
