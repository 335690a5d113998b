package org.iasplatform.api.node;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One provisioning of a node over SSH ({@link NodeProvisioning}), as it stands.
 *
 * @param provisionId its id
 * @param nodeId      the node being provisioned
 * @param host        its host
 * @param user        the SSH user
 * @param port        the SSH port
 * @param remoteDir   where the node distribution goes on the host
 * @param state       RUNNING, SUCCEEDED or FAILED
 * @param step        the step under way, the last one (SUCCEEDED) or the one that failed: connect, check, copy, unpack,
 *                    configure, start, heartbeat
 * @param progress    what happened so far, one line per event, oldest first
 * @param error       why it failed (which step, what the host answered); null unless FAILED
 * @param startedAt   when it started
 * @param endedAt     when it ended (null while RUNNING)
 * @since 1.1
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Provision(
        @JsonProperty("provision_id") String provisionId,
        @JsonProperty("node_id") String nodeId,
        @JsonProperty("host") String host,
        @JsonProperty("user") String user,
        @JsonProperty("port") int port,
        @JsonProperty("dir") String remoteDir,
        @JsonProperty("state") State state,
        @JsonProperty("step") String step,
        @JsonProperty("progress") List<String> progress,
        @JsonProperty("error") String error,
        @JsonProperty("started_at") Instant startedAt,
        @JsonProperty("ended_at") Instant endedAt) {

    /** Where a provisioning is. */
    public enum State {
        /** Under way. */
        RUNNING,
        /** The node runs and its first heartbeat arrived. */
        SUCCEEDED,
        /** A step failed ({@code step}, {@code error}). */
        FAILED
    }

    public Provision {
        progress = progress == null ? List.of() : List.copyOf(progress);
    }

    /** Whether it has ended (succeeded or failed). */
    public boolean done() {
        return state != State.RUNNING;
    }
}
