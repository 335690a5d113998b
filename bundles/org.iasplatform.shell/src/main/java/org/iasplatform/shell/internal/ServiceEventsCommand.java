package org.iasplatform.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.iasplatform.api.service.PlatformServices;
import org.iasplatform.api.service.ServiceEvent;

@Command(scope = "ias", name = "service-events", description = "Shows what the service lifecycle saw and did "
        + "(FAILED, RESTARTED, RECOVERED, GAVE_UP), oldest first, on every platform instance sharing the store")
@Service
public class ServiceEventsCommand extends IasAction {
    @Reference(optional = true)
    PlatformServices services;

    @Option(name = "--component", aliases = "-c", description = "Only this component's (its full name)")
    String component;

    @Option(name = "--platform", aliases = "-p", description = "Only this platform instance's")
    String platform;

    @Option(name = "--limit", aliases = "-n", description = "How many, the latest (1..1000, default 20)")
    int limit = 20;

    @Override
    void run() throws Exception {
        Shell.inRange(limit, 1, PlatformServices.MAX_EVENTS, "--limit");
        List<ServiceEvent> events = Shell.service(services, PlatformServices.class, "the service lifecycle")
                .events(component, platform, limit);
        if (events.isEmpty()) {
            out.println("no service events recorded");
            return;
        }
        for (ServiceEvent e : events) {
            out.println(Shell.time(e.at()) + " " + e.platform() + " " + String.format("%-9s", e.kind()) + " "
                    + ServicesCommand.shortName(e.component()) + " (" + e.bundle() + "): " + e.reason());
        }
    }
}
