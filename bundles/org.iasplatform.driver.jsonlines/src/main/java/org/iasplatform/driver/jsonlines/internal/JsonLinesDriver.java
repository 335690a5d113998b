package org.iasplatform.driver.jsonlines.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.iasplatform.api.sensor.SensorConnection;
import org.iasplatform.api.sensor.SensorConnectionContext;
import org.iasplatform.api.sensor.SensorDriver;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The built-in driver: serves every sensor type without a driver of its own over the JSON-lines protocol (one JSON object
 * per line from the device, one control command per line to it).
 */
@Component(service = SensorDriver.class, configurationPid = JsonLinesDriver.PID,
        property = {SensorDriver.PROPERTY_SENSOR_TYPES + "=" + SensorDriver.ANY_TYPE, "service.ranking:Integer=-100"})
@Designate(ocd = JsonLinesDriver.Config.class)
public class JsonLinesDriver implements SensorDriver {
    static final String PID = "org.iasplatform.driver.jsonlines";
    private static final Logger LOG = LoggerFactory.getLogger(JsonLinesDriver.class);

    @ObjectClassDefinition(name = "IAS built-in JSON-lines sensor driver",
            description = "Connects sensor instances over TCP; each line from the device is one JSON reading.")
    public @interface Config {
        @AttributeDefinition(name = "Connect timeout (ms)", min = "1")
        int connect__timeout__ms() default 2000;

        @AttributeDefinition(name = "Initial reconnect back-off (ms)", min = "1")
        int backoff__initial__ms() default 200;

        @AttributeDefinition(name = "Maximum reconnect back-off (ms)", min = "1")
        int backoff__max__ms() default 10_000;

        @AttributeDefinition(name = "Maximum line length (bytes)",
                description = "Longer lines are discarded up to the next newline and counted invalid.", min = "16")
        int max__line__bytes() default 65_536;
    }

    private final Settings settings;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Set<JsonLinesConnection> connections = ConcurrentHashMap.newKeySet();

    @Activate
    public JsonLinesDriver(Config config) {
        this(Settings.of(config));
    }

    JsonLinesDriver(Settings settings) {
        this.settings = settings;
        LOG.info("JSON-lines driver active: {}", settings);
    }

    @Override
    public SensorConnection connect(SensorConnectionContext context) {
        JsonLinesConnection connection = new JsonLinesConnection(context, settings, mapper, connections::remove);
        connections.add(connection);
        return connection.start();
    }

    /** Closes the connections the manager did not close itself. */
    @Deactivate
    void deactivate() {
        for (JsonLinesConnection connection : Set.copyOf(connections)) {
            connection.close();
        }
    }

    int openConnections() {
        return connections.size();
    }
}
