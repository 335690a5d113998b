package org.iasplatform.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorType;

@Command(scope = "ias", name = "sensor-type", description = "Shows one registered sensor type (its registration JSON)")
@Service
public class SensorTypeCommand extends IasAction {
    @Reference
    SensorRegistry registry;

    @Argument(index = 0, name = "name", description = "The sensor type name", required = true)
    @Completion(SensorTypeNameCompleter.class)
    String name;

    @Override
    void run() throws Exception {
        SensorType type = registry.sensorType(name)
                .orElseThrow(() -> new IasException(ErrorKind.NOT_FOUND, "name", "no sensor type named '" + name + "' is registered"));
        out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(type));
    }
}
