package org.iasplatform.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.apache.karaf.shell.support.table.ShellTable;
import org.iasplatform.api.deploy.DeploymentOutcome;
import org.iasplatform.api.manager.PlatformManager;

@Command(scope = "ias", name = "deploy",
        description = "Deploys the algorithms of a deployConfig.json ({\"noOfAlgo\": N, \"1\": {...}} or {\"algorithms\": [...]}); a stop request stops its job_id")
@Service
public class DeployCommand extends IasAction {
    @Reference
    PlatformManager platformManager;

    @Argument(index = 0, name = "file", description = "The deployConfig.json file", required = true)
    @Completion(FileCompleter.class)
    String file;

    @Override
    void run() throws Exception {
        DeploymentOutcome outcome = platformManager.deploy(Shell.readJsonFile(mapper, file));
        if (outcome.completed()) {
            out.println("Deployed " + outcome.deployments().size() + " algorithm(s):");
        } else {
            out.println("Accepted as request " + outcome.requestId() + ", still under way; see ias:deployments and ias:instances");
        }
        if (outcome.deployments().isEmpty()) {
            return;
        }
        ShellTable table = new ShellTable();
        table.column("Application");
        table.column("Algorithm");
        table.column("Job");
        table.column("Instance");
        table.column("State");
        table.column("Next run");
        for (DeploymentOutcome.Deployed d : outcome.deployments()) {
            table.addRow().addContent(Shell.text(d.applicationName()), Shell.text(d.algorithmName()), Shell.text(d.jobId()),
                    Shell.text(d.instanceId()), Shell.text(d.state()), Shell.text(d.nextRun()));
        }
        table.print(out);
    }
}
