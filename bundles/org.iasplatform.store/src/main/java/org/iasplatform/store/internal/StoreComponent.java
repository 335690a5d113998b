package org.iasplatform.store.internal;

import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;

import org.iasplatform.api.infra.InfrastructureEndpoints;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.client.MongoClient;

/**
 * Registers the platform's {@link MongoClient} service, with service property {@code ias.store=platform}, for the MongoDB
 * named by {@link InfrastructureEndpoints#mongoUri()}; closes it when deactivated.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=com.mongodb.client.MongoClient",
        uses = MongoClient.class)
@Component(service = {}, immediate = true, configurationPid = "org.iasplatform.store",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = StoreComponent.Config.class)
public class StoreComponent {
    /** The service property (and value) that marks the platform's own store client. */
    public static final String STORE_PROPERTY = "ias.store";
    public static final String STORE_PLATFORM = "platform";

    private static final Logger LOG = LoggerFactory.getLogger(StoreComponent.class);

    @ObjectClassDefinition(name = "IAS store (MongoDB)",
            description = "The platform's MongoDB client; the server comes from the infrastructure endpoints.")
    public @interface Config {
        @AttributeDefinition(name = "Server selection time-out (ms)", min = "100",
                description = "How long an operation waits for a usable server before it fails.")
        int server__selection__timeout__ms() default 5000;

        @AttributeDefinition(name = "Connect time-out (ms)", min = "100",
                description = "How long opening a connection to a server may take.")
        int connect__timeout__ms() default 5000;

        @AttributeDefinition(name = "Socket time-out (ms)", min = "0",
                description = "How long an operation waits for the server's answer on an open connection before it fails"
                        + " (a server that hangs, a connection cut without a reset); 0: no limit.")
        int socket__timeout__ms() default 20000;
    }

    private final MongoClient client;
    private final ServiceRegistration<MongoClient> registration;

    @Activate
    public StoreComponent(BundleContext context, @Reference InfrastructureEndpoints endpoints, Config config) {
        String uri = endpoints.mongoUri();
        this.client = MongoClientFactory.create(uri, Duration.ofMillis(config.server__selection__timeout__ms()),
                Duration.ofMillis(config.connect__timeout__ms()), Duration.ofMillis(config.socket__timeout__ms()));
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(STORE_PROPERTY, STORE_PLATFORM);
        try {
            this.registration = context.registerService(MongoClient.class, client, properties);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        LOG.info("MongoDB client for {}{} registered", MongoClientFactory.redacted(uri),
                endpoints.embeddedMongo() ? " (embedded)" : "");
    }

    @Deactivate
    void deactivate() {
        try {
            registration.unregister();
        } catch (IllegalStateException e) {
            // already unregistered (bundle stopping)
        }
        client.close();
    }
}
