package org.iasplatform.sensor.manager.internal;

import java.util.List;
import java.util.Optional;

import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.sensor.SensorConnections;
import org.iasplatform.api.sensor.SensorDriver;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorStatus;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The sensor manager: hosts the {@link SensorDriver} whiteboard and keeps every registered sensor instance connected
 * through the driver chosen for its type. The work is done by {@link SensorManager}.
 */
@Component(service = SensorConnections.class, configurationPid = SensorManagerComponent.PID)
@Designate(ocd = SensorManagerComponent.Config.class)
public class SensorManagerComponent implements SensorConnections {
    static final String PID = "org.iasplatform.sensor.manager";

    @ObjectClassDefinition(name = "IAS sensor manager",
            description = "Connects registered sensor instances through their drivers, publishes readings, delivers control commands.")
    public @interface Config {
        @AttributeDefinition(name = "Control consumer group",
                description = "Kafka consumer group of the subscription to every sensor_control_* topic.")
        String control__group() default "ias-sensor-manager-control";

        @AttributeDefinition(name = "Retry interval (ms)",
                description = "How often a failed start or a driver that failed to connect is tried again.", min = "10")
        long retry__ms() default 10_000;
    }

    private final SensorManager manager;

    @Activate
    public SensorManagerComponent(@Reference(name = "messaging") Messaging messaging,
            @Reference(name = "registry") SensorRegistry registry) {
        this.manager = new SensorManager(messaging, registry);
    }

    @Activate
    void activate(Config config) {
        manager.start(new SensorManager.Settings(config.control__group(), config.retry__ms()));
    }

    @Deactivate
    void deactivate() {
        manager.stop();
    }

    @Reference(service = SensorDriver.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, updated = "updatedDriver", unbind = "unbindDriver")
    void bindDriver(SensorDriver driver, ServiceReference<SensorDriver> reference) {
        manager.driverAdded(entry(driver, reference));
    }

    void updatedDriver(SensorDriver driver, ServiceReference<SensorDriver> reference) {
        manager.driverModified(entry(driver, reference));
    }

    void unbindDriver(SensorDriver driver, ServiceReference<SensorDriver> reference) {
        manager.driverRemoved(serviceId(reference));
    }

    private static DriverEntry entry(SensorDriver driver, ServiceReference<SensorDriver> reference) {
        Object ranking = reference.getProperty(Constants.SERVICE_RANKING);
        Bundle bundle = reference.getBundle();
        String name = bundle == null ? driver.getClass().getName() : bundle.getSymbolicName() + " " + bundle.getVersion();
        return new DriverEntry(driver, serviceId(reference), ranking instanceof Integer i ? i : 0,
                DriverEntry.typesOf(reference.getProperty(SensorDriver.PROPERTY_SENSOR_TYPES)), name);
    }

    private static long serviceId(ServiceReference<?> reference) {
        return (Long) reference.getProperty(Constants.SERVICE_ID);
    }

    @Override
    public List<SensorStatus> statuses() {
        return manager.statuses();
    }

    @Override
    public Optional<SensorStatus> status(String sensorInstanceId) {
        return manager.status(sensorInstanceId);
    }
}
