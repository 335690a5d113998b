package org.iasplatform.api.node;

/**
 * What is to be placed.
 *
 * @param instanceId      the algorithm instance
 * @param applicationName its application
 * @param algorithmName   its algorithm
 * @param runtime         the runtime it needs (every candidate offers it)
 */
public record PlacementRequest(String instanceId, String applicationName, String algorithmName, String runtime) {
}
