package org.iasplatform.shell.internal;

import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.iasplatform.api.sensor.SensorConnections;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorStatus;

@Command(scope = "ias", name = "sensor-instances", description = "Lists the registered sensor instances and their connections")
@Service
public class SensorInstancesCommand extends IasAction {
    @Reference
    SensorRegistry registry;

    @Reference(optional = true)
    SensorConnections connections;

    @Option(name = "--type", aliases = "-t", description = "Only instances of this sensor type")
    @Completion(SensorTypeNameCompleter.class)
    String type;

    @Option(name = "--tag", description = "Only instances with this tag value (key=value); may be given several times",
            multiValued = true)
    List<String> tags;

    @Override
    void run() throws Exception {
        Map<String, String> filter = Shell.keyValues(tags, "--tag");
        ShellTable table = new ShellTable().emptyTableText("no sensor instances" + (type == null && filter.isEmpty() ? "" : " match"));
        for (String column : List.of("Id", "Type", "Address", "Tags", "State", "Driver", "Readings", "Invalid")) {
            table.column(column);
        }
        for (SensorInstance i : registry.sensorInstances(type, filter)) {
            SensorStatus s = connections == null ? null : connections.status(i.id()).orElse(null);
            table.addRow().addContent(i.id(), i.sensorType(), i.ip() + ":" + i.port(), Shell.tags(i.tags()),
                    s == null || s.state() == null ? "" : s.state().name(), s == null || s.driver() == null ? "" : s.driver(),
                    s == null ? "" : s.readings(), s == null ? "" : s.invalid());
        }
        table.print(out);
    }
}
