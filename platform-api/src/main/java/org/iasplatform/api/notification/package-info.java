/** Notifications from algorithms to end users. */
@Export
@Version("1.0.0")
package org.iasplatform.api.notification;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
