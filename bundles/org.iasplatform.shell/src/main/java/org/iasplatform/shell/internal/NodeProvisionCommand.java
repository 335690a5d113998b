package org.iasplatform.shell.internal;

import java.time.Duration;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.iasplatform.api.node.NodeProvisioning;
import org.iasplatform.api.node.Provision;
import org.iasplatform.api.node.ProvisionRequest;

@Command(scope = "ias", name = "node-provision",
        description = "Installs a node on a host over SSH: copies the node distribution there, configures it for this "
                + "platform, starts it and waits for its first heartbeat, printing each step")
@Service
public class NodeProvisionCommand extends IasAction {
    @Reference(optional = true)
    NodeProvisioning provisioning;

    @Reference(optional = true)
    Session session;

    @Argument(index = 0, name = "host", description = "The host (name or address, as the platform reaches it)", required = true)
    String host;

    @Argument(index = 1, name = "user", description = "The SSH user there", required = true)
    String user;

    @Option(name = "--key", aliases = "-k", description = "Private key file on the platform's host (default: private_key_file of etc/org.iasplatform.provision.cfg)")
    @Completion(FileCompleter.class)
    String key;

    @Option(name = "--port", aliases = "-p", description = "SSH port (default 22)")
    Integer port;

    @Option(name = "--name", aliases = "-n", description = "The new node's id (default: the host name)")
    String name;

    @Option(name = "--dir", aliases = "-d", description = "Folder on the host, relative to the user's home or absolute (default: ias-node-<node id>)")
    String dir;

    @Option(name = "--password", description = "Ask for the SSH password (typed without echo, never shown nor logged)")
    boolean askPassword;

    @Option(name = "--no-wait", description = "Return once it started; follow it with GET /nodes/provision/<id>")
    boolean noWait;

    /** How long to follow a provisioning before giving up following (it goes on). */
    Duration follow = Duration.ofMinutes(15);
    /** How often its progress is read. */
    Duration every = Duration.ofMillis(250);

    @Override
    void run() throws Exception {
        NodeProvisioning service = Shell.service(provisioning, NodeProvisioning.class, "node provisioning");
        String password = askPassword ? readPassword() : null;
        Provision p = service.provision(new ProvisionRequest(host, user, port, name, dir, key, password));
        out.println("Provisioning " + p.provisionId() + ": node " + p.nodeId() + " on " + p.user() + "@" + p.host() + ":"
                + p.port() + " in " + p.remoteDir());
        if (noWait) {
            out.println("Follow it with GET /ias/api/v1/nodes/provision/" + p.provisionId());
            return;
        }
        int shown = 0;
        long deadline = System.nanoTime() + follow.toNanos();
        while (true) {
            Provision now = service.provision(p.provisionId()).orElse(p);
            for (; shown < now.progress().size(); shown++) {
                out.println("  " + now.progress().get(shown));
            }
            if (now.done()) {
                if (now.state() == Provision.State.SUCCEEDED) {
                    out.println("Node " + now.nodeId() + " is UP.");
                } else {
                    err.println("Provisioning FAILED at " + now.error());
                }
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                out.println("Still under way after " + follow.toMinutes() + " min; follow it with GET "
                        + "/ias/api/v1/nodes/provision/" + p.provisionId());
                return;
            }
            Thread.sleep(every.toMillis()); // reading its progress every so often until it ends or the deadline
        }
    }

    private String readPassword() throws java.io.IOException {
        if (session == null) {
            throw new java.io.IOException("--password needs an interactive shell session to ask for it");
        }
        String password = session.readLine("SSH password for " + user + "@" + host + ": ", '*');
        return password == null || password.isEmpty() ? null : password;
    }
}
