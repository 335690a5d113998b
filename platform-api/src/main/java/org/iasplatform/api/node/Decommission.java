package org.iasplatform.api.node;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A node's decommissioning, as {@link NodeDecommissioning#decommission} answers it.
 *
 * @param nodeId      the node
 * @param state       {@link NodeState#DRAINING} while its instances move, then {@link NodeState#DECOMMISSIONED}
 * @param requestedAt when it was asked for (the first time)
 * @param force       whether it was forced (no other node needed to take its instances)
 * @param moving      the instances it still runs by the records, to be moved to other nodes
 * @param message     what happens now, in words
 * @since 1.1
 */
public record Decommission(
        @JsonProperty("node_id") String nodeId,
        @JsonProperty("state") NodeState state,
        @JsonProperty("requested_at") Instant requestedAt,
        @JsonProperty("force") boolean force,
        @JsonProperty("moving") List<String> moving,
        @JsonProperty("message") String message) {

    public Decommission {
        moving = moving == null ? List.of() : List.copyOf(moving);
    }
}
