package org.iasplatform.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.apache.karaf.shell.support.table.ShellTable;
import org.iasplatform.api.manager.PlatformManager;
import org.iasplatform.api.manager.RegistrationOutcome;
import org.iasplatform.api.sensor.SensorInstance;

@Command(scope = "ias", name = "register-sensor-instances",
        description = "Registers the sensor instances of a sensorInstance.json file (one object, an array, or {\"sensor_instance_list\": [...]})")
@Service
public class RegisterSensorInstancesCommand extends IasAction {
    @Reference
    PlatformManager platformManager;

    @Argument(index = 0, name = "file", description = "The JSON file", required = true)
    @Completion(FileCompleter.class)
    String file;

    @Override
    void run() throws Exception {
        RegistrationOutcome<SensorInstance> outcome = platformManager.registerSensorInstances(Shell.readJsonFile(mapper, file));
        if (!outcome.completed()) {
            out.println("Accepted as request " + outcome.requestId() + ", still under way; see ias:sensor-instances");
            return;
        }
        out.println("Registered " + outcome.registered().size() + " sensor instance(s):");
        ShellTable table = new ShellTable();
        table.column("Id");
        table.column("Type");
        table.column("Data topic");
        table.column("Control topic");
        for (SensorInstance i : outcome.registered()) {
            table.addRow().addContent(i.id(), i.sensorType(), i.dataTopic(), i.controlTopic());
        }
        table.print(out);
    }
}
