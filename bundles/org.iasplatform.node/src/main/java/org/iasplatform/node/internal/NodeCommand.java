package org.iasplatform.node.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.iasplatform.api.deploy.BoundSensor;
import org.iasplatform.api.sensor.SensorType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One message of {@code node_commands_<node id>} (docs/pipeline-messages.md):
 *
 * <pre>
 * {"op": "start", "instance_id", "job_id", "run_id", "generation": N, "token", "application_name", "algorithm_name",
 *  "launch": {"runtime", "application_id", "version", "package_id", "root", "entry", "lang"},
 *  "sensors": [BoundSensor JSON], "sensor_types": {name: SensorType JSON}, "node_epoch": N}
 * {"op": "stop", "instance_id", "generation": N, "reason"}
 * </pre>
 *
 * {@code nodeEpoch}: the epoch of the node agent the start was addressed to (server-lifecycle's view when it placed it);
 * null when the command does not say.
 */
record NodeCommand(String op, String instanceId, long generation, String runId, String jobId, String token,
        String applicationName, String algorithmName, Launch launch, List<BoundSensor> sensors,
        Map<String, SensorType> sensorTypes, String reason, Long nodeEpoch) {

    static final String START = "start";
    static final String STOP = "stop";

    /** The {@code launch} block of a start. */
    record Launch(String runtime, String applicationId, String version, String packageId, String root, String entry,
            String lang) {
    }

    /**
     * A command that cannot be carried out as it is; its op, instance id, generation and run id when they were readable.
     */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;
        private final String op;
        private final String instanceId;
        private final Long generation;
        private final String runId;

        Malformed(String message, String op, String instanceId, Long generation, String runId) {
            super(message);
            this.op = op;
            this.instanceId = instanceId;
            this.generation = generation;
            this.runId = runId;
        }

        String op() {
            return op;
        }

        String instanceId() {
            return instanceId;
        }

        Long generation() {
            return generation;
        }

        String runId() {
            return runId;
        }
    }

    static NodeCommand parse(ObjectMapper mapper, String json) throws Malformed {
        JsonNode root;
        try {
            root = mapper.readTree(json == null ? "" : json);
        } catch (JsonProcessingException e) {
            throw new Malformed("not JSON: " + e.getOriginalMessage(), null, null, null, null);
        }
        if (root == null || !root.isObject()) {
            throw new Malformed("not a JSON object", null, null, null, null);
        }
        String instanceId = text(root, "instance_id");
        String runId = text(root, "run_id");
        Long generation = generation(root.path("generation"));
        String op = text(root, "op");
        if (instanceId == null || instanceId.isBlank()) {
            throw new Malformed("no instance_id", op, null, generation, runId);
        }
        if (generation == null) {
            throw new Malformed("no integral generation", op, instanceId, null, runId);
        }
        if (!START.equals(op) && !STOP.equals(op)) {
            throw new Malformed("unknown op \"" + op + "\" (expected start or stop)", op, instanceId, generation, runId);
        }
        if (STOP.equals(op)) {
            return new NodeCommand(op, instanceId, generation, runId, text(root, "job_id"), null, null, null, null,
                    List.of(), Map.of(), text(root, "reason"), null);
        }
        JsonNode launchNode = root.path("launch");
        if (!launchNode.isObject()) {
            throw new Malformed("a start without a launch block", op, instanceId, generation, runId);
        }
        Launch launch = new Launch(text(launchNode, "runtime"), text(launchNode, "application_id"),
                text(launchNode, "version"), text(launchNode, "package_id"), text(launchNode, "root"),
                text(launchNode, "entry"), text(launchNode, "lang"));
        List<BoundSensor> sensors;
        Map<String, SensorType> types = new LinkedHashMap<>();
        try {
            sensors = root.path("sensors").isArray()
                    ? List.of(mapper.treeToValue(root.path("sensors"), BoundSensor[].class)) : List.of();
            JsonNode typesNode = root.path("sensor_types");
            if (typesNode.isObject()) {
                var fields = typesNode.fields();
                while (fields.hasNext()) {
                    var field = fields.next();
                    types.put(field.getKey(), mapper.treeToValue(field.getValue(), SensorType.class));
                }
            }
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new Malformed("unreadable sensors or sensor_types: " + e.getMessage(), op, instanceId, generation,
                    runId);
        }
        return new NodeCommand(op, instanceId, generation, runId, text(root, "job_id"), text(root, "token"),
                text(root, "application_name"), text(root, "algorithm_name"), launch, sensors, types, null,
                generation(root.path("node_epoch")));
    }

    /** An integral number, or a text of digits; else null. */
    private static Long generation(JsonNode node) {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.asLong();
        }
        if (node.isTextual() && node.asText().trim().matches("-?\\d{1,18}")) {
            return Long.parseLong(node.asText().trim());
        }
        return null;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
