/** The platform manager: validated entry point of configuration into the pipeline. */
@Export
@Version("1.1.0")
package org.iasplatform.api.manager;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
