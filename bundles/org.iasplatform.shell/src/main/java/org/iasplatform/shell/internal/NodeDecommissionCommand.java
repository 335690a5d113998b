package org.iasplatform.shell.internal;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceRegistry;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.node.Decommission;
import org.iasplatform.api.node.NodeDecommissioning;
import org.iasplatform.api.node.NodeState;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.api.node.Nodes;

@Command(scope = "ias", name = "node-decommission",
        description = "Takes a node out of service: nothing new goes there, its instances are moved to other nodes, "
                + "then it is told to shut down; prints each instance as it runs elsewhere")
@Service
public class NodeDecommissionCommand extends IasAction {
    @Reference(optional = true)
    NodeDecommissioning decommissioning;

    @Reference(optional = true)
    Nodes nodes;

    @Reference(optional = true)
    InstanceRegistry instances;

    @Argument(index = 0, name = "node", description = "The node id", required = true)
    @Completion(NodeIdCompleter.class)
    String node;

    @Option(name = "--force", description = "Also when no other node can take its instances (they wait RESTARTING)")
    boolean force;

    @Option(name = "--no-wait", description = "Return once it started; GET /nodes shows the node's state")
    boolean noWait;

    /** How long to follow the move before giving up following (it goes on). */
    Duration follow = Duration.ofMinutes(5);
    /** How often the state is read. */
    Duration every = Duration.ofMillis(250);

    @Override
    void run() throws Exception {
        Decommission d = Shell.service(decommissioning, NodeDecommissioning.class, "decommissioning")
                .decommission(node, force);
        out.println("Node " + d.nodeId() + ": " + d.state() + (d.force() ? " (forced)" : "") + "; " + d.message());
        if (noWait || nodes == null || instances == null) {
            return;
        }
        Set<String> moved = new HashSet<>();
        long deadline = System.nanoTime() + follow.toNanos();
        while (true) {
            for (String id : d.moving()) {
                Optional<InstanceInfo> i = instances.instance(id);
                if (!moved.contains(id) && i.isPresent() && i.get().state() == InstanceState.RUNNING
                        && !node.equals(i.get().node())) {
                    moved.add(id);
                    out.println("  " + id + " (" + Shell.text(i.get().algorithmName()) + ") RUNNING on "
                            + i.get().node());
                }
            }
            NodeState state = nodes.node(node).map(NodeStatus::state).orElse(null);
            if (state == NodeState.DECOMMISSIONED) {
                for (String id : d.moving()) {
                    if (!moved.contains(id)) { // e.g. forced with nowhere to go: waiting for a node
                        out.println("  " + id + " " + instances.instance(id).map(i -> i.state() + ": "
                                + Shell.text(i.reason())).orElse("gone"));
                    }
                }
                out.println("Node " + node + " is DECOMMISSIONED: it runs nothing and was told to shut down.");
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                out.println("Still " + state + " after " + follow.toMinutes() + " min (" + moved.size() + " of "
                        + d.moving().size() + " instances running elsewhere); ias:nodes and ias:instances show the rest");
                return;
            }
            Thread.sleep(every.toMillis()); // reading the state every so often until done or the deadline
        }
    }
}
