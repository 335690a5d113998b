package org.iasplatform.shell.internal;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.alert.Alert;
import org.iasplatform.api.alert.AlertFilter;
import org.iasplatform.api.alert.AlertKind;
import org.iasplatform.api.alert.AlertState;
import org.iasplatform.api.alert.Alerts;

@Command(scope = "ias", name = "alerts", description = "Lists the alerts (silent or disconnected sensors, FAILED "
        + "instances), newest first")
@Service
public class AlertsCommand extends IasAction {
    /** The Karaf shell is the platform admin's: every alert. */
    static final Set<String> SHELL_ROLES = Set.of(Alerts.ADMIN_ROLE);

    @Reference(optional = true)
    Alerts alerts;

    @Option(name = "--kind", aliases = "-k", description = "Only this kind: SENSOR_SILENT, SENSOR_DISCONNECTED, INSTANCE_FAILED")
    String kind;

    @Option(name = "--active", aliases = "-a", description = "Only those whose condition still holds")
    boolean active;

    @Option(name = "--unacked", aliases = "-u", description = "Only those nobody acknowledged")
    boolean unacked;

    @Option(name = "--subject", aliases = "-s", description = "Only those about this sensor or algorithm instance")
    String subject;

    @Option(name = "--limit", aliases = "-n", description = "How many, the newest (1..1000, default 50)")
    int limit = 50;

    @Override
    void run() throws Exception {
        Shell.inRange(limit, 1, Alerts.MAX_LIMIT, "--limit");
        AlertFilter filter = new AlertFilter(kind(), active ? AlertState.ACTIVE : null, subject, unacked ? Boolean.FALSE : null,
                limit);
        List<Alert> list = Shell.service(alerts, Alerts.class, "alerts").list(filter, Shell.currentUser(), SHELL_ROLES);
        if (list.isEmpty()) {
            out.println("no alerts");
            return;
        }
        for (Alert a : list) {
            out.println(line(a));
        }
    }

    static String line(Alert a) {
        String ack = a.acknowledgedAt() == null ? "unacknowledged"
                : "acknowledged by " + a.acknowledgedBy() + " at " + Shell.time(a.acknowledgedAt());
        return a.id() + " " + Shell.time(a.raisedAt()) + " " + String.format("%-8s", a.state()) + " " + a.kind() + " "
                + a.subject() + ": " + a.message() + " [for " + String.join(", ", a.roles())
                + (a.users().isEmpty() ? "" : ", " + String.join(", ", a.users())) + "; " + ack + "]";
    }

    private AlertKind kind() throws IasException {
        if (kind == null || kind.isBlank()) {
            return null;
        }
        try {
            return AlertKind.valueOf(kind.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IasException(ErrorKind.INVALID, "--kind", "unknown kind '" + kind + "'; expected one of "
                    + List.of(AlertKind.values()));
        }
    }
}
