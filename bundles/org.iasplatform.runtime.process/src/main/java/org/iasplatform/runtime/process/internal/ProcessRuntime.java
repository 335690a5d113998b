package org.iasplatform.runtime.process.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.iasplatform.api.node.AppRuntime;
import org.iasplatform.api.node.InstanceLaunch;
import org.iasplatform.api.node.InstanceListener;
import org.iasplatform.api.node.RunningInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process runtime: runs an instance's entry file as a child process ({@link Commands}: interpreter, file, instance
 * id) in the instance's folder, with the launch's environment ({@code IAS_API_URL}, {@code IAS_INSTANCE_ID},
 * {@code IAS_TOKEN}) added to the node's, the SDK folder first on {@code PYTHONPATH}, and a per-start tag
 * ({@value #TAG_VARIABLE}) by which every process it starts is found again. {@link #close} stops every instance.
 */
public final class ProcessRuntime implements AppRuntime, AutoCloseable {
    /** Environment variable carrying a random tag per start; its descendants inherit it. */
    static final String TAG_VARIABLE = "IAS_PROCESS_TAG";
    /**
     * Environment variable naming the runtime that started a process (its node's data area): after the node's JVM was
     * killed, the processes it left behind are found by it when it starts again.
     */
    static final String OWNER_VARIABLE = "IAS_PROCESS_OWNER";
    /** Where the SDK's Python module is inside this bundle. */
    static final String SDK_RESOURCE = "/sdk/python/platform_lib.py";
    static final String SDK_FILE = "platform_lib.py";
    private static final Logger LOG = LoggerFactory.getLogger(ProcessRuntime.class);

    private final Settings settings;
    private final String owner;
    private final Set<ProcessInstance> running = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService sampler;
    private volatile boolean closed;

    ProcessRuntime(Settings settings) {
        this(settings, null);
    }

    /**
     * @param owner what identifies this runtime's node across restarts (its data area), set on every process it starts;
     *              null for none
     */
    ProcessRuntime(Settings settings, String owner) {
        this.settings = settings;
        this.owner = owner;
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ias-process-runtime-sampler");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(50, settings.sampleInterval().toMillis());
        sampler.scheduleWithFixedDelay(this::sample, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Kills the processes an earlier incarnation of this runtime left behind: its node's JVM was killed (kill -9, a crash)
     * and could not stop them. Those instances have been placed elsewhere meanwhile (or will be started again by the
     * platform); left running they would run twice. Returns how many were killed.
     */
    int killLeftovers() {
        if (owner == null) {
            return 0;
        }
        List<ProcessHandle> leftovers = ProcessTree.withEnvironment(OWNER_VARIABLE, owner);
        leftovers.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : leftovers) {
            try {
                p.onExit().get(settings.orphanGrace().toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.warn("Leftover process {} did not end within {} ms", p.pid(), settings.orphanGrace().toMillis());
            }
        }
        return leftovers.size();
    }

    @Override
    public RunningInstance start(InstanceLaunch launch, InstanceListener listener) throws Exception {
        if (closed) {
            throw new IllegalStateException("the process runtime is stopping");
        }
        List<String> command = Commands.commandFor(launch, settings);
        ProcessBuilder builder = new ProcessBuilder(command).directory(launch.directory().toFile());
        Map<String, String> environment = builder.environment();
        environment.putAll(launch.environment());
        String pythonPath = environment.get("PYTHONPATH");
        environment.put("PYTHONPATH", settings.sdkDir().toString()
                + (pythonPath == null || pythonPath.isBlank() ? "" : File.pathSeparator + pythonPath));
        environment.put("PYTHONUNBUFFERED", "1");
        String tag = UUID.randomUUID().toString();
        environment.put(TAG_VARIABLE, tag);
        if (owner != null) {
            environment.put(OWNER_VARIABLE, owner);
        }
        Process process = builder.start();
        ProcessInstance[] self = new ProcessInstance[1];
        ProcessInstance instance = new ProcessInstance(launch.instanceId(), process, tag, command, listener, settings,
                () -> running.remove(self[0]));
        self[0] = instance;
        running.add(instance);
        instance.begin();
        LOG.info("Instance {} started: {}", launch.instanceId(), instance.describe());
        return instance;
    }

    /** The instances running now. */
    int running() {
        return running.size();
    }

    private void sample() {
        for (ProcessInstance instance : running) {
            try {
                instance.sample();
            } catch (RuntimeException e) {
                LOG.debug("Sampling {} failed: {}", instance, e.toString());
            }
        }
    }

    /** Stops every running instance (in parallel, each with {@code grace}) and the sampler. */
    void close(Duration grace) {
        closed = true;
        List<Thread> stoppers = new ArrayList<>();
        for (ProcessInstance instance : List.copyOf(running)) {
            Thread t = new Thread(() -> instance.stop(grace), "ias-process-runtime-stop-" + instance.pid());
            t.setDaemon(true);
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        sampler.shutdownNow();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    /**
     * Copies the SDK's Python module shipped in this bundle into {@code sdkDir} (replacing an older copy atomically).
     *
     * @return whether it was there to copy
     */
    static boolean installSdk(Path sdkDir) throws IOException {
        try (InputStream in = ProcessRuntime.class.getResourceAsStream(SDK_RESOURCE)) {
            if (in == null) {
                LOG.warn("This bundle has no {}: Python instances cannot import platform_lib", SDK_RESOURCE);
                return false;
            }
            Files.createDirectories(sdkDir);
            Path temp = Files.createTempFile(sdkDir, SDK_FILE, ".tmp");
            try {
                Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(temp, sdkDir.resolve(SDK_FILE), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
            return true;
        }
    }
}
