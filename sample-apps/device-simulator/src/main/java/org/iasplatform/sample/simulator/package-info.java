/**
 * Simulated devices of the Bus_management sample (GPS, biometric, light and temperature sensors) speaking the platform's
 * JSON-lines protocol as TCP servers: {@link org.iasplatform.sample.simulator.SimulatedDevice} for tests,
 * {@link org.iasplatform.sample.simulator.DeviceSimulator} as the command-line launcher.
 */
@Export
@Version("1.0.0")
package org.iasplatform.sample.simulator;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
