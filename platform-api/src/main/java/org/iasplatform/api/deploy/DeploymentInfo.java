package org.iasplatform.api.deploy;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A deployment (one algorithm's schedule) as {@code GET /deployments} shows it.
 *
 * @param jobId           its job id
 * @param instanceId      its algorithm instance
 * @param applicationName the application
 * @param algorithmName   the algorithm
 * @param state           {@code ACTIVE} (will or may run), {@code FINISHED} (no run is due any more), {@code STOPPED}
 *                        (stopped by request)
 * @param schedulingInfo  the scheduling_info as given
 * @param nextRun         next start (null if none is due)
 * @param windowEnd       end of the current run's window (null if none)
 * @param createdAt       when it was accepted
 * @param runs            its runs and skips, oldest first
 */
public record DeploymentInfo(
        @JsonProperty("job_id") String jobId,
        @JsonProperty("instance_id") String instanceId,
        @JsonProperty("application_name") String applicationName,
        @JsonProperty("algorithm_name") String algorithmName,
        @JsonProperty("state") String state,
        @JsonProperty("scheduling_info") JsonNode schedulingInfo,
        @JsonProperty("next_run") Instant nextRun,
        @JsonProperty("window_end") Instant windowEnd,
        @JsonProperty("created_at") Instant createdAt,
        @JsonProperty("runs") List<Run> runs) {

    public static final String ACTIVE = "ACTIVE";
    public static final String FINISHED = "FINISHED";
    public static final String STOPPED = "STOPPED";

    public DeploymentInfo {
        runs = runs == null ? List.of() : List.copyOf(runs);
    }

    /**
     * One run or skip.
     *
     * @param runId   unique id of the run
     * @param at      when it fell due
     * @param trigger {@code scheduled}, {@code run-now}, {@code recovered} (fell due while the platform was down)
     * @param outcome {@code started}, {@code skipped} (the previous run was still going), {@code stop} (end time)
     */
    public record Run(
            @JsonProperty("run_id") String runId,
            @JsonProperty("at") Instant at,
            @JsonProperty("trigger") String trigger,
            @JsonProperty("outcome") String outcome) {
    }
}
