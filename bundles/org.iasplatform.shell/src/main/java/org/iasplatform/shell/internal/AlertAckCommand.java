package org.iasplatform.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.iasplatform.api.alert.Alert;
import org.iasplatform.api.alert.Alerts;

@Command(scope = "ias", name = "alert-ack", description = "Acknowledges an alert (who and when are recorded)")
@Service
public class AlertAckCommand extends IasAction {
    @Reference(optional = true)
    Alerts alerts;

    @Argument(index = 0, name = "id", description = "The alert's id (see ias:alerts)", required = true)
    String id;

    @Override
    void run() throws Exception {
        Alert a = Shell.service(alerts, Alerts.class, "alerts").acknowledge(id, Shell.currentUser(), AlertsCommand.SHELL_ROLES);
        out.println(AlertsCommand.line(a));
    }
}
