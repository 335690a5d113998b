/** Applications: the app repository (app.zip packages, versions, algorithms). */
@Export
@Version("1.0.0")
package org.iasplatform.api.app;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
