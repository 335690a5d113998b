package org.iasplatform.node.internal;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.node.AppRuntime;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;

/**
 * The node agent, on every node:
 * <ul>
 * <li>announces this node with a heartbeat on {@link Topics#NODE_HEARTBEATS} every period: cpu, memory, the number of
 * instances it runs, the kinds of the {@link AppRuntime} services present ({@code "runtimes"}), this agent's
 * {@code "epoch"} (its start time) and the instances it runs with their generation ({@code "running": [{"instance_id",
 * "generation"}]}, so that server-lifecycle can send a stop for a generation this node must no longer run, e.g. after it
 * was declared DOWN and its instances were placed elsewhere);</li>
 * <li>consumes {@link Topics#nodeCommands(String) node_commands_&lt;node id&gt;} in consumer group
 * {@code node-<node id>} and starts and stops algorithm instances on those runtimes ({@link InstanceManager}); app
 * packages come from GridFS through the platform's MongoClient ({@code ias.store=platform});</li>
 * <li>when deactivated, stops every instance it runs: nothing is left behind. They are reported FAILED with
 * {@code "interrupted": true}: server-lifecycle starts them again once a node (this one restarted, or another) can run
 * them;</li>
 * <li>when decommissioned, server-lifecycle sends {@code {"op": "shutdown", "node_id", "node_epoch", "reason"}} on the
 * command topic once the node runs nothing: an agent of that epoch stops its Karaf (the system bundle), which stops
 * whatever it still runs as above; with {@code stop_karaf_on_decommission = false} (the platform distribution's local
 * node, whose Karaf is the platform's) it only logs it. A shutdown addressed to an earlier agent of the node is
 * ignored.</li>
 * </ul>
 * The runtimes are a whiteboard (any number, coming and going); instances of a runtime that goes away are stopped and
 * reported FAILED.
 */
@Component(immediate = true, configurationPid = "org.iasplatform.node", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = NodeAgent.Config.class)
public class NodeAgent {

    @ObjectClassDefinition(name = "IAS node agent",
            description = "Identity and heartbeat of this node; how it runs algorithm instances.")
    public @interface Config {
        @AttributeDefinition(name = "Node id", description = "Unique id of this node; empty: the host name.")
        String node__id() default "";

        @AttributeDefinition(name = "Heartbeat period (ms)", description = "How often this node announces itself. "
                + "Keep it well below server-lifecycle's suspect_after_ms and down_after_ms (e.g. 500 with 1000 and 2000 "
                + "for fail-over within a few seconds).")
        long heartbeat__period__ms() default 1000;

        @AttributeDefinition(name = "API URL",
                description = "The platform's REST API as algorithm instances on this node reach it (their IAS_API_URL).")
        String api__url() default "http://127.0.0.1:8181/ias/api/v1";

        @AttributeDefinition(name = "Instances folder",
                description = "Where app packages are extracted, one folder per instance and generation; empty: "
                        + "${karaf.data}/ias/instances (java.io.tmpdir/ias/instances without karaf.data).")
        String instances__dir() default "";

        @AttributeDefinition(name = "Stop grace (ms)",
                description = "How long a stopped instance may take to end cleanly before it is killed.", min = "0")
        long stop__grace__ms() default 5000;

        @AttributeDefinition(name = "Runtime wait (ms)",
                description = "How long a start waits for a runtime of its kind to appear (e.g. right after the node "
                        + "started) before it fails.", min = "0")
        long runtime__wait__ms() default 5000;

        @AttributeDefinition(name = "Publish time-out (ms)",
                description = "How long to wait for Kafka to acknowledge an instance event.", min = "1")
        long publish__timeout__ms() default 30_000;

        @AttributeDefinition(name = "Stop Karaf when decommissioned",
                description = "When server-lifecycle tells this node to shut down (it was decommissioned and runs "
                        + "nothing), stop this Karaf. Off on the platform distribution's local node: its Karaf is the "
                        + "platform's own.")
        boolean stop__karaf__on__decommission() default true;

        @AttributeDefinition(name = "Largest package (bytes)", min = "1")
        long package__max__bytes() default 128L * 1024 * 1024;

        @AttributeDefinition(name = "Most package entries", min = "1")
        int package__max__entries() default 10_000;

        @AttributeDefinition(name = "Largest inflated package (bytes)", min = "1")
        long package__max__inflated__bytes() default 512L * 1024 * 1024;
    }

    private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);

    private final Messaging messaging;
    private final ObjectMapper mapper = new ObjectMapper();
    private final String nodeId;
    private final String host;
    private final long epoch = System.currentTimeMillis();
    private final long heartbeatPeriodMs;
    private final AtomicLong failures = new AtomicLong();
    private final RuntimeRegistry runtimes = new RuntimeRegistry();
    private final InstanceManager instances;
    private final boolean stopKarafOnDecommission;
    private final Runnable stopKaraf;
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private ScheduledExecutorService timer;
    private Subscription subscription;

    /**
     * Builds the agent; the runtimes present are bound after this and before {@link #activate()}, which starts the
     * heartbeats and the command subscription.
     */
    @Activate
    public NodeAgent(@Reference(name = "messaging") Messaging messaging,
            @Reference(name = "mongo", target = "(ias.store=platform)") MongoClient mongo, Config config,
            BundleContext context) {
        this(messaging, mongo, config, () -> stopFramework(context));
    }

    /** @param stopKaraf what a shutdown command does (stops the framework in Karaf) */
    NodeAgent(Messaging messaging, MongoClient mongo, Config config, Runnable stopKaraf) {
        this.messaging = messaging;
        this.stopKaraf = stopKaraf;
        this.stopKarafOnDecommission = config.stop__karaf__on__decommission();
        this.host = hostName();
        this.nodeId = config.node__id().isBlank() ? host : config.node__id().trim();
        this.heartbeatPeriodMs = Math.max(100, config.heartbeat__period__ms());
        InstanceManager.Settings settings = new InstanceManager.Settings(nodeId, instancesDir(config),
                config.api__url().trim(), Duration.ofMillis(Math.max(0, config.stop__grace__ms())),
                Duration.ofMillis(Math.max(0, config.runtime__wait__ms())),
                Duration.ofMillis(Math.max(1, config.publish__timeout__ms())),
                new SafeExtractor.Limits(config.package__max__bytes(), config.package__max__entries(),
                        config.package__max__inflated__bytes()), epoch);
        this.instances = new InstanceManager(settings, messaging, new GridFsPackageSource(mongo), runtimes);
    }

    /** Starts the heartbeats and the subscription to this node's commands. */
    @Activate
    void activate() {
        AtomicInteger threads = new AtomicInteger();
        timer = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "ias-node-agent-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::beat, 0, heartbeatPeriodMs, TimeUnit.MILLISECONDS);
        timer.execute(this::ensureCommandTopic);
        subscription = messaging.subscribe(commandGroup(), List.of(Topics.nodeCommands(nodeId)), this::onCommand);
        LOG.info("Node agent {} on {}: heartbeats every {} ms, commands from {} (runtimes {})", nodeId, host,
                heartbeatPeriodMs, Topics.nodeCommands(nodeId), runtimes.kinds());
    }

    /** Stops the subscription first (no new command), then every instance, then the heartbeats. */
    @Deactivate
    void deactivate() {
        if (subscription != null) {
            subscription.close();
        }
        instances.close();
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** One message of the command topic: a shutdown here, anything else for the instances. */
    void onCommand(Message message) throws Exception {
        JsonNode command = shutdownCommand(message);
        if (command == null) {
            instances.handle(message);
            return;
        }
        long addressed = command.path("node_epoch").asLong(-1);
        if (addressed != epoch) {
            LOG.info("Node {}: ignoring a shutdown addressed to an earlier run of this agent (epoch {}, this one is {})",
                    nodeId, addressed, epoch);
            return;
        }
        String reason = command.path("reason").asText("shutdown");
        if (!stopKarafOnDecommission) {
            LOG.warn("Node {} was told to shut down ({}); stop_karaf_on_decommission is false, so this Karaf stays up: "
                    + "the node runs nothing and is shown DECOMMISSIONED until it is started again", nodeId, reason);
            return;
        }
        if (shuttingDown.compareAndSet(false, true)) {
            LOG.warn("Node {} was told to shut down ({}): stopping this Karaf", nodeId, reason);
            // not on the consumer's thread: stopping the framework deactivates this agent, which closes the subscription
            Thread t = new Thread(stopKaraf, "ias-node-shutdown");
            t.setDaemon(true);
            t.start();
        }
    }

    /** The message as a shutdown command ({@code "op": "shutdown"}), or null when it is anything else. */
    private JsonNode shutdownCommand(Message message) {
        try {
            JsonNode command = mapper.readTree(message.value() == null ? "" : message.value());
            return command != null && command.isObject() && "shutdown".equals(command.path("op").asText()) ? command
                    : null;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null; // the instance manager refuses it
        }
    }

    /** Stops the OSGi framework (Karaf exits), as {@code system:shutdown} does. */
    private static void stopFramework(BundleContext context) {
        try {
            context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).stop();
        } catch (BundleException | IllegalStateException e) {
            LOG.error("The framework could not be stopped: {}", e.toString());
        }
    }

    @Reference(name = "runtime", service = AppRuntime.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, unbind = "removeRuntime",
            updated = "updatedRuntime")
    void addRuntime(AppRuntime runtime, Map<String, Object> properties) {
        RuntimeRegistry.Entry entry = entry(runtime, properties);
        if (entry.kinds().isEmpty()) {
            LOG.warn("Node {}: an AppRuntime service without {} is ignored: {}", nodeId, AppRuntime.PROPERTY_KIND, runtime);
            return;
        }
        runtimes.add(entry);
        LOG.info("Node {}: runtime {} added (service {})", nodeId, entry.kind(), entry.serviceId());
    }

    void updatedRuntime(AppRuntime runtime, Map<String, Object> properties) {
        RuntimeRegistry.Entry entry = entry(runtime, properties);
        if (entry.kinds().isEmpty()) {
            removeRuntime(runtime, properties);
        } else {
            runtimes.add(entry);
        }
    }

    void removeRuntime(AppRuntime runtime, Map<String, Object> properties) {
        runtimes.remove(serviceId(properties)).ifPresent(entry -> {
            LOG.info("Node {}: runtime {} removed (service {})", nodeId, entry.kind(), entry.serviceId());
            instances.runtimeRemoved(entry);
        });
    }

    private static RuntimeRegistry.Entry entry(AppRuntime runtime, Map<String, Object> properties) {
        Object ranking = properties.get(Constants.SERVICE_RANKING);
        return new RuntimeRegistry.Entry(RuntimeRegistry.kindsOf(properties.get(AppRuntime.PROPERTY_KIND)), runtime,
                serviceId(properties), ranking instanceof Integer i ? i : 0);
    }

    private static long serviceId(Map<String, Object> properties) {
        return properties.get(Constants.SERVICE_ID) instanceof Long id ? id : -1;
    }

    String nodeId() {
        return nodeId;
    }

    String commandGroup() {
        return "node-" + nodeId;
    }

    ObjectNode heartbeat() {
        ObjectNode beat = mapper.createObjectNode();
        beat.put("node_id", nodeId);
        beat.put("host", host);
        beat.put("timestamp", System.currentTimeMillis());
        beat.put("cpu", cpuLoad());
        beat.put("mem", memoryUsage());
        Map<String, Long> running = instances.running(); // one look: "instances" and "running" agree
        beat.put("instances", running.size());
        beat.put("epoch", epoch);
        var kinds = beat.putArray("runtimes");
        runtimes.kinds().forEach(kinds::add);
        var listed = beat.putArray("running");
        running.forEach((id, generation) -> listed.addObject().put("instance_id", id).put("generation", generation));
        return beat;
    }

    private void beat() {
        try {
            messaging.publish(Topics.NODE_HEARTBEATS, nodeId, heartbeat().toString()).whenComplete((ok, error) -> {
                if (error != null && failures.incrementAndGet() % 30 == 1) {
                    LOG.warn("Node {} heartbeat not delivered: {}", nodeId, error.getMessage());
                } else if (error == null) {
                    failures.set(0);
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("Node {} heartbeat not sent: {}", nodeId, e.toString());
        }
    }

    /** Creates this node's command topic (with the platform's partitions), retrying until Kafka answers. */
    private void ensureCommandTopic() {
        try {
            messaging.ensureTopics(List.of(Topics.nodeCommands(nodeId)));
        } catch (MessagingException | RuntimeException e) {
            LOG.debug("Node {}: command topic not created yet: {}", nodeId, e.toString());
            if (!timer.isShutdown()) {
                timer.schedule(this::ensureCommandTopic, 5, TimeUnit.SECONDS);
            }
        }
    }

    /** The configured instances folder, else {@code ${karaf.data}/ias/instances}, else {@code java.io.tmpdir/ias/instances}. */
    static Path instancesDir(Config config) {
        if (!config.instances__dir().isBlank()) {
            return Path.of(config.instances__dir().trim()).toAbsolutePath();
        }
        String data = System.getProperty("karaf.data");
        Path base = data == null || data.isBlank() ? Path.of(System.getProperty("java.io.tmpdir")) : Path.of(data);
        return base.resolve("ias").resolve("instances").toAbsolutePath();
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
