package org.iasplatform.api.sensor;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** The sensor manager's view of every registered instance's connection (state, driver, counts). */
@ProviderType
public interface SensorConnections {
    List<SensorStatus> statuses();

    Optional<SensorStatus> status(String sensorInstanceId);
}
