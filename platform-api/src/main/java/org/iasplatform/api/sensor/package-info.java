/** Sensor types, instances, readings, the SensorDriver SPI and the sensor registry. */
@Export
@Version("1.2.0")
package org.iasplatform.api.sensor;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
