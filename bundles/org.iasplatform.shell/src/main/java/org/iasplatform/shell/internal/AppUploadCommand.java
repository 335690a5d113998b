package org.iasplatform.shell.internal;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.iasplatform.api.app.AppRepository;
import org.iasplatform.api.app.AppVersion;

@Command(scope = "ias", name = "app-upload",
        description = "Uploads an app.zip (appConfig.json at its root, the algorithm files it names, optional ui/) as the next version of its application")
@Service
public class AppUploadCommand extends IasAction {
    @Reference(optional = true)
    AppRepository apps;

    @Argument(index = 0, name = "file", description = "The app.zip file", required = true)
    @Completion(FileCompleter.class)
    String file;

    @Option(name = "--id", description = "The application id to store it under (default: appConfig's application_id, else its name)")
    String id;

    @Override
    void run() throws Exception {
        AppRepository repository = Shell.service(apps, AppRepository.class, "the application repository");
        Path path = Shell.existingFile(file);
        AppVersion version;
        try (InputStream in = Files.newInputStream(path)) {
            version = repository.upload(in, id == null || id.isBlank() ? null : id, Shell.currentUser());
        }
        out.println("Uploaded " + version.applicationName() + " as application " + version.applicationId() + ", version "
                + version.version() + " (" + version.size() + " bytes, sha256 " + Shell.shortHash(version.sha256(), 12)
                + (version.hasUi() ? ", with ui/" : "") + "):");
        AppsCommand.algorithms(version).print(out);
    }
}
