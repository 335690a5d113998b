package org.iasplatform.shell.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.iasplatform.api.deploy.DeploymentInfo;
import org.iasplatform.api.deploy.Deployments;

import com.fasterxml.jackson.databind.JsonNode;

@Command(scope = "ias", name = "deployments", description = "Lists the deployments (schedules): their jobs, instances, state, next run and runs")
@Service
public class DeploymentsCommand extends IasAction {
    @Reference(optional = true)
    Deployments deployments;

    @Override
    void run() throws Exception {
        ShellTable table = new ShellTable().emptyTableText("no deployments");
        table.column("Job");
        table.column("Application");
        table.column("Algorithm");
        table.column("Instance");
        table.column("State");
        table.column("Schedule");
        table.column("Next run");
        table.column("Runs").alignRight();
        for (DeploymentInfo d : Shell.service(deployments, Deployments.class, "the scheduler's deployments").deployments()) {
            table.addRow().addContent(d.jobId(), Shell.text(d.applicationName()), Shell.text(d.algorithmName()),
                    Shell.text(d.instanceId()), Shell.text(d.state()), schedule(d.schedulingInfo()), Shell.time(d.nextRun()),
                    runs(d.runs()));
        }
        table.print(out);
    }

    /** Runs started, and skips if any: "3", "3 (+1 skipped)". */
    static String runs(List<DeploymentInfo.Run> runs) {
        long started = runs.stream().filter(r -> "started".equals(r.outcome())).count();
        long skipped = runs.stream().filter(r -> "skipped".equals(r.outcome())).count();
        return started + (skipped > 0 ? " (+" + skipped + " skipped)" : "");
    }

    /**
     * A scheduling_info in a few words: "once now", "once 08:00-18:00", "next mon 08:00", "daily 08:00-18:00, every 30 min",
     * "mon,fri 08:00-18:00".
     */
    static String schedule(JsonNode info) {
        if (info == null || !info.isObject()) {
            return "";
        }
        String start = info.path("start_time").asText("").trim();
        String end = info.path("end_time").asText("").trim();
        JsonNode repeatNode = info.path("repeat");
        boolean repeat = repeatNode.isBoolean() ? repeatNode.asBoolean()
                : List.of("yes", "true", "y").contains(repeatNode.asText("").trim().toLowerCase(Locale.ROOT));
        String days = days(info.path("days"));
        List<String> words = new ArrayList<>();
        words.add(repeat ? (days.isEmpty() ? "daily" : days) : (days.isEmpty() ? "once" : "next " + days));
        if (!start.isEmpty() || !end.isEmpty()) {
            words.add((start.isEmpty() ? "now" : start) + (end.isEmpty() ? "" : "-" + end));
        } else if (!repeat && days.isEmpty()) {
            words.add("now");
        }
        String interval = info.path("interval").asText("").trim();
        return String.join(" ", words) + (repeat && !interval.isEmpty() ? ", every " + interval + " min" : "");
    }

    private static String days(JsonNode days) {
        List<String> names = new ArrayList<>();
        if (days.isArray()) {
            days.forEach(d -> names.add(d.asText()));
        } else if (days.isTextual()) {
            for (String d : days.asText().replaceAll("[\\[\\]\"']", " ").split("[,\\s]+")) {
                if (!d.isBlank()) {
                    names.add(d.trim());
                }
            }
        }
        return String.join(",", names);
    }
}
