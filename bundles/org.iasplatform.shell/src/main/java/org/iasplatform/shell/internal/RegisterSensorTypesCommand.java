package org.iasplatform.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.iasplatform.api.manager.PlatformManager;
import org.iasplatform.api.manager.RegistrationOutcome;

@Command(scope = "ias", name = "register-sensor-types",
        description = "Registers the sensor types of a sensorTypeRegistration.json file (one object, an array, or {\"sensor_type_list\": [...]})")
@Service
public class RegisterSensorTypesCommand extends IasAction {
    @Reference
    PlatformManager platformManager;

    @Argument(index = 0, name = "file", description = "The JSON file", required = true)
    @Completion(FileCompleter.class)
    String file;

    @Override
    void run() throws Exception {
        RegistrationOutcome<String> outcome = platformManager.registerSensorTypes(Shell.readJsonFile(mapper, file));
        if (!outcome.completed()) {
            out.println("Accepted as request " + outcome.requestId() + ", still under way; see ias:sensor-types");
            return;
        }
        out.println("Registered " + outcome.registered().size() + " sensor type(s): " + String.join(", ", outcome.registered()));
    }
}
