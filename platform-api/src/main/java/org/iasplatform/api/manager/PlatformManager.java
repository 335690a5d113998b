package org.iasplatform.api.manager;

import org.iasplatform.api.IasException;
import org.iasplatform.api.sensor.ControlCommand;
import org.iasplatform.api.sensor.SensorInstance;
import org.osgi.annotation.versioning.ProviderType;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The validated entry point of configuration into the platform: checks input with the {@code ConfigValidator}s, publishes
 * it to the pipeline's topics and waits (bounded) for the pipeline's outcome. Used by the REST API and the shell alike.
 * Nothing is stored or sent when input is refused.
 */
@ProviderType
public interface PlatformManager {
    /** Registers sensor types given as one object, an array, or {@code {"sensor_type_list": [...]}}. */
    RegistrationOutcome<String> registerSensorTypes(JsonNode document) throws IasException;

    /** Deletes a sensor type; CONFLICT while instances of it exist. */
    void deleteSensorType(String name) throws IasException;

    /** Registers sensor instances given as one object, an array, or {@code {"sensor_instance_list": [...]}}. */
    RegistrationOutcome<SensorInstance> registerSensorInstances(JsonNode document) throws IasException;

    /** Deletes a sensor instance (and its topics). */
    void deleteSensorInstance(String id) throws IasException;

    /** Checks a control command against the instance's type and publishes it to the instance's control topic. */
    void sendControl(String sensorInstanceId, ControlCommand command) throws IasException;
}
