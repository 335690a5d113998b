/** Nodes: their reported status, the LoadBalancingStrategy plug point and the AppRuntime SPI. */
@Export
@Version("1.0.0")
package org.iasplatform.api.node;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
