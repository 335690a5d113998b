/**
 * Nodes: their reported status, the LoadBalancingStrategy plug point and the AppRuntime SPI; provisioning nodes over SSH
 * and decommissioning them (since 1.1).
 */
@Export
@Version("1.1.0")
package org.iasplatform.api.node;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
