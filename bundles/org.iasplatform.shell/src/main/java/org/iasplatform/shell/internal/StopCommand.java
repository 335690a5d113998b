package org.iasplatform.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.iasplatform.api.manager.PlatformManager;

@Command(scope = "ias", name = "stop", description = "Stops a deployment's running instance and unschedules the job")
@Service
public class StopCommand extends IasAction {
    @Reference
    PlatformManager platformManager;

    @Argument(index = 0, name = "job", description = "The job id", required = true)
    @Completion(JobIdCompleter.class)
    String job;

    @Override
    void run() throws Exception {
        platformManager.stopDeployment(job);
        out.println("Stopped and unscheduled job " + job);
    }
}
