package org.iasplatform.lifecycle.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.bson.Document;
import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceLogLine;
import org.iasplatform.api.deploy.InstanceRegistry;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.node.Decommission;
import org.iasplatform.api.node.LoadBalancingStrategy;
import org.iasplatform.api.node.NodeDecommissioning;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.api.node.Nodes;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
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
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;

/**
 * Server-lifecycle: keeps the node table from {@link Topics#NODE_HEARTBEATS} (followed by every platform instance, mirrored
 * in {@code slc.nodes}), places algorithm instances from {@link Topics#DEPLOYER_TO_SLC} on nodes through the
 * {@link LoadBalancingStrategy} in force ({@link PlacementHandler}), keeps the instances' records in {@code slc.instances}
 * from {@link Topics#INSTANCE_EVENTS} ({@link InstanceEventHandler}, which applies the {@link RestartPolicy} to crashes),
 * and at every sweep ({@code sweep_period_ms}): re-evaluates the nodes (SUSPECT after {@code suspect_after_ms}, DOWN after
 * {@code down_after_ms} of silence), makes RESTARTING the instances of DOWN nodes and of nodes whose agent restarted
 * without them, places again whatever is RESTARTING and may be (after a crash, once its back-off has passed)
 * ({@link RestartHandler}), and sends stops to nodes whose heartbeats list generations they must not run
 * ({@link Fencing}), and drains and shuts down nodes being decommissioned ({@link Decommissioning}). It serves the
 * instances as {@link InstanceRegistry}, the nodes as {@link Nodes} and their decommissioning as
 * {@link NodeDecommissioning}.
 * <p>
 * The strategy in force is the service bound by the dynamic reference {@code strategy}, whose target is the configuration
 * property {@code strategy.target} (default {@code (ias.strategy=least-load)}): changing it (in
 * {@code etc/org.iasplatform.lifecycle.cfg} or {@code config:property-set -p org.iasplatform.lifecycle strategy.target
 * "(ias.strategy=fewest-instances)"}) rebinds the reference while running, without reactivating the component, and a
 * strategy bundle installed later is bound as soon as it matches.
 */
@Component(service = {Nodes.class, InstanceRegistry.class, NodeDecommissioning.class}, immediate = true,
        configurationPid = ServerLifecycleComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ServerLifecycleComponent.Config.class)
public class ServerLifecycleComponent implements Nodes, InstanceRegistry, NodeDecommissioning {
    static final String PID = "org.iasplatform.lifecycle";
    static final String DEFAULT_STRATEGY_TARGET = "(ias.strategy=least-load)";
    static final String DATABASE = "slc";
    private static final Logger LOG = LoggerFactory.getLogger(ServerLifecycleComponent.class);
    private static final int MAX_LOG_LINES = 10_000;
    private static final int DEFAULT_LOG_LINES = 100;

    @ObjectClassDefinition(name = "IAS server lifecycle",
            description = "Node table, placement of algorithm instances, instance records.")
    public @interface Config {
        @AttributeDefinition(name = "Strategy", description = "LDAP filter selecting the LoadBalancingStrategy in force "
                + "(the target of the 'strategy' reference), e.g. (ias.strategy=least-load) or "
                + "(ias.strategy=fewest-instances). Switchable while running.")
        String strategy_target() default DEFAULT_STRATEGY_TARGET;

        @AttributeDefinition(name = "Suspect after (ms)", description = "Heartbeat silence after which a node is SUSPECT.")
        long suspect__after__ms() default 2000;

        @AttributeDefinition(name = "Down after (ms)", description = "Heartbeat silence after which a node is DOWN "
                + "(its instances are placed elsewhere at the next sweep: with a 1 s heartbeat, 4 s and a 0.5 s sweep "
                + "give a failover under 5 s; a false DOWN only moves instances, fenced so that none runs twice).")
        long down__after__ms() default 4000;

        @AttributeDefinition(name = "Placement consumer group",
                description = "Kafka consumer group for deployer_to_slc, shared by every platform instance.")
        String consumer__group() default "server-lifecycle";

        @AttributeDefinition(name = "Events consumer group",
                description = "Kafka consumer group for instance_events, shared by every platform instance.")
        String events__group() default "server-lifecycle-events";

        @AttributeDefinition(name = "Log read time-out (ms)", description = "How long reading an instance's log may take.")
        long logs__timeout__ms() default 10_000;

        @AttributeDefinition(name = "Sweep period (ms)",
                description = "How often node states are re-evaluated and state changes stored, the instances of DOWN "
                        + "nodes are moved, nodes running outdated generations are fenced, and RESTARTING instances "
                        + "(interrupted, or crashed and past their back-off) are placed again when a node can take them.")
        long sweep__period__ms() default 500;

        @AttributeDefinition(name = "Restart: failures before FAILED",
                description = "A crashed instance (non-zero exit, exception) is restarted until it has failed this many "
                        + "times within the window; that failure makes it FAILED. 1: never restarted. A deployment "
                        + "overrides it with restart_policy.max_failures.", min = "1")
        int restart__max__failures() default 5;

        @AttributeDefinition(name = "Restart: window (s)",
                description = "The window in which failures are counted (restart_policy.window_seconds).", min = "1")
        long restart__window__seconds() default 300;

        @AttributeDefinition(name = "Restart: first back-off (ms)",
                description = "The wait before the first restart after a crash; doubled with every further failure "
                        + "within the window (restart_policy.backoff_initial_ms).", min = "0")
        long restart__backoff__initial__ms() default 1000;

        @AttributeDefinition(name = "Restart: longest back-off (ms)",
                description = "The cap of the doubling back-off (restart_policy.backoff_max_ms).", min = "0")
        long restart__backoff__max__ms() default 60_000;

        @AttributeDefinition(name = "Restart: log lines kept",
                description = "How many of the last lines of its log an instance keeps when it becomes FAILED after "
                        + "too many failures.", min = "0")
        int restart__log__lines() default 20;

        @AttributeDefinition(name = "Restart: log read time-out (ms)",
                description = "How long reading those lines may take.", min = "1")
        long restart__log__timeout__ms() default 3000;

        @AttributeDefinition(name = "Drain time-out (ms)", min = "1",
                description = "How long a node being decommissioned has to confirm the stop of an instance it runs; "
                        + "after that the instance is taken from it as from a DOWN node and started elsewhere.")
        long drain__timeout__ms() default 60_000;

        @AttributeDefinition(name = "Retry (ms)",
                description = "Back-off before following the heartbeats again after a failure.")
        long retry__ms() default 2000;
    }

    private final Messaging messaging;
    private final Clock clock;
    private final ObjectMapper mapper = new ObjectMapper();
    private final InstanceStore instances;
    private final NodeTable nodeTable;
    private final Strategies strategies = new Strategies();
    private final PlacementHandler placement;
    private final InstanceEventHandler events;
    private final RestartHandler restarts;
    private final Fencing fencing;
    private final Decommissioning decommissioning;
    private final Object lock = new Object();

    private volatile Config config;
    private volatile long followingSince = -1;
    /** When the last heartbeat (of any node) was received, platform clock; -1: none yet. Written by the follower only. */
    private volatile long lastHeartbeatAt = -1;
    /** When a known node was heard again after a silence of every node (platform clock); -1: never. */
    private volatile long heardAgainAt = -1;
    private volatile Subscription heartbeats; // guarded by lock for writes
    private Subscription placementSubscription; // guarded by lock
    private Subscription eventSubscription; // guarded by lock
    private ScheduledExecutorService executor; // guarded by lock
    private boolean stopped; // guarded by lock

    @Activate
    public ServerLifecycleComponent(@Reference(target = "(ias.store=platform)") MongoClient mongo,
            @Reference Messaging messaging, Config config) {
        this(mongo, messaging, config, Clock.systemUTC());
    }

    /** With a clock of the caller's (tests control time with it). */
    ServerLifecycleComponent(MongoClient mongo, Messaging messaging, Config config, Clock clock) {
        this.messaging = messaging;
        this.clock = clock;
        this.config = config;
        MongoDatabase db = mongo.getDatabase(DATABASE);
        this.instances = new InstanceStore(db.getCollection(InstanceStore.COLLECTION));
        instances.createIndexes();
        this.nodeTable = new NodeTable(db.getCollection(NodeTable.COLLECTION), clock);
        nodeTable.setTimeouts(config.suspect__after__ms(), config.down__after__ms());
        nodeTable.load();
        Tokens tokens = new Tokens();
        this.placement = new PlacementHandler(instances, nodeTable, strategies, tokens, messaging, mapper, clock,
                () -> this.config.strategy_target(), this::nodeTableReady);
        this.events = new InstanceEventHandler(instances, mapper, clock, () -> RestartPolicy.of(this.config),
                this::lastLogLines);
        this.restarts = new RestartHandler(instances, nodeTable, placement, tokens, mapper, clock, this::nodeTableReady,
                () -> isFollowingHeartbeats() ? Math.max(followingSince, heardAgainAt) : -1);
        this.fencing = new Fencing(instances, nodeTable, placement, clock);
        this.decommissioning = new Decommissioning(instances, nodeTable, placement, mapper, clock,
                () -> Math.max(1, this.config.drain__timeout__ms()));
    }

    /** Starts consuming (after SCR bound the strategies, so that the first placement already has one). */
    @Activate
    void start() {
        long period = Math.max(50, config.sweep__period__ms());
        synchronized (lock) {
            executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ias-server-lifecycle");
                t.setDaemon(true);
                return t;
            });
            executor.execute(this::followHeartbeats);
            placementSubscription = messaging.subscribe(config.consumer__group(), List.of(Topics.DEPLOYER_TO_SLC),
                    placement::handle);
            eventSubscription = messaging.subscribe(config.events__group(), List.of(Topics.INSTANCE_EVENTS),
                    events::handle);
            executor.scheduleWithFixedDelay(this::sweepQuietly, period, period, TimeUnit.MILLISECONDS);
        }
        LOG.info("Server lifecycle started: strategy {} ({}), nodes SUSPECT after {} ms and DOWN after {} ms of silence, "
                + "sweep every {} ms; crashed instances restarted with back-off {}..{} ms, FAILED at {} failures within "
                + "{} s", strategy(), config.strategy_target(), config.suspect__after__ms(), config.down__after__ms(),
                period, config.restart__backoff__initial__ms(), config.restart__backoff__max__ms(),
                config.restart__max__failures(), config.restart__window__seconds());
    }

    /** A changed configuration: new time-outs apply at once; a new strategy.target is rebound by SCR. */
    @Modified
    void modified(Config config) {
        this.config = config;
        nodeTable.setTimeouts(config.suspect__after__ms(), config.down__after__ms());
        LOG.info("Server lifecycle reconfigured: strategy target {}, SUSPECT after {} ms, DOWN after {} ms",
                config.strategy_target(), config.suspect__after__ms(), config.down__after__ms());
    }

    @Deactivate
    void stop() {
        List<Subscription> open = new ArrayList<>();
        ScheduledExecutorService timer;
        synchronized (lock) {
            stopped = true;
            timer = executor;
            open.add(placementSubscription);
            open.add(eventSubscription);
            open.add(heartbeats);
            heartbeats = null;
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        for (Subscription s : open) {
            if (s != null) {
                try {
                    s.close();
                } catch (RuntimeException e) {
                    LOG.debug("Closing a subscription failed", e);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- strategies

    @Reference(name = "strategy", service = LoadBalancingStrategy.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = DEFAULT_STRATEGY_TARGET, unbind = "unsetStrategy")
    void setStrategy(LoadBalancingStrategy strategy, Map<String, Object> properties) {
        strategies.bind(strategy, properties);
        LOG.info("Load balancing strategy in force: {}", properties.get(LoadBalancingStrategy.PROPERTY_NAME));
    }

    void unsetStrategy(LoadBalancingStrategy strategy) {
        strategies.unbind(strategy);
    }

    @Reference(name = "strategies", service = LoadBalancingStrategy.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeStrategy")
    void addStrategy(LoadBalancingStrategy strategy, Map<String, Object> properties) {
        strategies.add(strategy, properties);
    }

    void removeStrategy(LoadBalancingStrategy strategy) {
        strategies.remove(strategy);
    }

    // ------------------------------------------------------------------------------------------------- heartbeats

    /** Follows the heartbeats (on the executor: following waits for the broker); retries until it works. */
    private void followHeartbeats() {
        synchronized (lock) {
            if (stopped || (heartbeats != null && heartbeats.isAlive())) {
                return;
            }
        }
        Subscription follower;
        try {
            follower = messaging.follow(List.of(Topics.NODE_HEARTBEATS), this::onHeartbeat);
        } catch (RuntimeException e) {
            LOG.warn("Cannot follow {} yet (retrying in {} ms): {}", Topics.NODE_HEARTBEATS, config.retry__ms(),
                    e.getMessage());
            synchronized (lock) {
                if (!stopped) {
                    try {
                        executor.schedule(this::followHeartbeats, Math.max(100, config.retry__ms()),
                                TimeUnit.MILLISECONDS);
                    } catch (RejectedExecutionException stopping) {
                        // deactivated meanwhile
                    }
                }
            }
            return;
        }
        synchronized (lock) {
            if (!stopped) {
                heartbeats = follower;
                followingSince = clock.millis();
                LOG.debug("Following {}", Topics.NODE_HEARTBEATS);
                return;
            }
        }
        follower.close();
    }

    /** One heartbeat; never throws (a follower has no redelivery worth having: the next heartbeat comes soon). */
    void onHeartbeat(Message message) {
        long now = clock.millis();
        long previous = lastHeartbeatAt;
        lastHeartbeatAt = now;
        try {
            JsonNode beat = mapper.readTree(message.value());
            if (beat != null && beat.isObject()) {
                if (previous >= 0 && now - previous > nodeTable.suspectMs()
                        && nodeTable.node(beat.path("node_id").asText()).isPresent()) {
                    // no node at all was heard for a while, and a known one is heard again: the broker restarted, or
                    // this platform was cut off from it. Silences count from now, as after the follower itself was
                    // restarted, so that a node whose heartbeats come through a moment later than another's is not
                    // taken for DOWN meanwhile. (A new node first heard after a silence is no such sign.)
                    heardAgainAt = now;
                    LOG.info("Heartbeats heard again after {} ms without any: no node is taken for DOWN before {} ms"
                            + " of heartbeats are followed", now - previous, nodeTable.downMs());
                }
                nodeTable.onHeartbeat(beat);
            }
        } catch (Exception e) {
            LOG.debug("Ignoring unreadable heartbeat {}: {}", message.key(), e.toString());
        }
    }

    /** Whether following heartbeats has gone on long enough for every live node to have been heard. */
    boolean nodeTableReady() {
        long since = followingSince;
        return since >= 0 && clock.millis() - since >= nodeTable.suspectMs();
    }

    NodeTable nodeTable() {
        return nodeTable;
    }

    boolean isFollowingHeartbeats() {
        Subscription s = heartbeats;
        return s != null && s.isAlive();
    }

    /** Re-evaluates node states, stores the changes; re-follows heartbeats if the follower died. */
    List<NodeTable.Transition> sweepNodes() {
        return nodeTable.sweep();
    }

    /**
     * Marks the orphans of restarted nodes RESTARTING and places again the RESTARTING instances a node can take now
     * ({@link RestartHandler}; what the periodic sweep does after the nodes).
     */
    void sweepRestarts() {
        restarts.sweep();
    }

    /** Sends stops to the nodes whose last heartbeat lists an instance generation they must not run ({@link Fencing}). */
    void sweepFences() {
        fencing.sweep();
    }

    /** Drains the nodes being decommissioned and shuts down the drained ones ({@link Decommissioning}). */
    void sweepDecommissions() {
        decommissioning.sweep();
    }

    private void sweepQuietly() {
        try {
            sweepNodes();
            if (!isFollowingHeartbeats()) {
                followHeartbeats();
            }
        } catch (RuntimeException e) {
            LOG.warn("Node sweep failed: {}", e.toString());
        }
        try {
            sweepRestarts();
        } catch (RuntimeException e) {
            LOG.warn("Restart sweep failed (trying again at the next sweep): {}", e.toString());
        }
        try {
            sweepFences();
        } catch (RuntimeException e) {
            LOG.warn("Fencing sweep failed (trying again at the next sweep): {}", e.toString());
        }
        try {
            sweepDecommissions();
        } catch (RuntimeException e) {
            LOG.warn("Decommissioning sweep failed (trying again at the next sweep): {}", e.toString());
        }
    }

    // ------------------------------------------------------------------------------------------------- handlers

    /** Handles a message of {@link Topics#DEPLOYER_TO_SLC} (what the placement subscription does). */
    void handlePlacement(Message message) throws Exception {
        placement.handle(message);
    }

    /** Handles a message of {@link Topics#INSTANCE_EVENTS} (what the events subscription does). */
    void handleInstanceEvent(Message message) throws Exception {
        events.handle(message);
    }

    // ------------------------------------------------------------------------------------------------- Nodes

    @Override
    public List<NodeStatus> nodes() {
        return nodeTable.nodes();
    }

    @Override
    public Optional<NodeStatus> node(String nodeId) {
        return nodeTable.node(nodeId);
    }

    @Override
    public String strategy() {
        return strategies.current().map(Strategies.Named::name).orElse(null);
    }

    @Override
    public List<String> strategies() {
        return strategies.names();
    }

    // ------------------------------------------------------------------------------------------------- NodeDecommissioning

    @Override
    public Decommission decommission(String nodeId, boolean force) throws IasException {
        return decommissioning.decommission(nodeId, force);
    }

    // ------------------------------------------------------------------------------------------------- InstanceRegistry

    @Override
    public List<InstanceInfo> instances() {
        return instances.all().stream().map(InstanceStore::toInfo).toList();
    }

    @Override
    public Optional<InstanceInfo> instance(String instanceId) {
        return instanceId == null ? Optional.empty() : instances.find(instanceId).map(InstanceStore::toInfo);
    }

    @Override
    public List<InstanceLogLine> logs(String instanceId, int tail) throws IasException {
        if (instance(instanceId).isEmpty()) {
            throw new IasException(ErrorKind.NOT_FOUND, "instance_id", "there is no algorithm instance \"" + instanceId
                    + "\"; expected the id of an instance listed by GET /instances");
        }
        int count = tail <= 0 ? DEFAULT_LOG_LINES : Math.min(tail, MAX_LOG_LINES);
        List<Message> messages;
        try {
            messages = messaging.latest(Topics.instanceLog(instanceId), count,
                    Duration.ofMillis(Math.max(100, config.logs__timeout__ms())));
        } catch (MessagingException e) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", "the log of instance " + instanceId
                    + " cannot be read now: " + e.getMessage());
        }
        List<InstanceLogLine> lines = new ArrayList<>(messages.size());
        for (Message m : messages) {
            lines.add(logLine(m));
        }
        return lines;
    }

    /**
     * The last lines of an instance's log as text ({@code "<stream>: <line>"}, oldest first), for an instance the restart
     * policy gave up on; read with the configured bound on time.
     */
    List<String> lastLogLines(String instanceId) throws MessagingException {
        int count = Math.max(0, Math.min(config.restart__log__lines(), MAX_LOG_LINES));
        if (count == 0) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        for (Message m : messaging.latest(Topics.instanceLog(instanceId), count,
                Duration.ofMillis(Math.max(1, config.restart__log__timeout__ms())))) {
            InstanceLogLine line = logLine(m);
            lines.add(line.stream() + ": " + line.line());
        }
        return lines;
    }

    private InstanceLogLine logLine(Message m) {
        try {
            JsonNode line = mapper.readTree(m.value());
            if (line != null && line.isObject()) {
                return new InstanceLogLine(line.path("timestamp").asLong(m.timestamp()),
                        line.path("stream").asText("log"), line.path("line").asText(""));
            }
        } catch (Exception e) {
            // not the documented form: shown as it is
        }
        return new InstanceLogLine(m.timestamp(), "log", m.value());
    }

    @Override
    public Optional<InstanceInfo> authenticate(String instanceId, String token) {
        if (instanceId == null || token == null || token.isEmpty()) {
            return Optional.empty();
        }
        return instances.find(instanceId).filter(d -> valid(d, token)).map(InstanceStore::toInfo);
    }

    @Override
    public Optional<InstanceInfo> authenticate(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        return instances.byTokenHash(Tokens.sha256Hex(token)).filter(d -> valid(d, token)).map(InstanceStore::toInfo);
    }

    /** The token is the instance's current one (constant-time comparison of SHA-256 digests) and the instance active. */
    private static boolean valid(Document d, String token) {
        boolean matches = Tokens.matches(token, Docs.str(d, "token_sha256"));
        return matches && InstanceStore.isActive(d);
    }
}
