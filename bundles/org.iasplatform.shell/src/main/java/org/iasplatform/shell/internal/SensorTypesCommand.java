package org.iasplatform.shell.internal;

import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.iasplatform.api.sensor.ControlFunction;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorType;

@Command(scope = "ias", name = "sensor-types", description = "Lists the registered sensor types")
@Service
public class SensorTypesCommand extends IasAction {
    @Reference
    SensorRegistry registry;

    @Override
    void run() {
        ShellTable table = new ShellTable().emptyTableText("no sensor types registered");
        table.column("Name");
        table.column("Company");
        table.column("Data fields");
        table.column("Control functions");
        for (SensorType type : registry.sensorTypes()) {
            table.addRow().addContent(type.name(), type.company() == null ? "" : type.company(),
                    type.dataStructure().entrySet().stream().map(e -> e.getKey() + ":" + e.getValue().id())
                            .collect(Collectors.joining(", ")),
                    type.controlFunctions().functionDetails().stream().map(ControlFunction::name).collect(Collectors.joining(", ")));
        }
        table.print(out);
    }
}
