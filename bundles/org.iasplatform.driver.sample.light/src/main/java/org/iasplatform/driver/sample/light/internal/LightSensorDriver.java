package org.iasplatform.driver.sample.light.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.iasplatform.api.sensor.SensorConnection;
import org.iasplatform.api.sensor.SensorConnectionContext;
import org.iasplatform.api.sensor.SensorDriver;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sample driver bundle for the {@code light-sensor} type, to copy when writing a driver of your own.
 * <p>
 * A driver is a {@link SensorDriver} service whose {@code ias.sensor.types} property names the types it serves. Drop the
 * bundle into Karaf's {@code deploy/} folder and the sensor manager reconnects the instances of those types through it;
 * remove it and they go back to the built-in JSON-lines driver.
 * <p>
 * It speaks the JSON-lines protocol: one JSON object per line from the device ({@code {"lux": 12}}), one control command
 * per line to the device ({@code {"function": "switchOnLight", "params": {"level": 3}}}). As an example of what a
 * type-specific driver can add, it also understands a bare number on a line as the {@code lux} value.
 */
@Component(service = SensorDriver.class, configurationPid = LightSensorDriver.PID,
        property = {SensorDriver.PROPERTY_SENSOR_TYPES + "=" + LightSensorDriver.TYPE, "service.ranking:Integer=0"})
@Designate(ocd = LightSensorDriver.Config.class)
public class LightSensorDriver implements SensorDriver {
    static final String PID = "org.iasplatform.driver.sample.light";
    static final String TYPE = "light-sensor";
    private static final Logger LOG = LoggerFactory.getLogger(LightSensorDriver.class);

    @ObjectClassDefinition(name = "IAS sample light-sensor driver",
            description = "Sample driver bundle serving the light-sensor type over JSON lines.")
    public @interface Config {
        @AttributeDefinition(name = "Connect timeout (ms)", min = "1")
        int connect__timeout__ms() default 2000;

        @AttributeDefinition(name = "First reconnect delay (ms)", description = "Doubles after each failed attempt.", min = "1")
        int reconnect__delay__ms() default 500;

        @AttributeDefinition(name = "Maximum reconnect delay (ms)", min = "1")
        int reconnect__max__ms() default 10_000;

        @AttributeDefinition(name = "Maximum line length (bytes)", min = "16")
        int max__line__bytes() default 4096;
    }

    private final Config config;
    private final String version;
    private final Set<LightSensorConnection> connections = ConcurrentHashMap.newKeySet();

    @Activate
    public LightSensorDriver(Config config, BundleContext bundleContext) {
        this(config, bundleContext.getBundle().getVersion().toString());
    }

    LightSensorDriver(Config config, String version) {
        this.config = config;
        this.version = version;
        LOG.info("Sample light-sensor driver {} activated", version);
    }

    @Override
    public SensorConnection connect(SensorConnectionContext context) {
        LightSensorConnection connection = new LightSensorConnection(context, config, connections::remove);
        connections.add(connection);
        connection.start();
        return connection;
    }

    @Deactivate
    void deactivate() {
        connections.forEach(LightSensorConnection::close);
        LOG.info("Sample light-sensor driver {} deactivated", version);
    }
}
