package org.iasplatform.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.iasplatform.api.deploy.InstanceLogLine;
import org.iasplatform.api.deploy.InstanceRegistry;

@Command(scope = "ias", name = "instance-logs", description = "Shows the last lines of an algorithm instance's log (oldest first)")
@Service
public class InstanceLogsCommand extends IasAction {
    static final int MAX_TAIL = 10_000;

    @Reference(optional = true)
    InstanceRegistry instances;

    @Argument(index = 0, name = "id", description = "The instance id", required = true)
    @Completion(InstanceIdCompleter.class)
    String id;

    @Option(name = "--tail", aliases = "-n", description = "How many lines (1..10000, default 100)")
    int tail = 100;

    @Override
    void run() throws Exception {
        Shell.inRange(tail, 1, MAX_TAIL, "--tail");
        List<InstanceLogLine> lines = Shell.service(instances, InstanceRegistry.class, "the instance registry").logs(id, tail);
        if (lines.isEmpty()) {
            out.println("no log lines yet");
            return;
        }
        for (InstanceLogLine line : lines) {
            out.println(Shell.time(line.timestamp()) + " " + String.format("%-8s", Shell.text(line.stream())) + " "
                    + Shell.text(line.line()));
        }
    }
}
