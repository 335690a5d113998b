/** Deployments and algorithm instances: schedules, bindings, instance states, logs. */
@Export
@Version("1.0.0")
package org.iasplatform.api.deploy;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
