package org.iasplatform.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.iasplatform.api.deploy.DeploymentInfo;
import org.iasplatform.api.deploy.Deployments;

/** Completes deployment job ids. */
@Service
public class JobIdCompleter implements Completer {
    @Reference(optional = true)
    Deployments deployments;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        if (deployments != null) {
            deployments.deployments().stream().map(DeploymentInfo::jobId).forEach(delegate.getStrings()::add);
        }
        return delegate.complete(session, commandLine, candidates);
    }
}
