package org.iasplatform.infra.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.iasplatform.api.infra.InfrastructureEndpoints;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers {@link InfrastructureEndpoints}: right away with the configured Kafka and MongoDB when both are set;
 * otherwise once the embedded servers for what is unset run in a child JVM (started on a background thread, kept
 * running and restarted with back-off when it dies; the service is unregistered while it is down).
 */
@Component(service = {}, immediate = true, configurationPid = InfraConfig.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = InfraConfig.class)
public class InfraComponent {
    private static final Logger LOG = LoggerFactory.getLogger(InfraComponent.class);
    private static final Duration INITIAL_BACKOFF = Duration.ofSeconds(2);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    private final BundleContext context;
    private final InfraSettings settings;
    private final InfraSupervisor supervisor;

    private final Object lock = new Object();
    private boolean active = true;
    private ServiceRegistration<InfrastructureEndpoints> registration;

    @Activate
    public InfraComponent(BundleContext context, InfraConfig config) {
        this.context = context;
        try {
            this.settings = InfraSettings.from(config, System.getProperty("karaf.data"),
                    () -> context.getDataFile("embedded").toPath());
        } catch (IllegalArgumentException e) {
            LOG.error("{}: nothing is registered until the configuration is fixed", e.getMessage());
            throw e;
        }
        if (!settings.startsEmbedded()) {
            supervisor = null;
            register(settings.configuredEndpoints());
            return;
        }
        LaunchSpec spec = settings.embedded();
        Bundle bundle = context.getBundle();
        Path libDir = LibraryExtractor.libDir(spec.dataDir(), bundle);
        supervisor = new InfraSupervisor(spec, () -> {
            List<Path> classpath = LibraryExtractor.extract(LibraryExtractor.bundleJars(bundle), libDir);
            LibraryExtractor.removeOthers(libDir);
            return classpath;
        }, new InfraSupervisor.Listener() {
            @Override
            public void ready(InfraProcess.Ready ready) {
                register(settings.endpoints(ready));
            }

            @Override
            public void down() {
                unregister();
            }
        }, INITIAL_BACKOFF, MAX_BACKOFF);
        LOG.info("Starting the embedded {} in a child JVM (data in {}, output in {})",
                spec.kafka() && spec.mongo() ? "Kafka and Mongo" : spec.kafka() ? "Kafka" : "Mongo", spec.dataDir(),
                spec.logFile());
        supervisor.start();
    }

    @Deactivate
    void deactivate() {
        synchronized (lock) {
            active = false;
        }
        unregister();
        if (supervisor != null) {
            supervisor.close();
        }
    }

    private void register(Endpoints endpoints) {
        synchronized (lock) {
            if (!active || registration != null) {
                return;
            }
            Dictionary<String, Object> properties = new Hashtable<>(Map.of(
                    "kafka.bootstrap.servers", endpoints.kafkaBootstrapServers(),
                    "mongo.uri", InfraSettings.redact(endpoints.mongoUri()),
                    "embedded.kafka", endpoints.embeddedKafka(),
                    "embedded.mongo", endpoints.embeddedMongo()));
            registration = context.registerService(InfrastructureEndpoints.class, endpoints, properties);
        }
        LOG.info("Infrastructure: Kafka at {} ({}), MongoDB at {} ({})", endpoints.kafkaBootstrapServers(),
                endpoints.embeddedKafka() ? "embedded" : "configured", InfraSettings.redact(endpoints.mongoUri()),
                endpoints.embeddedMongo() ? "embedded" : "configured");
    }

    private void unregister() {
        ServiceRegistration<InfrastructureEndpoints> r;
        synchronized (lock) {
            r = registration;
            registration = null;
        }
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already unregistered (the bundle is stopping)
            }
            LOG.info("InfrastructureEndpoints unregistered");
        }
    }
}
