package org.iasplatform.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.iasplatform.api.manager.PlatformManager;

@Command(scope = "ias", name = "run", description = "Runs a deployment now (an on-demand run of its job)")
@Service
public class RunCommand extends IasAction {
    @Reference
    PlatformManager platformManager;

    @Argument(index = 0, name = "job", description = "The job id", required = true)
    @Completion(JobIdCompleter.class)
    String job;

    @Override
    void run() throws Exception {
        platformManager.runDeployment(job);
        out.println("Started a run of job " + job + "; see ias:instances");
    }
}
