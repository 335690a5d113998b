package org.iasplatform.provision.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.iasplatform.api.node.NodeState;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.api.node.Nodes;
import org.iasplatform.api.node.Provision;
import org.iasplatform.sshsupport.HostKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One provisioning, its steps run in order on one SSH session ({@link Step}): connect; check the host (tar and java are
 * there, there is room, no node runs in the folder already; the folder's absolute path); copy the archive over SFTP
 * (under a temporary name, renamed once complete); unpack it into the folder, keeping a {@code data/} from an earlier
 * install; set its {@code etc/} as {@code ./ias node start} does for a local node (node id and api_url in
 * org.iasplatform.node.cfg, the Kafka bootstrap servers and MongoDB URI in org.iasplatform.infra.cfg, the console port,
 * karaf.name); {@code bin/start}; then wait for the node's first heartbeat (a heartbeat received after the start, from an
 * agent other than any known before), checking meanwhile that its Karaf still runs.
 * <p>
 * Each step adds progress lines; a failing one ends it FAILED with the step and what the host answered (for a node that
 * exits or stays silent: the last lines of its {@code data/log/karaf.log}). Thread-safe snapshots: {@link #snapshot()}.
 */
final class ProvisionJob implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ProvisionJob.class);
    static final String ARCHIVE = ".ias-node-distribution.tar.gz";
    private static final Duration ALIVE_CHECK = Duration.ofSeconds(3);
    private static final int LOG_LINES = 30;

    /** Where the node distribution is and what the new node is told. */
    record Plan(Path archive, String kafkaBootstrap, String mongoUri, String apiUrl, int consolePort,
            String javaHome) {
    }

    private final String id;
    private final Target target;
    private final Plan plan;
    private final Settings settings;
    private final HostKeys hostKeys;
    private final Nodes nodes;
    private final ScheduledExecutorService watchdog;
    private final Clock clock;
    private final Instant startedAt;
    private final List<String> progress = new ArrayList<>(); // guarded by this
    private Provision.State state = Provision.State.RUNNING; // guarded by this
    private Step step = Step.CONNECT; // guarded by this
    private String error; // guarded by this
    private Instant endedAt; // guarded by this
    private volatile RemoteHost remote;
    private volatile boolean cancelled;

    ProvisionJob(String id, Target target, Plan plan, Settings settings, HostKeys hostKeys, Nodes nodes,
            ScheduledExecutorService watchdog, Clock clock) {
        this.id = id;
        this.target = target;
        this.plan = plan;
        this.settings = settings;
        this.hostKeys = hostKeys;
        this.nodes = nodes;
        this.watchdog = watchdog;
        this.clock = clock;
        this.startedAt = clock.instant();
        say("node " + target.nodeId() + " on " + target.address() + " in " + target.remoteDir());
    }

    String id() {
        return id;
    }

    Target target() {
        return target;
    }

    synchronized boolean done() {
        return state != Provision.State.RUNNING;
    }

    synchronized Provision snapshot() {
        return new Provision(id, target.nodeId(), target.host(), target.user(), target.port(), target.remoteDir(), state,
                step.label(), progress, error, startedAt, endedAt);
    }

    @Override
    public void run() {
        try {
            if (cancelled) {
                throw new StepFailure(currentStep(), "provisioning stopped before it began (the platform is stopping)");
            }
            provision();
            finish(Provision.State.SUCCEEDED, null);
            LOG.info("Provisioning {}: node {} on {} is UP", id, target.nodeId(), target.address());
        } catch (StepFailure e) {
            fail(e.step(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Provisioning {} failed unexpectedly", id, e);
            fail(currentStep(), "unexpected failure: " + e);
        } finally {
            RemoteHost r = remote;
            if (r != null) {
                r.close();
            }
        }
    }

    /** Ends the work under way (the platform is stopping): it fails at the step it is at. */
    void cancel() {
        cancelled = true;
        RemoteHost r = remote;
        if (r != null) {
            r.close();
        }
    }

    private void provision() throws StepFailure {
        enter(Step.CONNECT);
        remote = RemoteHost.connect(target, settings.privateKeyPassphrase(), hostKeys, settings.connectTimeout(),
                watchdog);
        say("connected to " + target.address() + " (host key " + remote.hostKey() + ")");
        String dir = check();
        copy(dir);
        unpack(dir);
        configure(dir);
        long knownEpoch = nodes.node(target.nodeId()).map(NodeStatus::epoch).orElse(-1L); // of an earlier agent
        long started = start(dir);
        awaitHeartbeat(dir, started, knownEpoch);
    }

    // ------------------------------------------------------------------------------------------------- steps

    /** Checks the host; returns the folder's absolute path there. */
    private String check() throws StepFailure {
        enter(Step.CHECK);
        long archiveBytes = size(plan.archive());
        String java = plan.javaHome().isEmpty() ? "java" : "\"$JAVA_HOME/bin/java\"";
        String script = javaHomeExport() + "d=" + RemoteHost.quote(target.remoteDir()) + "\n"
                + "mkdir -p -- \"$d\" || exit 20\n"
                + "cd -- \"$d\" || exit 21\n"
                + "echo \"DIR $(pwd -P)\"\n"
                + "if [ -f karaf.pid ] && kill -0 \"$(cat karaf.pid)\" 2>/dev/null; then echo \"RUNNING $(cat karaf.pid)\"; fi\n"
                + "if [ ! -f bin/karaf ] && [ -n \"$(ls -A . 2>/dev/null)\" ]; then echo FOREIGN; fi\n"
                + "command -v tar >/dev/null 2>&1 || echo NO_TAR\n"
                + "if v=$(" + java + " -version 2>&1); then echo \"JAVA $(echo \"$v\" | head -n 1)\"; else echo NO_JAVA; fi\n"
                + "df -Pk . 2>/dev/null | awk 'NR==2 {print \"FREE_KB \" $4}'\n";
        RemoteHost.Result r = exec(Step.CHECK, script);
        Map<String, String> facts = new LinkedHashMap<>();
        r.stdout().lines().forEach(line -> {
            int space = line.indexOf(' ');
            facts.put(space < 0 ? line : line.substring(0, space), space < 0 ? "" : line.substring(space + 1));
        });
        if (!r.ok() || !facts.containsKey("DIR")) {
            throw new StepFailure(Step.CHECK, "the folder " + target.remoteDir() + " cannot be made or entered on "
                    + target.address() + " (" + r.answer() + ")");
        }
        String dir = facts.get("DIR");
        if (facts.containsKey("RUNNING")) {
            throw new StepFailure(Step.CHECK, "a node already runs in " + dir + " on " + target.address() + " (pid "
                    + facts.get("RUNNING") + "); stop it first (" + dir + "/bin/stop) or choose another folder");
        }
        if (facts.containsKey("FOREIGN")) {
            throw new StepFailure(Step.CHECK, dir + " on " + target.address() + " is not empty and holds no node "
                    + "distribution; choose a new or empty folder");
        }
        if (facts.containsKey("NO_TAR")) {
            throw new StepFailure(Step.CHECK, "tar is not installed on " + target.address() + "; it unpacks the node "
                    + "distribution");
        }
        if (facts.containsKey("NO_JAVA")) {
            throw new StepFailure(Step.CHECK, "no java on " + target.address() + (plan.javaHome().isEmpty()
                    ? " (neither JAVA_HOME nor java on the PATH of an SSH command)"
                    : " in remote_java_home " + plan.javaHome()) + "; install Java 17 or later, or set "
                    + "remote_java_home in etc/org.iasplatform.provision.cfg");
        }
        String free = facts.get("FREE_KB");
        if (free != null && free.matches("\\d+") && Long.parseLong(free) * 1024 < 3 * archiveBytes) {
            throw new StepFailure(Step.CHECK, dir + " on " + target.address() + " has " + Long.parseLong(free) / 1024
                    + " MB free; the node needs about " + 3 * archiveBytes / (1024 * 1024) + " MB (the archive and "
                    + "what it unpacks to)");
        }
        say("host ready: " + dir + (facts.containsKey("JAVA") ? ", " + facts.get("JAVA") : "")
                + (free == null ? "" : ", " + Long.parseLong(free) / 1024 + " MB free"));
        return dir;
    }

    private void copy(String dir) throws StepFailure {
        enter(Step.COPY);
        long total = size(plan.archive());
        String part = dir + "/" + ARCHIVE + ".part";
        long[] reported = {0};
        say("copying " + plan.archive().getFileName() + " (" + megabytes(total) + ") to " + dir);
        try {
            remote.upload(plan.archive(), part, done -> {
                long quarter = total <= 0 ? 0 : done * 4 / total;
                if (quarter > reported[0] && quarter < 4) {
                    reported[0] = quarter;
                    say("copied " + megabytes(done) + " of " + megabytes(total));
                }
            }, settings.commandTimeout());
            long copied = remote.size(part, settings.commandTimeout());
            if (copied != total) {
                throw new StepFailure(Step.COPY, "the copy on " + target.address() + " has " + copied + " bytes, the "
                        + "archive " + total + "; the host's disk may be full");
            }
            remote.rename(part, dir + "/" + ARCHIVE, settings.commandTimeout());
        } catch (IOException e) {
            throw new StepFailure(Step.COPY, "copying the archive to " + target.address() + ":" + dir + " failed: "
                    + e.getMessage());
        }
        say("copied " + megabytes(total));
    }

    private void unpack(String dir) throws StepFailure {
        enter(Step.UNPACK);
        String script = "cd -- " + RemoteHost.quote(dir) + " && tar -xzf " + ARCHIVE + " --strip-components=1 && rm -f "
                + ARCHIVE + " && test -x bin/start";
        RemoteHost.Result r = exec(Step.UNPACK, script);
        if (!r.ok()) {
            throw new StepFailure(Step.UNPACK, "unpacking in " + dir + " on " + target.address() + " failed ("
                    + r.answer() + ")");
        }
        say("unpacked into " + dir);
    }

    private void configure(String dir) throws StepFailure {
        enter(Step.CONFIGURE);
        Map<String, Map<String, String>> files = new LinkedHashMap<>();
        files.put("etc/org.iasplatform.node.cfg", Map.of("node_id", target.nodeId(), "api_url", plan.apiUrl()));
        Map<String, String> infra = new LinkedHashMap<>();
        infra.put("kafka_bootstrap_servers", plan.kafkaBootstrap());
        infra.put("mongo_uri", plan.mongoUri());
        files.put("etc/org.iasplatform.infra.cfg", infra);
        files.put("etc/org.apache.karaf.shell.cfg", Map.of("sshPort", Integer.toString(plan.consolePort())));
        files.put("etc/system.properties", Map.of("karaf.name", target.nodeId()));
        for (Map.Entry<String, Map<String, String>> file : files.entrySet()) {
            String path = dir + "/" + file.getKey();
            try {
                String before = remote.read(path, settings.commandTimeout());
                remote.write(path, CfgFile.set(before, file.getValue()), settings.commandTimeout());
            } catch (IOException | IllegalArgumentException e) {
                throw new StepFailure(Step.CONFIGURE, "writing " + path + " on " + target.address() + " failed: "
                        + e.getMessage());
            }
        }
        say("configured: node_id " + target.nodeId() + ", Kafka " + plan.kafkaBootstrap() + ", MongoDB "
                + Settings.withoutPassword(plan.mongoUri()) + ", API " + plan.apiUrl() + ", console port "
                + (plan.consolePort() == 0 ? "any free one" : plan.consolePort()));
    }

    /** Starts the node; returns when (platform clock, ms) it was started. */
    private long start(String dir) throws StepFailure {
        enter(Step.START);
        long started = clock.millis();
        RemoteHost.Result r = exec(Step.START, javaHomeExport() + "cd -- " + RemoteHost.quote(dir) + " && bin/start");
        if (!r.ok()) {
            throw new StepFailure(Step.START, dir + "/bin/start failed on " + target.address() + " (" + r.answer()
                    + ")");
        }
        say("started (" + dir + "/bin/start); waiting up to " + settings.heartbeatTimeout().toSeconds()
                + " s for its first heartbeat");
        return started;
    }

    /**
     * Waits for a heartbeat received after {@code started} from an agent other than the one known before the start
     * ({@code knownEpoch}, -1 for none).
     */
    private void awaitHeartbeat(String dir, long started, long knownEpoch) throws StepFailure {
        enter(Step.HEARTBEAT);
        long deadline = System.nanoTime() + settings.heartbeatTimeout().toNanos();
        long nextAliveCheck = System.nanoTime() + ALIVE_CHECK.toNanos();
        String alive = "not checked yet";
        while (true) {
            Optional<NodeStatus> node = nodes.node(target.nodeId());
            if (node.isPresent() && node.get().lastHeartbeat() >= started && node.get().epoch() != knownEpoch
                    && node.get().state() == NodeState.UP) {
                say("node " + target.nodeId() + " is UP: first heartbeat from " + node.get().host() + ", runtimes "
                        + node.get().runtimes());
                return;
            }
            if (cancelled) {
                throw new StepFailure(Step.HEARTBEAT, "provisioning stopped (the platform is stopping); the node "
                        + "may still start in " + dir + " on " + target.address());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new StepFailure(Step.HEARTBEAT, "no heartbeat from node " + target.nodeId() + " within "
                        + settings.heartbeatTimeout().toSeconds() + " s (its Karaf: " + alive + "); check that "
                        + target.host() + " reaches the platform's Kafka at " + plan.kafkaBootstrap()
                        + " (advertised_kafka_bootstrap_servers in etc/org.iasplatform.provision.cfg); "
                        + logTail(dir));
            }
            if (System.nanoTime() - nextAliveCheck > 0) {
                nextAliveCheck = System.nanoTime() + ALIVE_CHECK.toNanos();
                alive = alive(dir);
                if (alive.startsWith("exited")) {
                    throw new StepFailure(Step.HEARTBEAT, "the node's Karaf on " + target.address() + " " + alive
                            + " before its first heartbeat; " + logTail(dir));
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // polled with a deadline
        }
    }

    /** "runs (pid N)", "exited (pid N)", or "has written no pid file yet". */
    private String alive(String dir) throws StepFailure {
        RemoteHost.Result r = exec(Step.HEARTBEAT, "cd -- " + RemoteHost.quote(dir) + " && if [ -f karaf.pid ]; then "
                + "p=$(cat karaf.pid); if kill -0 \"$p\" 2>/dev/null; then echo \"runs (pid $p)\"; else "
                + "echo \"exited (pid $p)\"; fi; else echo 'has written no pid file yet'; fi");
        return r.stdout().strip();
    }

    /** The last lines of the node's log, for a failure's message. */
    private String logTail(String dir) {
        String log = dir + "/data/log/karaf.log";
        try {
            RemoteHost.Result r = remote.exec("tail -n " + LOG_LINES + " " + RemoteHost.quote(log) + " 2>&1",
                    settings.connectTimeout().plusSeconds(10));
            return "the last lines of " + log + ": " + (r.stdout().isBlank() ? "(none)" : RemoteHost.excerpt(r.stdout()));
        } catch (IOException e) {
            return "its log " + log + " could not be read: " + e.getMessage();
        }
    }

    // ------------------------------------------------------------------------------------------------- helpers

    private RemoteHost.Result exec(Step step, String script) throws StepFailure {
        try {
            return remote.exec(script, settings.commandTimeout());
        } catch (IOException e) {
            throw new StepFailure(step, e.getMessage());
        }
    }

    private String javaHomeExport() {
        return plan.javaHome().isEmpty() ? "" : "JAVA_HOME=" + RemoteHost.quote(plan.javaHome()) + "; export JAVA_HOME\n";
    }

    private static long size(Path file) throws StepFailure {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new StepFailure(Step.COPY, "the node distribution archive " + file + " cannot be read: " + e);
        }
    }

    private static String megabytes(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
    }

    private synchronized Step currentStep() {
        return step;
    }

    private void enter(Step next) {
        synchronized (this) {
            step = next;
        }
    }

    /** Adds a progress line {@code <step>: <text>}, logged too (it holds no secret). */
    private void say(String text) {
        String line;
        synchronized (this) {
            line = step.label() + ": " + text;
            progress.add(line);
        }
        LOG.info("Provisioning {}: {}", id, line);
    }

    private void fail(Step at, String message) {
        synchronized (this) {
            step = at;
        }
        say("FAILED: " + message);
        finish(Provision.State.FAILED, at.label() + ": " + message);
        LOG.warn("Provisioning {} of node {} on {} failed at {}: {}", id, target.nodeId(), target.address(), at.label(),
                message);
    }

    private synchronized void finish(Provision.State end, String why) {
        state = end;
        error = why;
        endedAt = clock.instant();
    }
}
