/** Common types of the IAS platform API: errors shared by every service. */
@Export
@Version("1.0.0")
package org.iasplatform.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
