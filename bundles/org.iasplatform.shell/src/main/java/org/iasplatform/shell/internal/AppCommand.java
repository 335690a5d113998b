package org.iasplatform.shell.internal;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.app.AlgorithmDescriptor;
import org.iasplatform.api.app.AppRepository;
import org.iasplatform.api.app.AppVersion;

@Command(scope = "ias", name = "app", description = "Shows an application's versions and the algorithms of its latest one")
@Service
public class AppCommand extends IasAction {
    @Reference(optional = true)
    AppRepository apps;

    @Argument(index = 0, name = "name", description = "The application's id or name", required = true)
    @Completion(AppIdCompleter.class)
    String name;

    @Override
    void run() throws Exception {
        List<AppVersion> versions = Shell.service(apps, AppRepository.class, "the application repository").versions(name);
        if (versions.isEmpty()) {
            throw new IasException(ErrorKind.NOT_FOUND, "name", "no application with id or name '" + name + "' is uploaded");
        }
        AppVersion latest = versions.get(versions.size() - 1);
        out.println(latest.applicationName() + " (id " + latest.applicationId() + (latest.developerId() == null ? ""
                : ", developer " + latest.developerId()) + "): " + versions.size() + " version(s)");
        ShellTable table = new ShellTable();
        table.column("Version").alignRight();
        table.column("Uploaded at");
        table.column("Uploaded by");
        table.column("Size").alignRight();
        table.column("SHA-256");
        table.column("UI");
        table.column("Algorithms");
        for (AppVersion v : versions) {
            table.addRow().addContent(v.version(), Shell.time(v.uploadedAt()), Shell.text(v.uploadedBy()), v.size(),
                    Shell.shortHash(v.sha256(), 12), v.hasUi() ? "yes" : "",
                    v.algorithms().stream().map(AlgorithmDescriptor::name).collect(Collectors.joining(", ")));
        }
        table.print(out);
        out.println("Algorithms of version " + latest.version() + ":");
        AppsCommand.algorithms(latest).print(out);
    }
}
