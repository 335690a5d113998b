package org.iasplatform.provision.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.infra.InfrastructureEndpoints;
import org.iasplatform.api.node.NodeState;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.api.node.NodeProvisioning;
import org.iasplatform.api.node.Nodes;
import org.iasplatform.api.node.Provision;
import org.iasplatform.api.node.ProvisionRequest;
import org.iasplatform.api.validation.ValidationError;
import org.iasplatform.sshsupport.HostKeys;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.jcraft.jsch.JSch;

/**
 * {@link NodeProvisioning} over SSH with jsch: each request is checked (nothing starts when it is wrong), then run in the
 * background ({@link ProvisionJob}: connect, check, copy, unpack, configure, start, heartbeat), at most
 * {@code max_parallel} at once. The node distribution archive is the one the platform distribution carries (under
 * {@code system/org/iasplatform/ias-node-distribution/}) unless configured. The new node is given the platform's Kafka
 * and MongoDB as {@link InfrastructureEndpoints} has them, unless advertised endpoints are configured (a host other than
 * this machine cannot reach loopback ones: such a request is refused). Host keys: strict against
 * {@code known_hosts_file}, else accept-new in memory (as the ssh-probe strategy). The latest provisionings are kept in
 * memory for {@link #provision(String)}.
 */
@Component(service = NodeProvisioning.class, configurationPid = NodeProvisioner.PID)
@Designate(ocd = ProvisionConfig.class)
public class NodeProvisioner implements NodeProvisioning {
    static final String PID = "org.iasplatform.provision";
    /** Where the platform distribution carries the node distribution, below karaf.home. */
    static final String CARRIED = "system/org/iasplatform/ias-node-distribution";
    private static final int KEPT = 50;
    private static final Logger LOG = LoggerFactory.getLogger(NodeProvisioner.class);

    private final Nodes nodes;
    private final InfrastructureEndpoints infrastructure;
    private final Settings settings;
    private final Path karafHome;
    private final Clock clock;
    private final HostKeys hostKeys;
    private final ThreadPoolExecutor executor;
    private final ScheduledThreadPoolExecutor watchdog;
    private final Map<String, ProvisionJob> jobs = new LinkedHashMap<>(); // guarded by itself; oldest first

    @Activate
    public NodeProvisioner(@Reference Nodes nodes, @Reference InfrastructureEndpoints infrastructure,
            ProvisionConfig config) {
        this(nodes, infrastructure, Settings.of(config), Path.of(System.getProperty("karaf.home", ".")),
                Clock.systemUTC());
    }

    NodeProvisioner(Nodes nodes, InfrastructureEndpoints infrastructure, Settings settings, Path karafHome, Clock clock) {
        this.nodes = nodes;
        this.infrastructure = infrastructure;
        this.settings = settings;
        this.karafHome = karafHome;
        this.clock = clock;
        this.hostKeys = HostKeys.install(new JSch(), settings.knownHostsFile(), "Node provisioning");
        AtomicInteger threads = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(settings.maxParallel(), settings.maxParallel(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "ias-provision-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
        this.watchdog = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "ias-provision-watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog.setRemoveOnCancelPolicy(true);
        if (!hostKeys.strict()) {
            LOG.warn("Node provisioning: no known_hosts_file is configured: each host's key is accepted the first time "
                    + "it is seen and only checked against that afterwards (accept-new, kept in memory); a man in the "
                    + "middle on first contact would go unnoticed. Set known_hosts_file for strict checking.");
        }
        LOG.info("Node provisioning ready: {}", settings);
    }

    @Deactivate
    void deactivate() {
        List<ProvisionJob> running;
        synchronized (jobs) {
            running = jobs.values().stream().filter(j -> !j.done()).toList();
        }
        running.forEach(ProvisionJob::cancel);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        watchdog.shutdownNow();
    }

    @Override
    public Provision provision(ProvisionRequest request) throws IasException {
        if (request == null) {
            throw new IasException(ErrorKind.INVALID, "", "no request: expected host, user and optionally port, "
                    + "node_id, dir, key_file, password");
        }
        Target target = Target.of(request, settings);
        ProvisionJob.Plan plan = plan(target);
        NodeStatus known = nodes.node(target.nodeId()).orElse(null);
        if (known != null && (known.state() == NodeState.UP || known.state() == NodeState.DRAINING)) {
            throw new IasException(ErrorKind.CONFLICT, "node_id", "node " + target.nodeId() + " is " + known.state()
                    + " already (host " + known.host() + "); choose another node id, or stop that node first");
        }
        ProvisionJob job;
        synchronized (jobs) {
            for (ProvisionJob other : jobs.values()) {
                if (!other.done() && (other.target().nodeId().equals(target.nodeId())
                        || other.target().host().equals(target.host())
                                && other.target().remoteDir().equals(target.remoteDir()))) {
                    throw new IasException(ErrorKind.CONFLICT, "node_id", "provisioning " + other.id() + " of node "
                            + other.target().nodeId() + " on " + other.target().address() + ":"
                            + other.target().remoteDir() + " is under way; wait for it (GET /nodes/provision/"
                            + other.id() + ")");
                }
            }
            job = new ProvisionJob("prov-" + UUID.randomUUID().toString().substring(0, 8), target, plan, settings,
                    hostKeys, nodes, watchdog, clock);
            jobs.put(job.id(), job);
            while (jobs.size() > KEPT) {
                String oldest = jobs.keySet().iterator().next();
                if (!jobs.get(oldest).done()) {
                    break;
                }
                jobs.remove(oldest);
            }
        }
        try {
            executor.execute(job);
        } catch (RejectedExecutionException e) {
            synchronized (jobs) {
                jobs.remove(job.id());
            }
            throw new IasException(ErrorKind.UNAVAILABLE, "", "node provisioning is stopping; try again shortly");
        }
        LOG.info("Provisioning {} started: {}", job.id(), target);
        return job.snapshot();
    }

    /** The archive and what the node is told; refuses what cannot work (no archive, loopback endpoints for a remote host). */
    private ProvisionJob.Plan plan(Target target) throws IasException {
        Path archive = archive();
        String kafka = settings.kafkaBootstrap().isEmpty() ? infrastructure.kafkaBootstrapServers()
                : settings.kafkaBootstrap();
        String mongo = settings.mongoUri().isEmpty() ? infrastructure.mongoUri() : settings.mongoUri();
        if (!target.loopback()) {
            List<ValidationError> unreachable = new ArrayList<>();
            if (loopbackOnly(kafka)) {
                unreachable.add(new ValidationError("host", "the node on " + target.host() + " would be given the "
                        + "platform's Kafka at " + kafka + ", which only this machine reaches; set "
                        + "advertised_kafka_bootstrap_servers in etc/org.iasplatform.provision.cfg to an address "
                        + target.host() + " reaches"));
            }
            if (loopbackOnly(mongo.replaceFirst("^mongodb(\\+srv)?://([^@/]*@)?", ""))) {
                unreachable.add(new ValidationError("host", "the node on " + target.host() + " would be given the "
                        + "platform's MongoDB at " + Settings.withoutPassword(mongo) + ", which only this machine "
                        + "reaches; set advertised_mongo_uri in etc/org.iasplatform.provision.cfg"));
            }
            if (loopbackOnly(settings.apiUrl().replaceFirst("^https?://", ""))) {
                unreachable.add(new ValidationError("host", "the node on " + target.host() + " would be given the API "
                        + "URL " + settings.apiUrl() + ", which only this machine reaches; set api_url in "
                        + "etc/org.iasplatform.provision.cfg"));
            }
            if (!unreachable.isEmpty()) {
                throw new IasException(ErrorKind.UNPROCESSABLE, unreachable);
            }
        }
        return new ProvisionJob.Plan(archive, kafka, mongo, settings.apiUrl(), settings.consolePort(),
                settings.remoteJavaHome());
    }

    /** Whether every address of a comma-separated host[:port] list is a loopback one. */
    static boolean loopbackOnly(String addresses) {
        for (String a : addresses.split(",")) {
            String host = a.strip().replaceFirst("[:/].*$", "").toLowerCase(java.util.Locale.ROOT);
            if (!(host.equals("localhost") || host.startsWith("127.") || a.strip().startsWith("[::1]"))) {
                return false;
            }
        }
        return !addresses.isBlank();
    }

    /** The node distribution archive: the configured one, else the newest the platform distribution carries. */
    Path archive() throws IasException {
        if (!settings.nodeDistribution().isEmpty()) {
            Path configured = Path.of(settings.nodeDistribution());
            if (!Files.isRegularFile(configured)) {
                throw new IasException(ErrorKind.UNAVAILABLE, "", "the node distribution archive " + configured
                        + " (node_distribution in etc/org.iasplatform.provision.cfg) is not there");
            }
            return configured;
        }
        Path carried = karafHome.resolve(CARRIED);
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(carried)) {
            try (DirectoryStream<Path> versions = Files.newDirectoryStream(carried)) {
                for (Path version : versions) {
                    if (!Files.isDirectory(version)) {
                        continue; // maven-metadata-local.xml and the like
                    }
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(version,
                            "ias-node-distribution-*.tar.gz")) {
                        files.forEach(found::add);
                    }
                }
            } catch (IOException e) {
                throw new IasException(ErrorKind.UNAVAILABLE, "", "the node distribution cannot be looked up in "
                        + carried + ": " + e);
            }
        }
        return found.stream().max(Comparator.comparing(NodeProvisioner::modified)).orElseThrow(() ->
                new IasException(ErrorKind.UNAVAILABLE, "", "no node distribution archive in " + carried + " (the "
                        + "platform distribution carries one); set node_distribution in "
                        + "etc/org.iasplatform.provision.cfg to the path of ias-node-distribution-*.tar.gz"));
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    @Override
    public Optional<Provision> provision(String provisionId) {
        synchronized (jobs) {
            ProvisionJob job = provisionId == null ? null : jobs.get(provisionId);
            return job == null ? Optional.empty() : Optional.of(job.snapshot());
        }
    }

    @Override
    public List<Provision> provisions() {
        List<ProvisionJob> all;
        synchronized (jobs) {
            all = new ArrayList<>(jobs.values());
        }
        List<Provision> result = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            result.add(all.get(i).snapshot());
        }
        return result;
    }
}
