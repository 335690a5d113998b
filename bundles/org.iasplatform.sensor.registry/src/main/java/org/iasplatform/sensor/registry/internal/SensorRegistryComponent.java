package org.iasplatform.sensor.registry.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorType;
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
 * The sensor registry service: consumes {@code pm_to_sensor_type_reg} and {@code pm_to_sensor_ins_reg} in a consumer group
 * (several platform instances share the work), stores in MongoDB, and answers {@link SensorRegistry} reads.
 */
@Component(service = SensorRegistry.class, immediate = true, configurationPid = "org.iasplatform.sensor.registry",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = SensorRegistryComponent.Config.class)
public class SensorRegistryComponent implements SensorRegistry {

    @ObjectClassDefinition(name = "IAS sensor registry", description = "Stores sensor types and instances.")
    public @interface Config {
        @AttributeDefinition(name = "Consumer group", description = "Kafka consumer group shared by every platform instance.")
        String consumer__group() default "ias-sensor-registry";
    }

    private final SensorStore store;
    private final Subscription subscription;

    @Activate
    public SensorRegistryComponent(@Reference(target = "(ias.store=platform)") MongoClient mongo,
            @Reference Messaging messaging, Config config) {
        ObjectMapper mapper = new ObjectMapper();
        this.store = new SensorStore(mongo, mapper);
        store.createIndexes();
        RegistrationHandler handler = new RegistrationHandler(store, messaging, mapper);
        this.subscription = messaging.subscribe(config.consumer__group(),
                List.of(Topics.PM_TO_SENSOR_TYPE_REG, Topics.PM_TO_SENSOR_INS_REG), message -> {
                    if (Topics.PM_TO_SENSOR_TYPE_REG.equals(message.topic())) {
                        handler.handleTypeMessage(message);
                    } else {
                        handler.handleInstanceMessage(message);
                    }
                });
    }

    @Deactivate
    void deactivate() {
        subscription.close();
    }

    @Override
    public List<SensorType> sensorTypes() {
        return store.types();
    }

    @Override
    public Optional<SensorType> sensorType(String name) {
        return store.type(name);
    }

    @Override
    public List<SensorInstance> sensorInstances(String sensorType, Map<String, String> tags) {
        return store.instances(sensorType, tags);
    }

    @Override
    public Optional<SensorInstance> sensorInstance(String id) {
        return store.instance(id);
    }
}
