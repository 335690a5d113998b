package org.iasplatform.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceLogLine;
import org.iasplatform.api.deploy.InstanceRegistry;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.node.Decommission;
import org.iasplatform.api.node.NodeProvisioning;
import org.iasplatform.api.node.NodeState;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.api.node.Nodes;
import org.iasplatform.api.node.Provision;
import org.iasplatform.api.node.ProvisionRequest;
import org.junit.Test;

/** ias:node-provision and ias:node-decommission: what they ask for, how they follow the work, what they print. */
public class NodeAdminCommandsTest {
    private final CapturedOutput output = new CapturedOutput();

    private <T extends IasAction> T wire(T action) {
        return output.wire(action);
    }

    private String out() {
        return output.out();
    }

    private String err() {
        return output.err();
    }

    /** A provisioning whose progress grows by one line each time it is read, then ends as {@code end}. */
    private static final class Scripted implements NodeProvisioning {
        final List<ProvisionRequest> requests = new CopyOnWriteArrayList<>();
        private final List<String> lines;
        private final Provision.State end;
        private final String error;
        private int reads;

        Scripted(List<String> lines, Provision.State end, String error) {
            this.lines = lines;
            this.end = end;
            this.error = error;
        }

        @Override
        public Provision provision(ProvisionRequest request) {
            requests.add(request);
            return snapshot(0);
        }

        @Override
        public synchronized Optional<Provision> provision(String id) {
            reads++;
            return Optional.of(snapshot(Math.min(reads, lines.size())));
        }

        private Provision snapshot(int shown) {
            boolean done = shown == lines.size();
            return new Provision("prov-1", "n9", "10.0.0.9", "ias", 2222, "ias-node-n9", done ? end
                    : Provision.State.RUNNING, "connect", lines.subList(0, shown), done ? error : null, Instant.EPOCH,
                    null);
        }

        @Override
        public List<Provision> provisions() {
            return List.of();
        }
    }

    private NodeProvisionCommand provision(NodeProvisioning service) {
        NodeProvisionCommand c = wire(new NodeProvisionCommand());
        c.provisioning = service;
        c.every = Duration.ofMillis(1);
        c.host = "10.0.0.9";
        c.user = "ias";
        return c;
    }

    @Test
    public void provisioningPrintsEachStepAsItComesAndTheNodeUp() throws Exception {
        Scripted service = new Scripted(List.of("connect: connected", "copy: copied 90.0 MB", "heartbeat: node n9 is UP"),
                Provision.State.SUCCEEDED, null);
        NodeProvisionCommand c = provision(service);
        c.port = 2222;
        c.name = "n9";
        c.key = "/etc/ias/id_ed25519";
        c.execute();
        assertEquals(List.of(new ProvisionRequest("10.0.0.9", "ias", 2222, "n9", null, "/etc/ias/id_ed25519", null)),
                service.requests);
        assertEquals("Provisioning prov-1: node n9 on ias@10.0.0.9:2222 in ias-node-n9\n  connect: connected\n"
                + "  copy: copied 90.0 MB\n  heartbeat: node n9 is UP\nNode n9 is UP.\n", out());
        assertEquals("", err());
    }

    @Test
    public void aFailedStepIsPrintedWithWhatTheHostAnswered() throws Exception {
        Scripted service = new Scripted(List.of("connect: connected", "check: FAILED: tar is not installed"),
                Provision.State.FAILED, "check: tar is not installed on ias@10.0.0.9:2222");
        provision(service).execute();
        assertTrue(out(), out().endsWith("  check: FAILED: tar is not installed\n"));
        assertEquals("Provisioning FAILED at check: tar is not installed on ias@10.0.0.9:2222\n", err());
    }

    @Test
    public void aRefusedRequestIsPrintedFieldByField() throws Exception {
        NodeProvisionCommand c = provision(new NodeProvisioning() {
            @Override
            public Provision provision(ProvisionRequest request) throws IasException {
                throw new IasException(ErrorKind.INVALID, "node_id", "\"-x\" is not a node id");
            }

            @Override
            public Optional<Provision> provision(String id) {
                return Optional.empty();
            }

            @Override
            public List<Provision> provisions() {
                return List.of();
            }
        });
        c.execute();
        assertEquals("node_id: \"-x\" is not a node id\n", err());
        assertEquals("", out());
        NodeProvisionCommand absent = wire(new NodeProvisionCommand());
        absent.execute();
        assertTrue(err(), err().contains("NodeProvisioning: node provisioning is not available"));
    }

    @Test
    public void decommissioningPrintsEachInstanceRunningElsewhereUntilTheNodeIsDecommissioned() throws Exception {
        Map<String, InstanceInfo> records = new ConcurrentHashMap<>(Map.of("i-1", instance("i-1", "n1",
                InstanceState.RUNNING), "i-2", instance("i-2", "n1", InstanceState.RUNNING)));
        List<String> asked = new ArrayList<>();
        NodeDecommissionCommand c = wire(new NodeDecommissionCommand());
        c.every = Duration.ofMillis(1);
        c.node = "n1";
        c.decommissioning = (node, force) -> {
            asked.add(node + (force ? " forced" : ""));
            return new Decommission(node, NodeState.DRAINING, Instant.EPOCH, force, List.of("i-1", "i-2"),
                    "moving 2 instances of node n1 to other nodes through the strategy in force");
        };
        int[] reads = {0};
        c.nodes = nodes(() -> {
            // the platform moves one instance per look, then decommissions the node
            reads[0]++;
            if (reads[0] == 1) {
                records.put("i-1", instance("i-1", "n2", InstanceState.RUNNING));
            } else if (reads[0] == 2) {
                records.put("i-2", instance("i-2", "n3", InstanceState.RUNNING));
            }
            return reads[0] >= 3 ? NodeState.DECOMMISSIONED : NodeState.DRAINING;
        });
        c.instances = registry(records);
        c.execute();
        assertEquals(List.of("n1"), asked);
        assertEquals("Node n1: DRAINING; moving 2 instances of node n1 to other nodes through the strategy in force\n"
                + "  i-1 (algo) RUNNING on n2\n  i-2 (algo) RUNNING on n3\n"
                + "Node n1 is DECOMMISSIONED: it runs nothing and was told to shut down.\n", out());
    }

    @Test
    public void aRefusalSaysWhyAndForceIsPassedOn() throws Exception {
        NodeDecommissionCommand c = wire(new NodeDecommissionCommand());
        c.node = "n1";
        c.decommissioning = (node, force) -> {
            if (!force) {
                throw new IasException(ErrorKind.CONFLICT, "node_id", "node n1 runs instances no other node can take");
            }
            return new Decommission(node, NodeState.DRAINING, Instant.EPOCH, true, List.of(), "forced");
        };
        c.execute();
        assertEquals("node_id: node n1 runs instances no other node can take\n", err());
        c.force = true;
        c.noWait = true;
        c.execute();
        assertEquals("Node n1: DRAINING (forced); forced\n", out());
    }

    private static InstanceInfo instance(String id, String node, InstanceState state) {
        return new InstanceInfo(id, "App", "app", 1, "algo", "job-" + id, "process", node, state, 0, 1, null, null, null,
                null, List.of());
    }

    private static Nodes nodes(java.util.function.Supplier<NodeState> stateOfN1) {
        return new Nodes() {
            @Override
            public List<NodeStatus> nodes() {
                return List.of(status("n1", stateOfN1.get()));
            }

            @Override
            public Optional<NodeStatus> node(String id) {
                return id.equals("n1") ? Optional.of(status(id, stateOfN1.get())) : Optional.empty();
            }

            @Override
            public String strategy() {
                return "least-load";
            }

            @Override
            public List<String> strategies() {
                return List.of("least-load");
            }
        };
    }

    private static NodeStatus status(String id, NodeState state) {
        return new NodeStatus(id, "host", state, 0, 0, 0, List.of("process"), 1, 1);
    }

    private static InstanceRegistry registry(Map<String, InstanceInfo> records) {
        return new InstanceRegistry() {
            @Override
            public List<InstanceInfo> instances() {
                return List.copyOf(records.values());
            }

            @Override
            public Optional<InstanceInfo> instance(String id) {
                return Optional.ofNullable(records.get(id));
            }

            @Override
            public List<InstanceLogLine> logs(String id, int tail) {
                return List.of();
            }

            @Override
            public Optional<InstanceInfo> authenticate(String id, String token) {
                return Optional.empty();
            }

            @Override
            public Optional<InstanceInfo> authenticate(String token) {
                return Optional.empty();
            }
        };
    }
}
