package org.iasplatform.api.node;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.iasplatform.api.deploy.BoundSensor;
import org.iasplatform.api.sensor.SensorType;

/**
 * Everything a runtime needs to start one algorithm instance.
 *
 * @param instanceId      the instance id (a process gets it as first argument)
 * @param jobId           its deployment
 * @param applicationName its application
 * @param algorithmName   its algorithm
 * @param directory       the app's files, extracted for this instance (the folder holding appConfig.json)
 * @param entry           the algorithm file relative to {@code directory} (a bundle jar, a script)
 * @param lang            {@code environment.lang} of the deploy config (python, bash, node, …); may be empty
 * @param environment     what the instance gets in its environment: {@code IAS_API_URL}, {@code IAS_INSTANCE_ID},
 *                        {@code IAS_TOKEN}; from node agents of API 1.1 on also {@code IAS_NODE_ID} and
 *                        {@code IAS_GENERATION}
 * @param sensors         its bound sensors, by index
 * @param sensorTypes     the types of its bound sensors, by name (to check control commands)
 */
public record InstanceLaunch(
        String instanceId,
        String jobId,
        String applicationName,
        String algorithmName,
        Path directory,
        String entry,
        String lang,
        Map<String, String> environment,
        List<BoundSensor> sensors,
        Map<String, SensorType> sensorTypes) {

    public static final String ENV_API_URL = "IAS_API_URL";
    public static final String ENV_INSTANCE_ID = "IAS_INSTANCE_ID";
    public static final String ENV_TOKEN = "IAS_TOKEN";
    /**
     * The id of the node that runs the instance.
     *
     * @since 1.1
     */
    public static final String ENV_NODE_ID = "IAS_NODE_ID";
    /**
     * The instance's generation on that node (it grows with every start of the instance).
     *
     * @since 1.1
     */
    public static final String ENV_GENERATION = "IAS_GENERATION";

    public InstanceLaunch {
        environment = Map.copyOf(environment);
        sensors = List.copyOf(sensors);
        sensorTypes = Map.copyOf(sensorTypes);
    }
}
