package org.iasplatform.lifecycle.internal;

import org.iasplatform.api.messaging.Topics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Pipeline messages for the tests. */
final class TestMessages {
    private TestMessages() {
    }

    /** A deployer_to_slc start as the deployer publishes it (docs/pipeline-messages.md). */
    static ObjectNode start(ObjectMapper mapper, String instanceId, String runId, String runtime) {
        ObjectNode m = mapper.createObjectNode();
        m.put("op", "start").put("run_id", runId).put("trigger", "scheduled").put("job_id", "job-" + instanceId)
                .put("instance_id", instanceId);
        ObjectNode deploy = m.putObject("deploy");
        deploy.put("application_name", "Bus_management").put("algorithm_name", "lightControl");
        deploy.putArray("script_name").add("lightControl.py");
        deploy.putObject("environment").put("lang", "python");
        m.putObject("app").put("application_id", "2").put("version", 1);
        m.putArray("sensors").addObject().put("index", 0).put("sensor_instance_id", "si-1").put("sensor_type", "gps-sensor")
                .put("data_topic", Topics.dataTopic("si-1")).put("control_topic", Topics.controlTopic("si-1"));
        m.putNull("window_end");
        m.putObject("launch").put("runtime", runtime).put("application_id", "2").put("version", 1)
                .put("package_id", "pkg-1").put("root", "").put("entry", "lightControl.py").put("lang", "python");
        m.putObject("sensor_types").putObject("gps-sensor").put("sensor_type_name", "gps-sensor");
        return m;
    }
}
