package org.iasplatform.node.internal;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.node.InstanceLaunch;
import org.iasplatform.api.node.InstanceListener;
import org.iasplatform.api.node.RunningInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The algorithm instances of this node: carries out the {@code node_commands_<node>} commands (start, stop) on the
 * {@link RuntimeRegistry runtimes}, reports on {@code instance_events} and forwards instance log lines to
 * {@code instance_log_<id>} (formats in docs/pipeline-messages.md).
 *
 * <p>
 * States reported per generation: {@code STARTING}, then {@code RUNNING} or {@code FAILED} (cannot start); once running,
 * {@code STOPPED} (stopped by a command, or exited with 0) or {@code FAILED} (non-zero exit, exception, its runtime went
 * away, the agent stopped; the last with {@code "interrupted": true}, so that server-lifecycle starts it again rather
 * than leaving it failed). A start's package is fetched and extracted under
 * {@code <instances dir>/<instance id>/<generation>/}, deleted again when the instance ends.
 *
 * <p>
 * A start addressed to an earlier run of this node agent ({@code node_epoch} lower than this agent's epoch: it waited in
 * the node's commands while the agent was down, e.g. killed) is ignored without a word: server-lifecycle may have placed
 * the instance elsewhere meanwhile, and if not, it finds the instance orphaned by the new epoch and places it again.
 *
 * <p>
 * Commands are idempotent: a command of a generation lower than the one this node knows for the instance is ignored; a
 * repeated start or stop of the same generation only repeats the last event published for it (a redelivered message
 * whose event may not have reached Kafka); a start of a higher generation replaces the running one. {@link #handle}
 * returns only once the work is done and its events are acknowledged by Kafka (so the message is committed after it),
 * and throws when an event could not be published (the message is delivered again).
 *
 * <p>
 * Thread-safety: commands arrive on one consumer thread; runtimes report exits on their threads (handled on this
 * manager's own thread); {@link #close} and {@link #runtimeRemoved} may come from others.
 */
final class InstanceManager implements AutoCloseable {

    /**
     * @param nodeId         this node
     * @param instancesDir   where packages are extracted, one folder per instance and generation
     * @param apiUrl         {@code IAS_API_URL} for the instances
     * @param stopGrace      how long an instance may take to end cleanly when stopped
     * @param runtimeWait    how long a start waits for a runtime of its kind to appear (right after the node started)
     * @param publishTimeout how long to wait for Kafka to acknowledge an event
     * @param limits         bounds of a package
     * @param epoch          this node agent's epoch (its start time, ms, as its heartbeats say)
     */
    record Settings(String nodeId, Path instancesDir, String apiUrl, Duration stopGrace, Duration runtimeWait,
            Duration publishTimeout, SafeExtractor.Limits limits, long epoch) {
    }

    /** File that marks a folder as the node agent's instances folder (only then are leftovers in it deleted). */
    static final String MARKER = ".ias-instances";
    static final String STARTING = "STARTING";
    static final String RUNNING = "RUNNING";
    static final String STOPPED = "STOPPED";
    static final String FAILED = "FAILED";
    /** Longest log line forwarded (characters); longer ones are cut. */
    static final int MAX_LINE = 16 * 1024;
    private static final int REMEMBERED_INSTANCES = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(InstanceManager.class);

    private enum Phase {
        /** The runtime is being asked to start it (exits are held back until RUNNING is published). */
        STARTING,
        RUNNING,
        /** Ended or being ended by whoever set this phase. */
        ENDED
    }

    /** One generation of one instance on this node. Fields below {@code lastEvent} are guarded by the slot itself. */
    private static final class Slot {
        final String instanceId;
        final long generation;
        final String runId;
        final Path instanceDir;
        final Path dir;
        volatile ObjectNode lastEvent;
        Phase phase = Phase.STARTING;
        RuntimeRegistry.Entry runtime;
        RunningInstance running;
        Exit pendingExit;
        boolean stopping;
        String stopState;
        String stopReason;
        /** The stop is the agent's own shutdown (reported with {@code "interrupted": true}). */
        boolean stopInterrupted;

        Slot(String instanceId, long generation, String runId, Path instanceDir) {
            this.instanceId = instanceId;
            this.generation = generation;
            this.runId = runId;
            this.instanceDir = instanceDir;
            this.dir = instanceDir.resolve(Long.toString(generation));
        }
    }

    private record Exit(int code, String reason) {
    }

    private record Ended(long generation, ObjectNode event) {
    }

    /** A start that cannot be carried out; the message is the reason reported. */
    static final class StartFailure extends Exception {
        private static final long serialVersionUID = 1L;

        StartFailure(String message) {
            super(message);
        }
    }

    private final Settings settings;
    private final Messaging messaging;
    private final PackageSource packages;
    private final RuntimeRegistry runtimes;
    private final ObjectMapper mapper = new ObjectMapper();
    private final ExecutorService exits;
    private final AtomicLong logFailures = new AtomicLong();

    private final Object lock = new Object();
    private final Map<String, Slot> slots = new HashMap<>(); // guarded by lock
    private final Map<String, Ended> ended = new LinkedHashMap<>(64, 0.75f, true) { // guarded by lock
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Ended> eldest) {
            return size() > REMEMBERED_INSTANCES;
        }
    };
    private boolean closed; // guarded by lock

    InstanceManager(Settings settings, Messaging messaging, PackageSource packages, RuntimeRegistry runtimes) {
        this.settings = settings;
        this.messaging = messaging;
        this.packages = packages;
        this.runtimes = runtimes;
        this.exits = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ias-node-instance-exits");
            t.setDaemon(true);
            return t;
        });
        prepareInstancesDir();
    }

    /** The instances this node runs now (starting or running). */
    int count() {
        synchronized (lock) {
            return slots.size();
        }
    }

    /**
     * The instances this node runs now (starting, running or being stopped) with the generation of each, by instance id:
     * what the heartbeat lists ({@code "running"}) so that server-lifecycle can fence generations that must not run.
     */
    Map<String, Long> running() {
        Map<String, Long> result = new TreeMap<>();
        synchronized (lock) {
            slots.values().forEach(slot -> result.put(slot.instanceId, slot.generation));
        }
        return result;
    }

    // ------------------------------------------------------------------------------------------------ commands

    /** Handles one {@code node_commands_<node>} message (the subscription's handler). */
    void handle(Message message) throws Exception {
        NodeCommand command;
        try {
            command = NodeCommand.parse(mapper, message.value());
        } catch (NodeCommand.Malformed e) {
            refuse(e, message);
            return;
        }
        if (NodeCommand.START.equals(command.op())) {
            start(command);
        } else {
            stop(command);
        }
    }

    private void refuse(NodeCommand.Malformed e, Message message) throws Exception {
        LOG.warn("Node {}: ignoring a malformed command at {}/{} offset {} (key {}): {}", settings.nodeId(),
                message.topic(), message.partition(), message.offset(), message.key(), e.getMessage());
        if (!NodeCommand.START.equals(e.op()) || e.instanceId() == null || e.generation() == null) {
            return; // only a start that cannot be carried out is reported (FAILED); anything else is just dropped
        }
        ObjectNode event;
        synchronized (lock) {
            if (slots.containsKey(e.instanceId()) || known(e.instanceId()) >= e.generation()) {
                return;
            }
            event = event(e.instanceId(), e.generation(), e.runId(), FAILED, null, "malformed command: " + e.getMessage());
            remember(e.instanceId(), e.generation(), event);
        }
        publish(e.instanceId(), event, true);
    }

    private void start(NodeCommand c) throws Exception {
        if (c.nodeEpoch() != null && c.nodeEpoch() < settings.epoch()) {
            LOG.info("Node {}: ignoring start of {} generation {}: addressed to an earlier run of this agent (epoch {}, "
                    + "this one is {})", settings.nodeId(), c.instanceId(), c.generation(), c.nodeEpoch(),
                    settings.epoch());
            return;
        }
        Slot previous;
        ObjectNode repeat = null;
        synchronized (lock) {
            checkOpen();
            Slot current = slots.get(c.instanceId());
            long known = current != null ? current.generation : known(c.instanceId());
            if (c.generation() < known) {
                LOG.info("Node {}: ignoring start of {} generation {}: generation {} is newer", settings.nodeId(),
                        c.instanceId(), c.generation(), known);
                return;
            }
            if (c.generation() == known) {
                repeat = current != null ? current.lastEvent : ended.get(c.instanceId()).event();
                if (repeat == null) {
                    return;
                }
            }
            previous = current;
        }
        if (repeat != null) {
            LOG.debug("Node {}: start of {} generation {} again; repeating its last event", settings.nodeId(),
                    c.instanceId(), c.generation());
            publish(c.instanceId(), repeat, true);
            return;
        }
        if (previous != null) {
            stopSlot(previous, STOPPED, "replaced by generation " + c.generation(), false, true);
        }
        launch(c);
    }

    private void stop(NodeCommand c) throws Exception {
        Slot current;
        ObjectNode repeat = null;
        String reason = c.reason() == null || c.reason().isBlank() ? "stopped" : c.reason();
        synchronized (lock) {
            current = slots.get(c.instanceId());
            if (current != null) {
                if (c.generation() < current.generation) {
                    LOG.info("Node {}: ignoring stop of {} generation {}: generation {} runs", settings.nodeId(),
                            c.instanceId(), c.generation(), current.generation);
                    return;
                }
            } else {
                long known = known(c.instanceId());
                if (c.generation() < known) {
                    return;
                }
                if (c.generation() == known) {
                    repeat = ended.get(c.instanceId()).event();
                } else {
                    // not running here (ended before, or never started on this node): settle it as stopped
                    repeat = event(c.instanceId(), c.generation(), c.runId(), STOPPED, null,
                            reason + " (it was not running on node " + settings.nodeId() + ")");
                    remember(c.instanceId(), c.generation(), repeat);
                }
            }
        }
        if (current != null) {
            stopSlot(current, STOPPED, reason, false, true);
        } else {
            publish(c.instanceId(), repeat, true);
        }
    }

    /** The newest generation this node remembers for an instance that does not run here, or MIN_VALUE. */
    private long known(String instanceId) {
        Ended e = ended.get(instanceId);
        return e == null ? Long.MIN_VALUE : e.generation();
    }

    /** Remembers an ended generation (unless a newer one is remembered already). Caller holds the lock. */
    private void remember(String instanceId, long generation, ObjectNode event) {
        Ended e = ended.get(instanceId);
        if (e == null || e.generation() <= generation) {
            ended.put(instanceId, new Ended(generation, event));
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the node agent is stopping");
        }
    }

    // ------------------------------------------------------------------------------------------------ starting

    private void launch(NodeCommand c) throws Exception {
        Slot slot = new Slot(c.instanceId(), c.generation(), c.runId(),
                settings.instancesDir().resolve(dirName(c.instanceId())));
        synchronized (lock) {
            checkOpen();
            slots.put(slot.instanceId, slot);
        }
        try {
            publish(slot, STARTING, null, null, true);
        } catch (Exception e) {
            synchronized (lock) {
                slots.remove(slot.instanceId, slot);
                lock.notifyAll();
            }
            throw e;
        }
        ensureLogTopic(slot.instanceId);
        NodeCommand.Launch launch = c.launch();
        platformLog(slot, "starting generation " + slot.generation + (slot.runId == null ? "" : " (run " + slot.runId + ")")
                + " on node " + settings.nodeId() + " with the " + launch.runtime() + " runtime: " + launch.entry());

        RunningInstance running;
        try {
            running = startInstance(c, slot);
        } catch (Exception e) {
            String reason = reasonOf(e);
            LOG.info("Node {}: {} generation {} cannot start: {}", settings.nodeId(), slot.instanceId, slot.generation,
                    reason);
            synchronized (slot) {
                slot.phase = Phase.ENDED;
            }
            finish(slot, FAILED, null, reason, false, "failed to start: " + reason, true);
            return;
        }

        synchronized (slot) {
            slot.running = running;
        }
        Exception failure = null;
        if (!isStopping(slot)) {
            platformLog(slot, "running: " + describe(running));
            try {
                publish(slot, RUNNING, null, null, true);
            } catch (Exception e) {
                failure = e; // delivered again: the repeated start repeats RUNNING
            }
        }
        Exit pending;
        boolean stopNow;
        synchronized (slot) {
            pending = slot.pendingExit;
            stopNow = slot.stopping;
            slot.phase = stopNow || pending != null ? Phase.ENDED : Phase.RUNNING;
        }
        try {
            if (stopNow) {
                platformLog(slot, "stopping: " + slot.stopReason);
                stopQuietly(slot, running);
                finish(slot, slot.stopState, null, slot.stopReason, slot.stopInterrupted, "stopped", !isClosed());
            } else if (pending != null) {
                endAfterExit(slot, running, pending);
            }
        } catch (Exception e) {
            if (failure == null) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private RunningInstance startInstance(NodeCommand c, Slot slot) throws Exception {
        NodeCommand.Launch launch = c.launch();
        String kind = launch.runtime();
        if (kind == null || kind.isBlank()) {
            throw new StartFailure("the launch names no runtime");
        }
        RuntimeRegistry.Entry runtime = runtimes.await(kind, settings.runtimeWait())
                .orElseThrow(() -> new StartFailure("node " + settings.nodeId() + " has no " + kind + " runtime (it offers "
                        + runtimes.kinds() + ")"));
        synchronized (slot) {
            slot.runtime = runtime;
        }
        Path directory = extract(slot, launch);
        String entry = entryOf(directory, launch);
        Map<String, String> environment = Map.of(
                InstanceLaunch.ENV_API_URL, settings.apiUrl(),
                InstanceLaunch.ENV_INSTANCE_ID, c.instanceId(),
                InstanceLaunch.ENV_TOKEN, c.token() == null ? "" : c.token(),
                InstanceLaunch.ENV_NODE_ID, settings.nodeId(),
                InstanceLaunch.ENV_GENERATION, Long.toString(c.generation()));
        InstanceLaunch instanceLaunch = new InstanceLaunch(c.instanceId(), c.jobId(), c.applicationName(),
                c.algorithmName(), directory, entry, launch.lang() == null ? "" : launch.lang().trim(), environment,
                c.sensors(), c.sensorTypes());
        RunningInstance running = runtime.runtime().start(instanceLaunch, new Listener(slot));
        if (running == null) {
            throw new StartFailure("the " + kind + " runtime returned no instance");
        }
        return running;
    }

    /** Fetches and extracts the package into the slot's folder; returns the folder holding appConfig.json. */
    private Path extract(Slot slot, NodeCommand.Launch launch) throws Exception {
        if (launch.packageId() == null || launch.packageId().isBlank()) {
            throw new StartFailure("the launch names no package_id");
        }
        SafeExtractor.deleteTree(slot.dir);
        Files.createDirectories(slot.instanceDir);
        Path part = slot.instanceDir.resolve(slot.generation + ".zip.part");
        Files.deleteIfExists(part);
        try {
            try (InputStream in = packages.open(launch.packageId())) {
                SafeExtractor.download(in, part, settings.limits().maxPackageBytes());
            } catch (FileNotFoundException e) {
                throw new StartFailure("app package not found: " + e.getMessage());
            }
            SafeExtractor.Result result;
            try {
                result = SafeExtractor.extract(part, slot.dir, settings.limits());
            } catch (SafeExtractor.RefusedException e) {
                throw new StartFailure("app package " + launch.packageId() + " refused: " + e.getMessage());
            }
            result.skipped().forEach(s -> platformLog(slot, "package entry skipped: " + s));
        } finally {
            Files.deleteIfExists(part);
        }
        return rootOf(slot.dir, launch.root());
    }

    /** The folder holding appConfig.json: the launch's {@code root}, else the top or a single top folder that has it. */
    static Path rootOf(Path extracted, String root) throws StartFailure {
        if (root != null && !root.isBlank()) {
            String clean;
            try {
                clean = SafeExtractor.safeRelativeName(root);
            } catch (SafeExtractor.RefusedException e) {
                throw new StartFailure("the launch's root \"" + root + "\" is not a folder inside the package");
            }
            Path dir = clean.isEmpty() ? extracted : extracted.resolve(clean);
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new StartFailure("the package has no folder \"" + root + "\"");
            }
            return dir;
        }
        if (Files.isRegularFile(extracted.resolve("appConfig.json"), LinkOption.NOFOLLOW_LINKS)) {
            return extracted;
        }
        List<Path> top = new ArrayList<>();
        try (var children = Files.list(extracted)) {
            children.filter(p -> !p.getFileName().toString().equals("__MACOSX")).forEach(top::add);
        } catch (IOException e) {
            return extracted;
        }
        if (top.size() == 1 && Files.isRegularFile(top.get(0).resolve("appConfig.json"), LinkOption.NOFOLLOW_LINKS)) {
            return top.get(0);
        }
        return extracted;
    }

    /** The launch's entry as a clean path relative to {@code directory}, checked to be a file there. */
    static String entryOf(Path directory, NodeCommand.Launch launch) throws StartFailure {
        String entry = launch.entry();
        if (entry == null || entry.isBlank()) {
            throw new StartFailure("the launch names no entry file");
        }
        String clean;
        try {
            clean = SafeExtractor.safeRelativeName(entry);
        } catch (SafeExtractor.RefusedException e) {
            throw new StartFailure("the entry \"" + entry + "\" is not a path inside the package");
        }
        if (clean.isEmpty() || !Files.isRegularFile(directory.resolve(clean), LinkOption.NOFOLLOW_LINKS)) {
            throw new StartFailure("the entry file \"" + entry + "\" is missing from the package");
        }
        return clean;
    }

    // ------------------------------------------------------------------------------------------------ ending

    /** The runtime reported that the instance ended by itself (on the exits thread). */
    private void onExited(Slot slot, Exit exit) {
        RunningInstance running;
        synchronized (slot) {
            if (slot.phase == Phase.STARTING) {
                if (slot.pendingExit == null) {
                    slot.pendingExit = exit; // reported once RUNNING is out
                }
                return;
            }
            if (slot.phase == Phase.ENDED) {
                return;
            }
            slot.phase = Phase.ENDED;
            running = slot.running;
        }
        try {
            endAfterExit(slot, running, exit);
        } catch (Exception e) {
            LOG.warn("Node {}: the end of {} generation {} could not be reported: {}", settings.nodeId(),
                    slot.instanceId, slot.generation, e.toString());
        }
    }

    private void endAfterExit(Slot slot, RunningInstance running, Exit exit) throws Exception {
        stopQuietly(slot, running); // whatever it left (child processes, its bundle) goes too
        String state = exit.code() == 0 ? STOPPED : FAILED;
        finish(slot, state, exit.code(), exit.reason(), false, "exited with code " + exit.code() + ": " + exit.reason(),
                !isClosed());
    }

    /**
     * Stops a slot and reports {@code state} with {@code reason} ({@code interrupted}: because the agent itself stops). A
     * slot still starting is marked so that the launching thread stops it as soon as its runtime returns; a slot that
     * already ended is left alone.
     */
    private void stopSlot(Slot slot, String state, String reason, boolean interrupted, boolean await) throws Exception {
        RunningInstance running;
        synchronized (slot) {
            if (slot.phase == Phase.ENDED || slot.stopping) {
                return;
            }
            slot.stopping = true;
            slot.stopState = state;
            slot.stopReason = reason;
            slot.stopInterrupted = interrupted;
            if (slot.phase == Phase.STARTING) {
                return;
            }
            slot.phase = Phase.ENDED;
            running = slot.running;
        }
        platformLog(slot, "stopping: " + reason);
        stopQuietly(slot, running);
        finish(slot, state, null, reason, interrupted, "stopped", await);
    }

    private boolean isStopping(Slot slot) {
        synchronized (slot) {
            return slot.stopping;
        }
    }

    private void stopQuietly(Slot slot, RunningInstance running) {
        if (running == null) {
            return;
        }
        try {
            running.stop(settings.stopGrace());
        } catch (RuntimeException e) {
            LOG.warn("Node {}: stopping {} generation {} failed", settings.nodeId(), slot.instanceId, slot.generation, e);
        }
    }

    /**
     * Deletes the slot's files, forgets it, logs {@code line} and publishes its final event (with {@code "interrupted":
     * true} when it ended because the agent stopped).
     */
    private void finish(Slot slot, String state, Integer exitCode, String reason, boolean interrupted, String line,
            boolean await) throws Exception {
        deleteFiles(slot);
        ObjectNode event = event(slot.instanceId, slot.generation, slot.runId, state, exitCode, reason);
        if (interrupted) {
            event.put("interrupted", true);
        }
        slot.lastEvent = event;
        synchronized (lock) {
            slots.remove(slot.instanceId, slot);
            remember(slot.instanceId, slot.generation, event);
            lock.notifyAll();
        }
        platformLog(slot, line);
        publish(slot.instanceId, event, await);
    }

    private void deleteFiles(Slot slot) {
        try {
            SafeExtractor.deleteTree(slot.dir);
            Files.deleteIfExists(slot.instanceDir.resolve(slot.generation + ".zip.part"));
            if (!Files.isDirectory(slot.instanceDir, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            try (var rest = Files.list(slot.instanceDir)) {
                if (rest.findAny().isEmpty()) {
                    Files.deleteIfExists(slot.instanceDir);
                }
            }
        } catch (IOException e) {
            LOG.warn("Node {}: could not delete {}: {}", settings.nodeId(), slot.dir, e.toString());
        }
    }

    /** Stops every instance whose runtime service went away; they are reported FAILED. */
    void runtimeRemoved(RuntimeRegistry.Entry entry) {
        List<Slot> affected = new ArrayList<>();
        synchronized (lock) {
            for (Slot slot : slots.values()) {
                synchronized (slot) {
                    if (slot.runtime != null && slot.runtime.serviceId() == entry.serviceId()) {
                        affected.add(slot);
                    }
                }
            }
        }
        stopAll(affected, "the " + entry.kind() + " runtime went away", false);
    }

    /**
     * Stops every instance (in parallel, each with the stop grace), reports them FAILED ("the node agent stopped") with
     * {@code "interrupted": true} (they did not fail: server-lifecycle starts them again, here or elsewhere), waits until
     * nothing is left and ends the manager's thread.
     */
    @Override
    public void close() {
        List<Slot> all;
        synchronized (lock) {
            closed = true;
            all = List.copyOf(slots.values());
        }
        stopAll(all, "the node agent on " + settings.nodeId() + " stopped", true);
        long deadline = System.nanoTime() + settings.stopGrace().toNanos() + TimeUnit.SECONDS.toNanos(30);
        synchronized (lock) {
            while (!slots.isEmpty() && deadline - System.nanoTime() > 0) {
                try {
                    lock.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (!slots.isEmpty()) {
                LOG.warn("Node {}: instances {} did not end in time", settings.nodeId(), slots.keySet());
            }
        }
        exits.shutdown();
        try {
            if (!exits.awaitTermination(settings.stopGrace().toMillis() + 10_000, TimeUnit.MILLISECONDS)) {
                exits.shutdownNow();
            }
        } catch (InterruptedException e) {
            exits.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    private void stopAll(List<Slot> all, String reason, boolean interrupted) {
        List<Thread> stoppers = new ArrayList<>();
        for (Slot slot : all) {
            Thread t = new Thread(() -> {
                try {
                    stopSlot(slot, FAILED, reason, interrupted, false);
                } catch (Exception e) {
                    LOG.warn("Node {}: stopping {} failed: {}", settings.nodeId(), slot.instanceId, e.toString());
                }
            }, "ias-node-stop-" + slot.instanceId);
            t.setDaemon(true);
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ reporting

    /** How a runtime reports on one instance generation. */
    private final class Listener implements InstanceListener {
        private final Slot slot;

        Listener(Slot slot) {
            this.slot = slot;
        }

        @Override
        public void log(String stream, String line) {
            instanceLog(slot.instanceId, stream == null || stream.isBlank() ? "log" : stream, line);
        }

        @Override
        public void exited(int exitCode, String reason) {
            Exit exit = new Exit(exitCode, reason == null ? "exit " + exitCode : reason);
            try {
                exits.execute(() -> onExited(slot, exit));
            } catch (RejectedExecutionException e) {
                LOG.debug("Node {}: exit of {} after the agent stopped", settings.nodeId(), slot.instanceId);
            }
        }
    }

    private void platformLog(Slot slot, String line) {
        instanceLog(slot.instanceId, "platform", line);
    }

    /** Publishes one log line {@code {"instance_id", "timestamp", "stream", "line"}} (not awaited). */
    void instanceLog(String instanceId, String stream, String line) {
        String text = line == null ? "" : line;
        if (text.length() > MAX_LINE) {
            text = text.substring(0, MAX_LINE) + " …[cut]";
        }
        ObjectNode json = mapper.createObjectNode();
        json.put("instance_id", instanceId);
        json.put("timestamp", System.currentTimeMillis());
        json.put("stream", stream);
        json.put("line", text);
        try {
            messaging.publish(Topics.instanceLog(instanceId), instanceId, json.toString()).whenComplete((ok, error) -> {
                if (error != null && logFailures.incrementAndGet() % 100 == 1) {
                    LOG.warn("Node {}: log lines of {} are not delivered: {}", settings.nodeId(), instanceId,
                            error.getMessage());
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("Node {}: log line of {} dropped: {}", settings.nodeId(), instanceId, e.toString());
        }
    }

    private void ensureLogTopic(String instanceId) {
        try {
            messaging.ensureTopics(List.of(Topics.instanceLog(instanceId)));
        } catch (MessagingException | RuntimeException e) {
            LOG.debug("Node {}: could not create the log topic of {}: {}", settings.nodeId(), instanceId, e.toString());
        }
    }

    private ObjectNode event(String instanceId, long generation, String runId, String state, Integer exitCode,
            String reason) {
        ObjectNode event = mapper.createObjectNode();
        event.put("instance_id", instanceId);
        event.put("node", settings.nodeId());
        event.put("generation", generation);
        event.put("run_id", runId);
        event.put("state", state);
        if (exitCode == null) {
            event.putNull("exit_code");
        } else {
            event.put("exit_code", exitCode);
        }
        event.put("reason", reason);
        event.put("timestamp", System.currentTimeMillis());
        return event;
    }

    private void publish(Slot slot, String state, Integer exitCode, String reason, boolean await) throws Exception {
        ObjectNode event = event(slot.instanceId, slot.generation, slot.runId, state, exitCode, reason);
        slot.lastEvent = event;
        publish(slot.instanceId, event, await);
    }

    /** Publishes an instance event; when {@code await}, returns once Kafka acknowledged it (or throws). */
    private void publish(String instanceId, ObjectNode event, boolean await) throws Exception {
        CompletionStage<Void> stage = messaging.publish(Topics.INSTANCE_EVENTS, instanceId, event.toString());
        if (!await) {
            stage.whenComplete((ok, error) -> {
                if (error != null) {
                    LOG.warn("Node {}: event {} of {} not delivered: {}", settings.nodeId(), event.path("state").asText(),
                            instanceId, error.getMessage());
                }
            });
            return;
        }
        try {
            stage.toCompletableFuture().get(settings.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            throw new MessagingException("the " + event.path("state").asText() + " event of " + instanceId
                    + " was not acknowledged within " + settings.publishTimeout().toMillis() + " ms", e);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static String describe(RunningInstance running) {
        try {
            return running.describe();
        } catch (RuntimeException e) {
            return running.toString();
        }
    }

    static String reasonOf(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getName();
        }
        if (e instanceof StartFailure || e instanceof IOException) {
            return message;
        }
        return e.getClass().getSimpleName() + ": " + message;
    }

    /** An instance id as a folder name (instance ids are ObjectId hex; anything else is made safe). */
    static String dirName(String instanceId) {
        String safe = instanceId.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.isEmpty() || safe.chars().allMatch(ch -> ch == '.') ? "_" + Integer.toHexString(instanceId.hashCode())
                : safe;
    }

    /**
     * Creates the instances folder; when it carries the {@link #MARKER} (it is ours), deletes what an earlier run of the
     * agent left in it. A folder without the marker that is not empty is used but never cleaned.
     */
    private void prepareInstancesDir() {
        Path dir = settings.instancesDir();
        try {
            Files.createDirectories(dir);
            Path marker = dir.resolve(MARKER);
            List<Path> children;
            try (var list = Files.list(dir)) {
                children = list.filter(p -> !p.equals(marker)).toList();
            }
            if (Files.exists(marker)) {
                for (Path child : children) {
                    LOG.info("Node {}: deleting {}, left by an earlier run", settings.nodeId(), child);
                    SafeExtractor.deleteTree(child);
                }
            } else if (children.isEmpty()) {
                Files.writeString(marker, "Instance folders of the IAS node agent; deleted when it starts.\n");
            } else {
                LOG.warn("Node {}: {} is not empty and not marked as the agent's ({}); leftovers in it are not cleaned",
                        settings.nodeId(), dir, MARKER);
            }
        } catch (IOException e) {
            LOG.warn("Node {}: cannot prepare the instances folder {}: {}", settings.nodeId(), dir, e.toString());
        }
    }
}
