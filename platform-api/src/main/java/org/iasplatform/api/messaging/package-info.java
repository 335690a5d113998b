/** Kafka-backed messaging between platform components: topics, publish, consume-then-commit subscriptions. */
@Export
@Version("1.2.0")
package org.iasplatform.api.messaging;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
