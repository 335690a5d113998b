package org.iasplatform.api.deploy;

import java.util.List;
import java.util.Optional;

import org.iasplatform.api.IasException;
import org.osgi.annotation.versioning.ProviderType;

/** Read access to algorithm instances (kept by server-lifecycle from the nodes' reports). */
@ProviderType
public interface InstanceRegistry {
    /** Every instance, newest first. */
    List<InstanceInfo> instances();

    Optional<InstanceInfo> instance(String instanceId);

    /** The last {@code tail} lines of an instance's log, oldest first. NOT_FOUND for an unknown instance. */
    List<InstanceLogLine> logs(String instanceId, int tail) throws IasException;

    /**
     * The instance a bearer token belongs to, if the token is the current token of {@code instanceId} (constant-time
     * comparison of hashes; tokens are never stored in clear).
     */
    Optional<InstanceInfo> authenticate(String instanceId, String token);

    /** The instance whose current token this is (for calls that do not name the instance). */
    Optional<InstanceInfo> authenticate(String token);
}
