package org.iasplatform.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.api.node.Nodes;

@Command(scope = "ias", name = "nodes", description = "Lists the nodes with the figures of their last heartbeat, and the placement strategy in force")
@Service
public class NodesCommand extends IasAction {
    @Reference(optional = true)
    Nodes nodes;

    @Override
    void run() throws Exception {
        Nodes service = Shell.service(nodes, Nodes.class, "server-lifecycle's node list");
        String strategy = service.strategy();
        List<String> strategies = service.strategies();
        out.println("Placement strategy: " + (strategy == null ? "none bound" : strategy)
                + (strategies.isEmpty() ? "" : " (registered: " + String.join(", ", strategies) + ")"));
        ShellTable table = new ShellTable().emptyTableText("no nodes have reported");
        table.column("Node");
        table.column("Host");
        table.column("State");
        table.column("CPU").alignRight();
        table.column("Mem").alignRight();
        table.column("Load").alignRight();
        table.column("Instances").alignRight();
        table.column("Runtimes");
        table.column("Last heartbeat");
        for (NodeStatus n : service.nodes()) {
            table.addRow().addContent(n.nodeId(), Shell.text(n.host()), Shell.text(n.state()), Shell.percent(n.cpu()),
                    Shell.percent(n.mem()), Shell.percent(n.load()), n.instances(), String.join(", ", n.runtimes()),
                    Shell.time(n.lastHeartbeat()));
        }
        table.print(out);
    }
}
