package org.iasplatform.api.manager;

import org.iasplatform.api.IasException;
import org.iasplatform.api.deploy.DeploymentOutcome;
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

    /**
     * Deploys: checks a deployConfig.json (seed form {@code {"noOfAlgo": N, "1": {...}}} or {@code {"algorithms": [...]}})
     * completely — validators, the application and algorithm exist, every {@code sensor_info} entry can be bound — and
     * publishes one request per algorithm to {@code pm_to_sensor_binder}. A {@code stop} request stops and unschedules its
     * {@code job_id}. Nothing is published when any part is refused.
     */
    DeploymentOutcome deploy(JsonNode document) throws IasException;

    /** Stops and unschedules a deployment (NOT_FOUND if unknown). */
    void stopDeployment(String jobId) throws IasException;

    /** Runs a deployment now (an on-demand run); NOT_FOUND if unknown, CONFLICT if it is stopped. */
    void runDeployment(String jobId) throws IasException;
}
