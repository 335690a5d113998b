package org.iasplatform.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.iasplatform.api.manager.PlatformManager;

@Command(scope = "ias", name = "delete-sensor-type", description = "Deletes a sensor type (refused while instances of it exist)")
@Service
public class DeleteSensorTypeCommand extends IasAction {
    @Reference
    PlatformManager platformManager;

    @Argument(index = 0, name = "name", description = "The sensor type name", required = true)
    @Completion(SensorTypeNameCompleter.class)
    String name;

    @Override
    void run() throws Exception {
        platformManager.deleteSensorType(name);
        out.println("Deleted sensor type " + name);
    }
}
