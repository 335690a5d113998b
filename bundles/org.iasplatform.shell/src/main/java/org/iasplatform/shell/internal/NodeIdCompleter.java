package org.iasplatform.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.api.node.Nodes;

/** Completes node ids. */
@Service
public class NodeIdCompleter implements Completer {
    @Reference(optional = true)
    Nodes nodes;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        if (nodes != null) {
            nodes.nodes().stream().map(NodeStatus::nodeId).forEach(delegate.getStrings()::add);
        }
        return delegate.complete(session, commandLine, candidates);
    }
}
