package org.iasplatform.strategy.ssh.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import org.iasplatform.api.node.LoadBalancingStrategy;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.api.node.PlacementRequest;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's load balancer as it was: each candidate node's host is measured over SSH with {@code free} and
 * {@code vmstat 1 2} (jsch in place of Paramiko), {@code load = 0.5 * mem_usage + 0.5 * cpu_usage}, and the least loaded
 * candidate wins. Ties (to a millionth) go to the node with fewer instances, then to the lower node id.
 *
 * <p>Which host is a node's comes from the {@code hosts} configuration ({@code node_id=user@host[:port]}). A candidate
 * without one, or whose probe failed or did not answer in time, is weighed by the figures of its own heartbeat
 * ({@link NodeStatus#load()}), which is logged at debug. Probing is slow (a second at least), so a host's figures (or its
 * failure) are kept for {@code cache_seconds}, probes run in parallel on at most {@code max_parallel_probes} threads,
 * and {@link #choose} waits for them at most {@code probe_wait_ms}; what is not done by then finishes in the background
 * and serves the next placements. Credentials come from the configuration and are never logged.
 */
@Component(service = LoadBalancingStrategy.class, configurationPid = SshProbeStrategy.PID,
        property = LoadBalancingStrategy.PROPERTY_NAME + "=" + SshProbeStrategy.NAME)
@Designate(ocd = SshProbeStrategy.Config.class)
public class SshProbeStrategy implements LoadBalancingStrategy {
    /** The strategy's {@link LoadBalancingStrategy#PROPERTY_NAME name}. */
    public static final String NAME = "ssh-probe";
    static final String PID = "org.iasplatform.strategy.ssh";
    private static final Logger LOG = LoggerFactory.getLogger(SshProbeStrategy.class);

    @ObjectClassDefinition(name = "IAS SSH probe strategy",
            description = "LoadBalancingStrategy ias.strategy=ssh-probe: measures each candidate node's host over SSH "
                    + "(free, vmstat 1 2) and places on the least loaded (0.5 * mem + 0.5 * cpu).")
    public @interface Config {
        @AttributeDefinition(name = "Hosts", required = false,
                description = "The host of each node: node_id=user@host[:port] (port 22 unless given; an IPv6 address "
                        + "in brackets). Several values, or one value with entries separated by commas. A node "
                        + "without an entry is weighed by its heartbeat figures.")
        String[] hosts() default {};

        @AttributeDefinition(name = "Private key file", required = false,
                description = "Path of the private key (OpenSSH or PEM format) offered for public-key authentication.")
        String private__key__file() default "";

        // The two secrets are named with a leading full stop (".password"): private component properties, which SCR
        // does not copy into the service's properties, so that service listings never show them.

        @AttributeDefinition(name = "Private key passphrase", type = AttributeType.PASSWORD, required = false,
                description = "Passphrase of the private key, when it is encrypted (property .private_key_passphrase).")
        String _private__key__passphrase() default "";

        @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD, required = false,
                description = "Password for password (and keyboard-interactive) authentication (property .password).")
        String _password() default "";

        @AttributeDefinition(name = "known_hosts file", required = false,
                description = "OpenSSH known_hosts file: when given, host keys are checked strictly against it (an "
                        + "unknown or changed key is rejected). When not, a host's first key is accepted and "
                        + "remembered in memory (accept-new), with a warning.")
        String known__hosts__file() default "";

        @AttributeDefinition(name = "Connect time-out (ms)", min = "1",
                description = "Longest TCP connect, and longest wait for each message of the SSH handshake.")
        int connect__timeout__ms() default 3000;

        @AttributeDefinition(name = "Command time-out (ms)", min = "1",
                description = "Time for free and vmstat 1 2 (which takes a second): a probe still running after the "
                        + "connect plus this time-out is ended.")
        int command__timeout__ms() default 5000;

        @AttributeDefinition(name = "Cache period (s)", min = "0",
                description = "How long a host's figures, or its probe's failure, are used before it is probed again; "
                        + "0: probed for every placement.")
        int cache__seconds() default 15;

        @AttributeDefinition(name = "Probe wait (ms)", min = "0",
                description = "Longest time a placement waits for probes under way; a host whose figures are not "
                        + "there by then is weighed by its heartbeat figures, and its probe goes on in the background.")
        int probe__wait__ms() default 2000;

        @AttributeDefinition(name = "Parallel probes", min = "1", description = "Most hosts probed at the same time.")
        int max__parallel__probes() default 4;
    }

    /** Least load first (compared to a millionth, so that rounding noise is a tie), then fewer instances, then node id. */
    private static final Comparator<Weighed> ORDER = Comparator.<Weighed>comparingLong(w -> Math.round(w.load() * 1e6))
            .thenComparingInt(w -> w.node().instances())
            .thenComparing(w -> w.node().nodeId());

    private final Settings settings;
    private final SshProber prober;
    private final ThreadPoolExecutor executor;
    private final ProbeCache cache;

    @Activate
    public SshProbeStrategy(Config config) {
        this(Settings.of(config, problem -> LOG.error("SSH probe strategy configuration ({}): {}", PID, problem)),
                System::nanoTime);
    }

    SshProbeStrategy(Settings settings, LongSupplier clock) {
        this.settings = settings;
        this.prober = new SshProber(settings);
        AtomicInteger threads = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(settings.maxParallelProbes(), settings.maxParallelProbes(), 30,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "ias-ssh-probe-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
        this.cache = new ProbeCache(prober::probe, executor, clock, settings.cacheFor());
        if (!settings.hosts().isEmpty() && settings.privateKeyFile().isEmpty() && settings.password().isEmpty()) {
            LOG.warn("SSH probe strategy: neither private_key_file nor password is configured; every probe will fail "
                    + "and the nodes are weighed by their heartbeat figures");
        }
        if (!settings.hosts().isEmpty() && !settings.strictHostKeys()) {
            LOG.warn("SSH probe strategy: no known_hosts_file is configured: each host's key is accepted the first time "
                    + "it is seen and only checked against that afterwards (accept-new, kept in memory); a man in the "
                    + "middle on first contact would go unnoticed. Set known_hosts_file for strict checking.");
        }
        LOG.info("SSH probe strategy active: {}", settings);
    }

    @Deactivate
    void deactivate() {
        executor.shutdownNow();
        prober.close();
    }

    /** A candidate with the load it is weighed by. */
    private record Weighed(NodeStatus node, double load, String source) {
    }

    @Override
    public Optional<NodeStatus> choose(List<NodeStatus> candidates, PlacementRequest request) {
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        List<HostTarget> targets = new ArrayList<>();
        for (NodeStatus candidate : candidates) {
            HostTarget target = settings.hosts().get(candidate.nodeId());
            if (target != null && !targets.contains(target)) {
                targets.add(target);
            }
        }
        Map<HostTarget, ProbeCache.Outcome> outcomes = cache.measure(targets, settings.probeWait());
        List<Weighed> weighed = new ArrayList<>();
        for (NodeStatus candidate : candidates) {
            weighed.add(weigh(candidate, outcomes));
        }
        Weighed chosen = weighed.stream().min(ORDER).orElseThrow();
        if (LOG.isDebugEnabled()) {
            LOG.debug("Instance {}: node {} chosen, {}; candidates {}", request == null ? "?" : request.instanceId(),
                    chosen.node().nodeId(), chosen.source(),
                    weighed.stream().map(w -> w.node().nodeId() + " " + w.source()).toList());
        }
        return Optional.of(chosen.node());
    }

    private Weighed weigh(NodeStatus candidate, Map<HostTarget, ProbeCache.Outcome> outcomes) {
        HostTarget target = settings.hosts().get(candidate.nodeId());
        if (target == null) {
            LOG.debug("Node {}: no host configured in hosts; weighed by its heartbeat figures", candidate.nodeId());
            return new Weighed(candidate, candidate.load(), heartbeat(candidate, "no host configured"));
        }
        ProbeCache.Outcome outcome = outcomes.get(target);
        if (outcome != null && outcome.ok()) {
            Measurement m = outcome.measurement();
            return new Weighed(candidate, m.load(), m + " over SSH");
        }
        String why = outcome == null ? "not probed" : outcome.failure();
        LOG.debug("Node {}: no SSH figures ({}); weighed by its heartbeat figures", candidate.nodeId(), why);
        return new Weighed(candidate, candidate.load(), heartbeat(candidate, "SSH probe failed"));
    }

    private static String heartbeat(NodeStatus node, String why) {
        return String.format(Locale.ROOT, "load %.3f (mem %.3f, cpu %.3f) from its heartbeat, %s", node.load(),
                node.mem(), node.cpu(), why);
    }
}
