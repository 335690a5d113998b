package org.iasplatform.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.iasplatform.api.app.AppRepository;

@Command(scope = "ias", name = "app-delete",
        description = "Deletes an application and all its versions (refused while an instance of it is active)")
@Service
public class AppDeleteCommand extends IasAction {
    @Reference(optional = true)
    AppRepository apps;

    @Argument(index = 0, name = "id", description = "The application's id (or name)", required = true)
    @Completion(AppIdCompleter.class)
    String id;

    @Override
    void run() throws Exception {
        Shell.service(apps, AppRepository.class, "the application repository").delete(id);
        out.println("Deleted application " + id + " and all its versions");
    }
}
