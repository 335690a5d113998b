package org.iasplatform.shell.internal;

import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.iasplatform.api.app.AlgorithmDescriptor;
import org.iasplatform.api.app.AppRepository;
import org.iasplatform.api.app.AppVersion;

@Command(scope = "ias", name = "apps", description = "Lists the uploaded applications (their latest versions)")
@Service
public class AppsCommand extends IasAction {
    @Reference(optional = true)
    AppRepository apps;

    @Override
    void run() throws Exception {
        ShellTable table = new ShellTable().emptyTableText("no applications uploaded");
        table.column("Id");
        table.column("Name");
        table.column("Version").alignRight();
        table.column("Algorithms");
        table.column("UI");
        table.column("Uploaded by");
        table.column("Uploaded at");
        for (AppVersion app : Shell.service(apps, AppRepository.class, "the application repository").apps()) {
            table.addRow().addContent(app.applicationId(), app.applicationName(), app.version(),
                    app.algorithms().stream().map(a -> a.name() + " (" + a.runtime() + ")").collect(Collectors.joining(", ")),
                    app.hasUi() ? "yes" : "", Shell.text(app.uploadedBy()), Shell.time(app.uploadedAt()));
        }
        table.print(out);
    }

    /** The algorithms of a version: name, script, runtime, input sensor types. */
    static ShellTable algorithms(AppVersion version) {
        ShellTable table = new ShellTable().emptyTableText("no algorithms");
        table.column("Algorithm");
        table.column("Script");
        table.column("Runtime");
        table.column("Input sensors");
        for (AlgorithmDescriptor a : version.algorithms()) {
            table.addRow().addContent(a.name(), Shell.text(a.script()), Shell.text(a.runtime()), String.join(", ", a.inputSensorTypes()));
        }
        return table;
    }
}
