package org.iasplatform.node.internal;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Topics;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The node agent: announces this node with a heartbeat (cpu, memory, instance count) on {@link Topics#NODE_HEARTBEATS}
 * every period. Starting and watching algorithm instances through AppRuntime services builds on this.
 */
@Component(immediate = true, configurationPid = "org.iasplatform.node", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = NodeAgent.Config.class)
public class NodeAgent {

    @ObjectClassDefinition(name = "IAS node agent", description = "Identity and heartbeat of this node.")
    public @interface Config {
        @AttributeDefinition(name = "Node id", description = "Unique id of this node; empty: the host name.")
        String node__id() default "";

        @AttributeDefinition(name = "Heartbeat period (ms)")
        long heartbeat__period__ms() default 1000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);

    private final Messaging messaging;
    private final ObjectMapper mapper = new ObjectMapper();
    private final ScheduledExecutorService timer;
    private final String nodeId;
    private final String host;
    private final long epoch = System.currentTimeMillis();
    private final AtomicLong failures = new AtomicLong();

    @Activate
    public NodeAgent(@Reference Messaging messaging, Config config) {
        this.messaging = messaging;
        this.host = hostName();
        this.nodeId = config.node__id().isBlank() ? host : config.node__id();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "ias-node-heartbeat"));
        timer.scheduleAtFixedRate(this::beat, 0, Math.max(100, config.heartbeat__period__ms()), TimeUnit.MILLISECONDS);
        LOG.info("Node agent {} on {} sending heartbeats every {} ms", nodeId, host, config.heartbeat__period__ms());
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }

    ObjectNode heartbeat() {
        ObjectNode beat = mapper.createObjectNode();
        beat.put("node_id", nodeId);
        beat.put("host", host);
        beat.put("timestamp", System.currentTimeMillis());
        beat.put("cpu", cpuLoad());
        beat.put("mem", memoryUsage());
        beat.put("instances", 0);
        beat.put("epoch", epoch);
        return beat;
    }

    private void beat() {
        messaging.publish(Topics.NODE_HEARTBEATS, nodeId, heartbeat().toString()).whenComplete((ok, error) -> {
            if (error != null && failures.incrementAndGet() % 30 == 1) {
                LOG.warn("Node {} heartbeat not delivered: {}", nodeId, error.getMessage());
            } else if (error == null) {
                failures.set(0);
            }
        });
    }

    private static double cpuLoad() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            double load = os.getCpuLoad();
            return load < 0 ? 0 : load;
        }
        return 0;
    }

    private static double memoryUsage() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long total = os.getTotalMemorySize();
            return total <= 0 ? 0 : (double) (total - os.getFreeMemorySize()) / total;
        }
        return 0;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
