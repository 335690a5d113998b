package org.iasplatform.api.deploy;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What {@code POST /deployments} answers: per algorithm of the deploy config, its instance and job.
 *
 * @param requestId the request's id
 * @param completed whether the pipeline confirmed everything in time (else the ids are assigned but the outcome pending)
 * @param deployments one per algorithm, in the config's order
 */
public record DeploymentOutcome(
        @JsonProperty("request_id") String requestId,
        @JsonProperty("completed") boolean completed,
        @JsonProperty("deployments") List<Deployed> deployments) {

    public DeploymentOutcome {
        deployments = List.copyOf(deployments);
    }

    /**
     * One deployed algorithm.
     *
     * @param state SCHEDULED once the scheduler has it; for a stop request, STOPPED
     */
    public record Deployed(
            @JsonProperty("application_name") String applicationName,
            @JsonProperty("algorithm_name") String algorithmName,
            @JsonProperty("instance_id") String instanceId,
            @JsonProperty("job_id") String jobId,
            @JsonProperty("state") String state,
            @JsonProperty("next_run") String nextRun) {
    }
}
