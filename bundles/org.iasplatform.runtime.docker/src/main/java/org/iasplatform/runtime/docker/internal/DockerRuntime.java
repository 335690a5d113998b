package org.iasplatform.runtime.docker.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.iasplatform.api.node.AppRuntime;
import org.iasplatform.api.node.InstanceLaunch;
import org.iasplatform.api.node.InstanceListener;
import org.iasplatform.api.node.RunningInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;

/**
 * The docker runtime: runs an instance as a container of its algorithm's image ({@link ImageRecipe}: built from the
 * generated Dockerfile when the engine does not have it yet, reused otherwise), with the launch's environment
 * ({@code IAS_API_URL}, {@code IAS_INSTANCE_ID}, {@code IAS_TOKEN}, {@code IAS_NODE_ID}, {@code IAS_GENERATION}), its
 * instance id as the command, the configured network (host by default: the platform's API on 127.0.0.1 is the host's),
 * and labels naming the instance, its generation, its node and this runtime's owner mark. A container left behind by an
 * earlier run of this node (its JVM was killed) carries the same owner mark and is removed by {@link #removeLeftovers}.
 * {@link #close} stops and removes every container it runs.
 */
public final class DockerRuntime implements AppRuntime, AutoCloseable {
    static final String LABEL_INSTANCE = "org.iasplatform.instance";
    static final String LABEL_GENERATION = "org.iasplatform.generation";
    static final String LABEL_NODE = "org.iasplatform.node";
    static final String LABEL_JOB = "org.iasplatform.job";
    static final String LABEL_OWNER = "org.iasplatform.owner";
    /** Where the SDK's Python module is inside this bundle. */
    static final String SDK_RESOURCE = "/sdk/python/platform_lib.py";
    private static final Logger LOG = LoggerFactory.getLogger(DockerRuntime.class);

    private final Settings settings;
    private final Engine engine;
    private final Path buildDir;
    private final byte[] sdk;
    private final Set<ContainerInstance> running = ConcurrentHashMap.newKeySet();
    private final Map<String, Object> imageLocks = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param buildDir where build contexts are written (each deleted after its build)
     */
    DockerRuntime(Settings settings, Path buildDir) {
        if (settings.owner().isEmpty()) {
            throw new IllegalArgumentException("the docker runtime needs an owner mark");
        }
        this.settings = settings;
        this.engine = new Engine(settings);
        this.buildDir = buildDir;
        this.sdk = sdk();
    }

    private static byte[] sdk() {
        try (InputStream in = DockerRuntime.class.getResourceAsStream(SDK_RESOURCE)) {
            if (in == null) {
                LOG.warn("This bundle has no {}: Python images are built without platform_lib", SDK_RESOURCE);
                return null;
            }
            return in.readAllBytes();
        } catch (IOException e) {
            LOG.warn("The SDK {} cannot be read: {}", SDK_RESOURCE, e.toString());
            return null;
        }
    }

    Settings settings() {
        return settings;
    }

    /**
     * Whether the engine answers; its description when it does.
     *
     * @throws RuntimeException when it does not (the message says why)
     */
    String ping() {
        return engine.ping();
    }

    /** Whether the engine has the image. */
    boolean hasImage(String image) {
        try {
            engine.calls().inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /**
     * Removes the containers an earlier run of this node left behind (its JVM was killed and could not stop them): those
     * instances have been placed elsewhere meanwhile or are started again by the platform; left running they would run
     * twice. Containers this runtime runs now are kept. Returns how many were removed.
     */
    int removeLeftovers() {
        Set<String> mine = ConcurrentHashMap.newKeySet();
        running.forEach(i -> mine.add(i.containerId()));
        int removed = 0;
        for (Container c : engine.calls().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(LABEL_OWNER, settings.owner())).exec()) {
            if (mine.contains(c.getId())) {
                continue;
            }
            try {
                engine.calls().removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
                removed++;
            } catch (NotFoundException e) {
                // gone meanwhile
            }
        }
        return removed;
    }

    @Override
    public RunningInstance start(InstanceLaunch launch, InstanceListener listener) throws Exception {
        if (closed) {
            throw new IllegalStateException("the docker runtime is stopping");
        }
        ImageRecipe recipe = ImageRecipe.of(launch, settings, sdk);
        String image = image(recipe, listener);

        Map<String, String> environment = new LinkedHashMap<>(launch.environment());
        if (!settings.apiUrl().isEmpty()) {
            environment.put(InstanceLaunch.ENV_API_URL, settings.apiUrl());
        }
        String generation = environment.getOrDefault(InstanceLaunch.ENV_GENERATION, "");
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LABEL_INSTANCE, launch.instanceId());
        labels.put(LABEL_GENERATION, generation);
        labels.put(LABEL_NODE, environment.getOrDefault(InstanceLaunch.ENV_NODE_ID, ""));
        labels.put(LABEL_JOB, launch.jobId() == null ? "" : launch.jobId());
        labels.put(LABEL_OWNER, settings.owner());
        String name = "ias-" + ImageRecipe.slug(launch.instanceId()) + "-"
                + (generation.matches("\\d{1,18}") ? "g" + generation : UUID.randomUUID().toString().substring(0, 8));
        removeOwn(name);

        CreateContainerResponse created;
        try {
            created = engine.calls().createContainerCmd(image).withName(name).withLabels(labels)
                    .withEnv(environment.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                    .withCmd(launch.instanceId())
                    .withHostConfig(HostConfig.newHostConfig().withNetworkMode(settings.networkMode())
                            .withInit(settings.init()))
                    .exec();
        } catch (DockerException e) {
            throw new IllegalStateException("the container of " + launch.instanceId() + " could not be created from "
                    + image + " (network " + settings.networkMode() + "): " + message(e));
        }
        ContainerInstance[] self = new ContainerInstance[1];
        ContainerInstance instance = new ContainerInstance(engine, launch.instanceId(), created.getId(), name, image,
                listener, settings, () -> running.remove(self[0]));
        self[0] = instance;
        running.add(instance);
        try {
            engine.calls().startContainerCmd(created.getId()).exec();
        } catch (RuntimeException e) {
            running.remove(instance);
            removeQuietly(created.getId());
            throw new IllegalStateException("the container " + name + " of " + launch.instanceId()
                    + " could not be started: " + message(e));
        }
        try {
            instance.begin();
        } catch (RuntimeException e) {
            instance.stop(Duration.ZERO);
            throw new IllegalStateException("the log of container " + name + " of " + launch.instanceId()
                    + " cannot be followed: " + message(e));
        }
        LOG.info("Instance {} started: {}", launch.instanceId(), instance.describe());
        return instance;
    }

    /** The recipe's image: on the engine already, or built now (one build at a time per image). */
    private String image(ImageRecipe recipe, InstanceListener listener) throws IOException {
        String image = recipe.image();
        synchronized (imageLocks.computeIfAbsent(image, k -> new Object())) {
            if (hasImage(image)) {
                listener.log("log", "[platform] image " + image + " (built before, reused)");
                return image;
            }
            Files.createDirectories(buildDir);
            Path context = Files.createTempDirectory(buildDir, "build-");
            long began = System.nanoTime();
            try {
                recipe.writeContext(context);
                listener.log("log", "[platform] building image " + image + " from " + settings.baseImage());
                LineSplitter lines = new LineSplitter(settings.maxLineLength(), line -> {
                    if (!line.isBlank()) {
                        listener.log("log", "[build] " + line);
                    }
                });
                engine.streams().buildImageCmd().withBaseDirectory(context.toFile())
                        .withDockerfile(context.resolve("Dockerfile").toFile()).withTags(Set.of(image))
                        .withPull(false).withRemove(true).withForcerm(true)
                        .withLabels(Map.of(ImageRecipe.LABEL_APPLICATION, recipe.application(),
                                ImageRecipe.LABEL_ALGORITHM, recipe.algorithm(), ImageRecipe.LABEL_BASE,
                                settings.baseImage()))
                        .exec(new BuildImageResultCallback() {
                            @Override
                            public void onNext(BuildResponseItem item) {
                                super.onNext(item);
                                if (item.getStream() != null) {
                                    lines.feed(item.getStream().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                                }
                            }
                        }).awaitImageId(settings.buildTimeout().toMillis(), TimeUnit.MILLISECONDS);
                lines.finish();
            } catch (DockerClientException | DockerException e) {
                throw new IllegalStateException("the image " + image + " could not be built from the base image "
                        + settings.baseImage() + ": " + message(e) + (hasImage(settings.baseImage()) ? ""
                                : " (the engine does not have " + settings.baseImage() + " and could not pull it: load "
                                        + "it there, e.g. docker load or docker import, or configure another base_image)"));
            } finally {
                deleteTree(context);
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            listener.log("log", "[platform] image " + image + " built in " + ms + " ms");
            LOG.info("Image {} built from {} in {} ms", image, settings.baseImage(), ms);
            return image;
        }
    }

    /** Removes a container of this name left by this runtime (a start of the same generation tried before). */
    private void removeOwn(String name) {
        for (Container c : engine.calls().listContainersCmd().withShowAll(true).withNameFilter(List.of(name)).exec()) {
            boolean exact = c.getNames() != null && List.of(c.getNames()).contains("/" + name);
            if (!exact) {
                continue;
            }
            if (!settings.owner().equals(c.getLabels() == null ? null : c.getLabels().get(LABEL_OWNER))) {
                throw new IllegalStateException("a container named " + name + " that this node did not start exists on "
                        + "the engine at " + settings.dockerHost() + "; remove it (docker rm -f " + name + ")");
            }
            removeQuietly(c.getId());
        }
    }

    private void removeQuietly(String containerId) {
        try {
            engine.calls().removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
        } catch (RuntimeException e) {
            LOG.debug("Removing container {} failed: {}", containerId, e.toString());
        }
    }

    /** The engine's own message of a failed call, without docker-java's status prefix and JSON wrapping. */
    static String message(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().trim();
        int brace = m.indexOf("{\"message\":\"");
        if (brace >= 0) {
            int end = m.lastIndexOf("\"}");
            if (end > brace + 12) {
                m = m.substring(brace + 12, end).replace("\\\"", "\"");
            }
        }
        return m;
    }

    /** Why a call did not reach the engine: the deepest cause's message (e.g. "No such file or directory"). */
    static String unreachable(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null || root.getMessage().isBlank() ? root.getClass().getSimpleName()
                : root.getMessage().trim();
        return m.replaceFirst("^\\[\\d+\\]\\s*", "");
    }

    /** The instances running now. */
    int running() {
        return running.size();
    }

    /** Stops every running instance (in parallel, each with {@code grace}) and lets the engine go. */
    void close(Duration grace) {
        closed = true;
        CompletableFuture<?>[] stops = running.stream().map(instance -> CompletableFuture.runAsync(
                () -> instance.stop(grace), task -> {
                    Thread t = new Thread(task, "ias-docker-runtime-stop-" + instance.containerId());
                    t.setDaemon(true);
                    t.start();
                })).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(stops).join();
        } catch (RuntimeException e) {
            LOG.warn("Stopping the containers failed: {}", e.toString());
        }
        engine.close();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left for the next start's clean-up
                }
            });
        } catch (IOException e) {
            LOG.debug("Could not delete {}: {}", dir, e.toString());
        }
    }
}
