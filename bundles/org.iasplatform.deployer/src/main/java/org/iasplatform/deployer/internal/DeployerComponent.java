package org.iasplatform.deployer.internal;

import java.time.Clock;
import java.util.List;

import org.iasplatform.api.app.AppRepository;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.SensorRegistry;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The deployer service: consumes {@link Topics#SCHEDULER_TO_DEPLOYER} in a consumer group and hands each run, with what it
 * launches, to server-lifecycle ({@link Deployer}).
 */
@Component(immediate = true, configurationPid = "org.iasplatform.deployer", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = DeployerComponent.Config.class)
public class DeployerComponent {

    @ObjectClassDefinition(name = "IAS deployer", description = "Resolves what scheduled runs launch.")
    public @interface Config {
        @AttributeDefinition(name = "Consumer group", description = "Kafka consumer group shared by every platform instance.")
        String consumer__group() default "deployer";
    }

    private final Subscription subscription;

    @Activate
    public DeployerComponent(@Reference Messaging messaging, @Reference AppRepository apps,
            @Reference SensorRegistry registry, Config config) {
        Deployer deployer = new Deployer(apps, registry, messaging, new ObjectMapper(), Clock.systemUTC());
        this.subscription = messaging.subscribe(config.consumer__group(), List.of(Topics.SCHEDULER_TO_DEPLOYER),
                deployer::handle);
    }

    @Deactivate
    void deactivate() {
        subscription.close();
    }
}
