package org.iasplatform.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.iasplatform.api.manager.PlatformManager;

@Command(scope = "ias", name = "delete-sensor-instance", description = "Deletes a sensor instance (and its topics)")
@Service
public class DeleteSensorInstanceCommand extends IasAction {
    @Reference
    PlatformManager platformManager;

    @Argument(index = 0, name = "id", description = "The sensor instance id", required = true)
    @Completion(SensorInstanceIdCompleter.class)
    String id;

    @Override
    void run() throws Exception {
        platformManager.deleteSensorInstance(id);
        out.println("Deleted sensor instance " + id);
    }
}
