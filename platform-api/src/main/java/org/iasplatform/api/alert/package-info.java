/** Alerts to platform roles: silent or disconnected sensors, failed algorithm instances. */
@Export
@Version("1.0.0")
package org.iasplatform.api.alert;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
