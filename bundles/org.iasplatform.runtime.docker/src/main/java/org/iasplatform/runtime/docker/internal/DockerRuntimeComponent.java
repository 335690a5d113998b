package org.iasplatform.runtime.docker.internal;

import java.io.File;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.concurrent.atomic.AtomicReference;

import org.iasplatform.api.app.AlgorithmDescriptor;
import org.iasplatform.api.node.AppRuntime;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code docker} {@link AppRuntime} ({@code ias.runtime=docker}): algorithm instances as containers on a Docker
 * engine ({@link DockerRuntime}). The runtime service is registered only while the engine answers ({@link EngineWatch}):
 * the node agent advertises the kinds of the runtime services present in its heartbeats, so a node whose engine is
 * unreachable does not offer {@code docker} and nothing is placed there. Such an engine is reported once (a warning) and
 * tried again every {@code engine_check_ms}; an engine that goes away withdraws the service, and the node agent reports
 * the containers it ran as failed (they are started again elsewhere). Deactivating it stops and removes every container it
 * runs.
 */
@Component(service = {}, immediate = true, configurationPid = DockerRuntimeComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = DockerRuntimeComponent.Config.class)
public class DockerRuntimeComponent implements EngineWatch.Listener {
    static final String PID = "org.iasplatform.runtime.docker";
    static final String KIND = AlgorithmDescriptor.RUNTIME_DOCKER;
    private static final Logger LOG = LoggerFactory.getLogger(DockerRuntimeComponent.class);

    @ObjectClassDefinition(name = "IAS docker runtime",
            description = "Runs algorithm instances as containers of images built from a generated Dockerfile.")
    public @interface Config {
        @AttributeDefinition(name = "Docker host",
                description = "The engine's API: unix:///path/to/docker.sock or tcp://host:port.")
        String docker__host() default "unix:///var/run/docker.sock";

        @AttributeDefinition(name = "Base image",
                description = "The image every algorithm image is built FROM. It must have the algorithms' "
                        + "interpreters (python3 for Python). Without a reachable registry it must be on the engine "
                        + "already (docker load, docker import).")
        String base__image() default "python:3-slim";

        @AttributeDefinition(name = "Network mode",
                description = "The containers' network: host (the default: they reach the platform's API on "
                        + "127.0.0.1 as processes do), none, bridge or the name of a network.")
        String network__mode() default "host";

        @AttributeDefinition(name = "API URL for containers", required = false,
                description = "IAS_API_URL as containers reach the platform; empty: the node's (its api_url), right "
                        + "for the host network.")
        String api__url() default "";

        @AttributeDefinition(name = "Interpreters", required = false,
                description = "lang=command entries (several per value, comma-separated): how a script of a deploy "
                        + "config's environment.lang is run inside the image; the script and the instance id follow. "
                        + "They override the built-in ones: python, python3, py=python3 -u; sh, shell=sh; bash=bash; "
                        + "node, nodejs, javascript, js=node; ruby; perl; java, jar=java -jar.")
        String[] interpreters() default {};

        @AttributeDefinition(name = "Extensions", required = false,
                description = "extension=lang entries: the lang of a script when the deploy config gives none; they "
                        + "override the built-in ones: py=python, sh=sh, bash=bash, js/mjs/cjs=node, rb=ruby, "
                        + "pl=perl, jar=java.")
        String[] extensions() default {};

        @AttributeDefinition(name = "Init process",
                description = "Run an init process in each container (docker run --init), so that a stop's SIGTERM "
                        + "reaches the algorithm and its children are reaped.")
        boolean init() default true;

        @AttributeDefinition(name = "Owner mark", required = false,
                description = "Marks this node's containers (label org.iasplatform.owner): those of an earlier run "
                        + "with the same mark are removed when this runtime starts. Empty: this host's name and this "
                        + "node's data folder (unique per node on a machine, kept across its restarts).")
        String owner() default "";

        @AttributeDefinition(name = "Engine check (ms)",
                description = "How often the engine is checked; while it does not answer, how often it is tried "
                        + "again. Three checks in a row without an answer withdraw the runtime.", min = "50")
        long engine__check__ms() default 5000;

        @AttributeDefinition(name = "Connect time-out (ms)", min = "1")
        long connect__timeout__ms() default 5000;

        @AttributeDefinition(name = "Call time-out (ms)",
                description = "How long a short engine call (ping, inspect, create, start, remove) may take.", min = "1")
        long call__timeout__ms() default 30_000;

        @AttributeDefinition(name = "Build time-out (ms)", description = "How long building one image may take.",
                min = "1")
        long build__timeout__ms() default 600_000;

        @AttributeDefinition(name = "Longest log line (bytes)", min = "16")
        int max__line__length() default 8192;

        @AttributeDefinition(name = "Stop grace on shutdown (ms)",
                description = "When this runtime stops, how long its containers get to end before they are killed.",
                min = "0")
        long stop__grace__ms() default 5000;
    }

    private final BundleContext context;
    private final DockerRuntime runtime;
    private final Duration stopGrace;
    private final EngineWatch watch;
    private final AtomicReference<ServiceRegistration<AppRuntime>> registration = new AtomicReference<>();

    @Activate
    public DockerRuntimeComponent(BundleContext context, Config config) {
        this.context = context;
        File area = context.getDataFile("");
        Path data = area != null ? area.toPath() : Path.of(System.getProperty("java.io.tmpdir"), "ias-docker-runtime");
        String owner = config.owner().isBlank() ? hostName() + ":" + data.toAbsolutePath() : config.owner().trim();
        Settings settings = new Settings(config.docker__host(), config.base__image(), config.network__mode(),
                config.api__url(), Settings.interpreters(Settings.DEFAULT_INTERPRETERS, config.interpreters()),
                Settings.extensions(Settings.DEFAULT_EXTENSIONS, config.extensions()), config.init(), owner,
                config.max__line__length(), Duration.ofMillis(Math.max(1, config.connect__timeout__ms())),
                Duration.ofMillis(Math.max(1, config.call__timeout__ms())),
                Duration.ofMillis(Math.max(1, config.build__timeout__ms())), Duration.ofSeconds(2),
                Duration.ofMillis(Math.max(50, config.engine__check__ms())));
        this.stopGrace = Duration.ofMillis(Math.max(0, config.stop__grace__ms()));
        this.runtime = new DockerRuntime(settings, data.resolve("build"));
        this.watch = new EngineWatch(runtime, settings.engineCheck(), this);
    }

    @Deactivate
    void deactivate() {
        watch.close();
        withdrawService();
        runtime.close(stopGrace);
    }

    @Override
    public void offer(String engine, int leftoversRemoved) {
        Settings s = runtime.settings();
        if (leftoversRemoved > 0) {
            LOG.warn("Removed {} container(s) left by this node's previous run (it was not stopped cleanly); the "
                    + "platform runs their instances again where it places them", leftoversRemoved);
        }
        boolean base;
        try {
            base = runtime.hasImage(s.baseImage());
        } catch (RuntimeException e) {
            base = true; // unknown: the first build tells
        }
        if (!base) {
            LOG.warn("The Docker engine at {} does not have the base image {}: the first build pulls it (a registry must "
                    + "be reachable), or load it there (docker load, docker import)", s.dockerHost(), s.baseImage());
        }
        if (registration.get() == null) { // offer and withdraw come one at a time, from the watch's thread
            Dictionary<String, Object> properties = new Hashtable<>();
            properties.put(AppRuntime.PROPERTY_KIND, KIND);
            registration.set(context.registerService(AppRuntime.class, runtime, properties));
        }
        LOG.info("Docker runtime offered: {} at {}, base image {}, network {}", engine, s.dockerHost(), s.baseImage(),
                s.networkMode());
    }

    @Override
    public void withdraw(String reason) {
        LOG.warn("The Docker engine at {} no longer answers ({}): this node stops offering the docker runtime (its "
                + "containers are reported failed and started again elsewhere) and tries the engine again every {} ms",
                runtime.settings().dockerHost(), reason, runtime.settings().engineCheck().toMillis());
        withdrawService();
    }

    @Override
    public void unreachable(String reason) {
        LOG.warn("The Docker engine at {} does not answer ({}): this node does not offer the docker runtime until it "
                + "does (tried again every {} ms; configure docker_host in {})", runtime.settings().dockerHost(), reason,
                runtime.settings().engineCheck().toMillis(), PID);
    }

    private void withdrawService() {
        ServiceRegistration<AppRuntime> r = registration.getAndSet(null);
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // unregistered with the bundle already
            }
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
