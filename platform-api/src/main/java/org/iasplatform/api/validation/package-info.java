/** The ConfigValidator whiteboard: validators per config kind. */
@Export
@Version("1.0.0")
package org.iasplatform.api.validation;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
