/**
 * The platform's own components and their health: DS component state, Kafka consumers' liveness and lag, restarts by
 * the service-lifecycle watchdog and the events it recorded.
 */
@Export
@Version("1.0.0")
package org.iasplatform.api.service;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
