package org.iasplatform.shell.internal;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.iasplatform.api.messaging.SubscriptionInfo;
import org.iasplatform.api.service.PlatformServices;
import org.iasplatform.api.service.ServiceEvent;
import org.iasplatform.api.service.ServiceHealth;
import org.iasplatform.api.service.ServiceStatus;

@Command(scope = "ias", name = "services", description = "Lists the platform's components on this platform instance: "
        + "their state, Kafka consumers (alive, lag), restarts by the service lifecycle and its last event about them")
@Service
public class ServicesCommand extends IasAction {
    @Reference(optional = true)
    PlatformServices services;

    @Override
    void run() throws Exception {
        PlatformServices service = Shell.service(services, PlatformServices.class, "the service lifecycle");
        List<ServiceHealth> list = service.services();
        out.println("Platform: " + service.platformId());
        ShellTable table = new ShellTable().emptyTableText("no platform components");
        table.column("Component");
        table.column("Bundle");
        table.column("State");
        table.column("Status");
        table.column("Restarts").alignRight();
        table.column("Consumers (group: alive, lag)");
        table.column("Last event");
        for (ServiceHealth h : list) {
            table.addRow().addContent(shortName(h.name()), h.bundle(), h.state(), h.status(), h.restarts(),
                    consumers(h.consumers()), lastEvent(h.lastEvent()));
        }
        table.print(out);
        for (ServiceHealth h : list) {
            if (h.failure() != null && h.status() != ServiceStatus.OK) {
                out.println(shortName(h.name()) + ": " + h.failure()
                        + (h.nextRestart() == null ? "" : " (restart at " + Shell.time(h.nextRestart()) + ")"));
            }
        }
    }

    /** The part of a component name after its package (component names are mostly class names). */
    static String shortName(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 || dot == name.length() - 1 ? name : name.substring(dot + 1);
    }

    static String consumers(List<SubscriptionInfo> consumers) {
        return consumers.stream().map(c -> (c.group() == null ? "follower " + c.topics() : c.group()) + ": "
                + (c.alive() ? "alive" : "DEAD") + (c.lag() == null ? "" : ", lag " + c.lag()))
                .collect(Collectors.joining("; "));
    }

    static String lastEvent(ServiceEvent e) {
        return e == null ? "" : e.kind() + " " + Shell.time(e.at());
    }
}
