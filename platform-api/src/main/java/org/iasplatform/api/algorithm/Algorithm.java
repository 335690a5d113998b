package org.iasplatform.api.algorithm;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A Java algorithm. An algorithm bundle (named as {@code script.name} in appConfig.json, e.g. {@code lightControl.jar})
 * registers one service of this type with {@link #PROPERTY_NAME} = its {@code algorithm_name} (a Declarative Services
 * component). The bundle runtime calls {@link #run} once per algorithm instance, on a thread of its own, with that
 * instance's context; several instances of the same algorithm may run at once.
 */
@ConsumerType
@FunctionalInterface
public interface Algorithm {
    /** Service property: the {@code algorithm_name} this service implements. */
    String PROPERTY_NAME = "ias.algorithm";

    /**
     * Runs one instance until its work is done or {@link AlgorithmContext#isStopped() it is stopped} (the thread is then
     * interrupted too). Returning ends the instance normally; an exception is a crash.
     */
    void run(AlgorithmContext context) throws Exception;
}
