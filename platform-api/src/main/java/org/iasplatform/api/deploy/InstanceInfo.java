package org.iasplatform.api.deploy;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An algorithm instance as {@code GET /instances} shows it.
 *
 * @param instanceId      assigned by the sensor binder (one per deployment job)
 * @param applicationName the application
 * @param applicationId   the application's id in the repository
 * @param appVersion      the app version it runs (0 before its first start)
 * @param algorithmName   the algorithm
 * @param jobId           the deployment (schedule) it belongs to
 * @param runtime         bundle, process, docker
 * @param node            the node it runs or last ran on (null before placement)
 * @param state           its state
 * @param restarts        how often it was restarted after a crash
 * @param runs            how often it was started (each scheduled or on-demand run counts)
 * @param startedAt       start of the current or last run (null before the first)
 * @param endedAt         end of the last run (null while running)
 * @param exitCode        exit code of the last run (null while running or unknown)
 * @param reason          why it is in its state (e.g. the failure, "end time reached")
 * @param sensors         its bound sensors, by index
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record InstanceInfo(
        @JsonProperty("instance_id") String instanceId,
        @JsonProperty("application_name") String applicationName,
        @JsonProperty("application_id") String applicationId,
        @JsonProperty("app_version") int appVersion,
        @JsonProperty("algorithm_name") String algorithmName,
        @JsonProperty("job_id") String jobId,
        @JsonProperty("runtime") String runtime,
        @JsonProperty("node") String node,
        @JsonProperty("state") InstanceState state,
        @JsonProperty("restarts") int restarts,
        @JsonProperty("runs") int runs,
        @JsonProperty("started_at") Instant startedAt,
        @JsonProperty("ended_at") Instant endedAt,
        @JsonProperty("exit_code") Integer exitCode,
        @JsonProperty("reason") String reason,
        @JsonProperty("sensors") List<BoundSensor> sensors) {

    public InstanceInfo {
        sensors = sensors == null ? List.of() : List.copyOf(sensors);
    }
}
