/** Where the platform's infrastructure (Kafka, MongoDB) is: configured or embedded. */
@Export
@Version("1.0.0")
package org.iasplatform.api.infra;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
