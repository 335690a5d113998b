package org.iasplatform.api.node;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A node with the figures of its last heartbeat.
 *
 * @param nodeId        its id
 * @param host          its host name
 * @param state         UP, SUSPECT, DOWN
 * @param cpu           cpu usage 0..1 as the node reported it
 * @param mem           memory usage 0..1 as the node reported it
 * @param instances     algorithm instances it runs
 * @param runtimes      the AppRuntime kinds it offers (bundle, process, …)
 * @param epoch         the node agent's start time (a new epoch means the agent restarted)
 * @param lastHeartbeat epoch ms of the last heartbeat
 */
public record NodeStatus(
        @JsonProperty("node_id") String nodeId,
        @JsonProperty("host") String host,
        @JsonProperty("state") NodeState state,
        @JsonProperty("cpu") double cpu,
        @JsonProperty("mem") double mem,
        @JsonProperty("instances") int instances,
        @JsonProperty("runtimes") List<String> runtimes,
        @JsonProperty("epoch") long epoch,
        @JsonProperty("last_heartbeat") long lastHeartbeat) {

    public NodeStatus {
        runtimes = runtimes == null ? List.of() : List.copyOf(runtimes);
    }

    /** The seed's load figure: {@code 0.5 * mem_usage + 0.5 * cpu_usage}. */
    @JsonProperty("load")
    public double load() {
        return 0.5 * mem + 0.5 * cpu;
    }
}
