package org.iasplatform.api.messaging;

import java.util.List;

/** The platform's topic names; the seed's topics keep their names. */
public final class Topics {
    public static final String PM_TO_SENSOR_TYPE_REG = "pm_to_sensor_type_reg";
    public static final String PM_TO_SENSOR_INS_REG = "pm_to_sensor_ins_reg";
    public static final String PM_TO_SENSOR_BINDER = "pm_to_sensor_binder";
    public static final String SENSOR_BINDER_TO_SCHEDULER = "sensor_binder_to_scheduler";
    public static final String SCHEDULER_TO_DEPLOYER = "scheduler_to_deployer";
    public static final String DEPLOYER_TO_SLC = "deployer_to_slc";
    /** Outcomes of the sensor registry's work (registered, deleted, refused), keyed by request id. */
    public static final String SENSOR_REGISTRY_EVENTS = "sensor_registry_events";
    /** Node agents' heartbeats, keyed by node id. */
    public static final String NODE_HEARTBEATS = "node_heartbeats";

    /** Outcomes of the deployment pipeline's steps (sensor binder, scheduler), keyed by request id. */
    public static final String DEPLOYMENT_EVENTS = "deployment_events";
    /** Node agents' reports on instances (STARTING, RUNNING, STOPPED, FAILED), keyed by instance id. */
    public static final String INSTANCE_EVENTS = "instance_events";
    /** Algorithms' notifications to end users, keyed by instance id. */
    public static final String NOTIFICATIONS = "notifications";
    /**
     * The connection status of each sensor instance as the platform instance serving the devices sees it, keyed by sensor
     * instance id, republished periodically (other platform instances answer status queries from it).
     */
    public static final String SENSOR_STATUS = "sensor_status";

    /** Every fixed topic, created when the platform starts. */
    public static final List<String> ALL = List.of(PM_TO_SENSOR_TYPE_REG, PM_TO_SENSOR_INS_REG, PM_TO_SENSOR_BINDER,
            SENSOR_BINDER_TO_SCHEDULER, SCHEDULER_TO_DEPLOYER, DEPLOYER_TO_SLC, SENSOR_REGISTRY_EVENTS, NODE_HEARTBEATS,
            DEPLOYMENT_EVENTS, INSTANCE_EVENTS, NOTIFICATIONS, SENSOR_STATUS);

    private static final String DATA_PREFIX = "sensor_data_";
    private static final String NODE_COMMANDS_PREFIX = "node_commands_";
    private static final String INSTANCE_LOG_PREFIX = "instance_log_";
    private static final String APP_FEED_PREFIX = "app_feed_";
    private static final String CONTROL_PREFIX = "sensor_control_";

    private Topics() {
    }

    /** The topic a sensor instance's readings are published to. */
    public static String dataTopic(String sensorInstanceId) {
        return DATA_PREFIX + sensorInstanceId;
    }

    /** The topic control commands for a sensor instance are published to. */
    public static String controlTopic(String sensorInstanceId) {
        return CONTROL_PREFIX + sensorInstanceId;
    }

    /** A regular expression matching every control topic. */
    public static String controlTopicPattern() {
        return CONTROL_PREFIX + ".*";
    }

    /** The sensor instance id of a control topic name. */
    public static String instanceOfControlTopic(String topic) {
        return topic.startsWith(CONTROL_PREFIX) ? topic.substring(CONTROL_PREFIX.length()) : null;
    }

    /** The topic server-lifecycle sends a node's start/stop commands to (consumed by that node's agent). */
    public static String nodeCommands(String nodeId) {
        return NODE_COMMANDS_PREFIX + safe(nodeId);
    }

    /** The topic an algorithm instance's log lines go to. */
    public static String instanceLog(String instanceId) {
        return INSTANCE_LOG_PREFIX + safe(instanceId);
    }

    /** The topic of an application's feed (what its algorithms publish for its UI; the seed's {@code bus_<id>}). */
    public static String appFeed(String applicationName) {
        return APP_FEED_PREFIX + safe(applicationName);
    }

    /** A name made of the characters Kafka allows in topic names ({@code [a-zA-Z0-9._-]}), others replaced by '_'. */
    private static String safe(String name) {
        return name.replaceAll("[^a-zA-Z0-9._-]", "_");
    }
}
