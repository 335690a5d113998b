package org.iasplatform.shell.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.iasplatform.api.manager.PlatformManager;
import org.iasplatform.api.sensor.ControlCommand;

@Command(scope = "ias", name = "control",
        description = "Sends a control command to a sensor instance, checked against its type's control functions")
@Service
public class SendControlCommand extends IasAction {
    @Reference
    PlatformManager platformManager;

    @Argument(index = 0, name = "id", description = "The sensor instance id", required = true)
    @Completion(SensorInstanceIdCompleter.class)
    String id;

    @Argument(index = 1, name = "function", description = "The control function", required = true)
    String function;

    @Argument(index = 2, name = "params", description = "Parameters as name=value; values are JSON scalars when they parse"
            + " as one (3, 2.5, true, null, \"text\"), else text", multiValued = true)
    List<String> params;

    @Override
    void run() throws Exception {
        Map<String, Object> values = new LinkedHashMap<>();
        Shell.keyValues(params, "params").forEach((k, v) -> values.put(k, Shell.scalar(mapper, v)));
        ControlCommand command = new ControlCommand(function, values);
        platformManager.sendControl(id, command);
        out.println("Sent " + mapper.writeValueAsString(command) + " to " + id);
    }
}
