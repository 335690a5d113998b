package org.iasplatform.shell.internal;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.apache.karaf.shell.support.table.ShellTable;
import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceRegistry;
import org.iasplatform.api.deploy.InstanceState;

@Command(scope = "ias", name = "instances", description = "Lists the algorithm instances: where they run, their state and restarts")
@Service
public class InstancesCommand extends IasAction {
    @Reference(optional = true)
    InstanceRegistry instances;

    @Option(name = "--app", aliases = "-a", description = "Only instances of this application (name or id)")
    @Completion(AppIdCompleter.class)
    String app;

    @Option(name = "--state", aliases = "-s", description = "Only instances in this state")
    @Completion(value = StringsCompleter.class, values = {"SCHEDULED", "STARTING", "RUNNING", "STOPPED", "FAILED", "RESTARTING"})
    String state;

    @Override
    void run() throws Exception {
        InstanceState wanted = state == null ? null : state(state);
        ShellTable table = new ShellTable().emptyTableText("no instances" + (app == null && state == null ? "" : " match"));
        table.column("Instance");
        table.column("Application");
        table.column("Algorithm");
        table.column("Job");
        table.column("Runtime");
        table.column("Node");
        table.column("State");
        table.column("Restarts").alignRight();
        table.column("Started");
        table.column("Reason").maxSize(60);
        for (InstanceInfo i : Shell.service(instances, InstanceRegistry.class, "the instance registry").instances()) {
            if ((app != null && !app.equals(i.applicationName()) && !app.equals(i.applicationId()))
                    || (wanted != null && wanted != i.state())) {
                continue;
            }
            table.addRow().addContent(i.instanceId(), Shell.text(i.applicationName()), Shell.text(i.algorithmName()),
                    Shell.text(i.jobId()), Shell.text(i.runtime()), Shell.text(i.node()), Shell.text(i.state()), i.restarts(),
                    Shell.time(i.startedAt()), Shell.text(i.reason()));
        }
        table.print(out);
    }

    private static InstanceState state(String text) throws IasException {
        try {
            return InstanceState.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IasException(ErrorKind.INVALID, "--state", "unknown state '" + text + "'; expected one of "
                    + Arrays.stream(InstanceState.values()).map(Enum::name).collect(Collectors.joining(", ")));
        }
    }
}
