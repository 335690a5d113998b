package org.iasplatform.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.iasplatform.api.app.AppRepository;
import org.iasplatform.api.app.AppVersion;

/** Completes the ids and names of uploaded applications. */
@Service
public class AppIdCompleter implements Completer {
    @Reference(optional = true)
    AppRepository apps;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        if (apps != null) {
            for (AppVersion app : apps.apps()) {
                delegate.getStrings().add(app.applicationId());
                delegate.getStrings().add(app.applicationName());
            }
        }
        return delegate.complete(session, commandLine, candidates);
    }
}
