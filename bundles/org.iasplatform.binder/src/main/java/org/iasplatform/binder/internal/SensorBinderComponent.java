package org.iasplatform.binder.internal;

import java.time.Clock;
import java.util.List;

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
import com.mongodb.client.MongoClient;

/**
 * The sensor binder service: consumes {@link Topics#PM_TO_SENSOR_BINDER} in a consumer group (several platform instances
 * share the work), binds deployments to sensor instances ({@link SensorBinder}) and stores the bindings in
 * {@code binding_db.sensor_map}.
 */
@Component(immediate = true, configurationPid = "org.iasplatform.binder", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = SensorBinderComponent.Config.class)
public class SensorBinderComponent {

    @ObjectClassDefinition(name = "IAS sensor binder", description = "Binds deployments to registered sensor instances.")
    public @interface Config {
        @AttributeDefinition(name = "Consumer group", description = "Kafka consumer group shared by every platform instance.")
        String consumer__group() default "sensor-binder";
    }

    private final Subscription subscription;

    @Activate
    public SensorBinderComponent(@Reference(target = "(ias.store=platform)") MongoClient mongo,
            @Reference Messaging messaging, @Reference SensorRegistry registry, Config config) {
        BindingStore store = new BindingStore(mongo);
        store.createIndexes();
        SensorBinder binder = new SensorBinder(store, registry, messaging, new ObjectMapper(), Clock.systemUTC());
        this.subscription = messaging.subscribe(config.consumer__group(), List.of(Topics.PM_TO_SENSOR_BINDER),
                binder::handle);
    }

    @Deactivate
    void deactivate() {
        subscription.close();
    }
}
