/** The algorithm API: what a Java algorithm (packaged as an OSGi bundle in an app.zip) codes against. */
@Export
@Version("1.0.0")
package org.iasplatform.api.algorithm;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
