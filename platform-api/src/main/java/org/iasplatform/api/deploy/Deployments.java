package org.iasplatform.api.deploy;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** Read access to deployments (schedules), kept by the scheduler in {@code scheduler_logs.deploy_configs}. */
@ProviderType
public interface Deployments {
    /** Every deployment, newest first. */
    List<DeploymentInfo> deployments();

    Optional<DeploymentInfo> deployment(String jobId);
}
