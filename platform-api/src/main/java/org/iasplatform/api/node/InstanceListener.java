package org.iasplatform.api.node;

import org.osgi.annotation.versioning.ProviderType;

/** How a runtime reports on an instance it runs (implemented by the node agent). Thread-safe. */
@ProviderType
public interface InstanceListener {
    /** One line of the instance's log; {@code stream} is stdout, stderr or log. */
    void log(String stream, String line);

    /**
     * The instance ended by itself: a process exited, a bundle algorithm's {@code run} returned or threw, a container
     * stopped. Not called after {@link RunningInstance#stop}.
     *
     * @param exitCode 0 for a normal end
     * @param reason   a short description (the exception, "exit 3", …)
     */
    void exited(int exitCode, String reason);
}
