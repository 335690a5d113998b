package org.iasplatform.api.node;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Runs algorithm instances on a node: {@code bundle} (a Java algorithm bundle installed into the node's Karaf),
 * {@code process} (a script run as a child process), {@code docker}. Registered as a service with
 * {@link #PROPERTY_KIND}; the node agent picks the runtime by the algorithm's kind and reports the kinds it offers.
 */
@ConsumerType
public interface AppRuntime {
    /** Service property: the kind of runtime (bundle, process, docker). */
    String PROPERTY_KIND = "ias.runtime";

    /**
     * Starts an instance. Returns once it runs (a process spawned, a bundle started and its algorithm running); its end
     * and its log are reported to {@code listener}.
     *
     * @throws Exception when it cannot be started (the message says why)
     */
    RunningInstance start(InstanceLaunch launch, InstanceListener listener) throws Exception;
}
