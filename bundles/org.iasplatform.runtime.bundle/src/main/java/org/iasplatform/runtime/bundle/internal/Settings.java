package org.iasplatform.runtime.bundle.internal;

import java.time.Duration;

/**
 * How the bundle runtime runs algorithms.
 *
 * @param serviceWait    how long a start waits for the algorithm bundle to register its Algorithm service
 * @param publishTimeout how long a control command, notification or feed message waits for Kafka's acknowledgement
 * @param maxLineLength  longest log line forwarded (characters)
 */
record Settings(Duration serviceWait, Duration publishTimeout, int maxLineLength) {
}
