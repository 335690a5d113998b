package org.iasplatform.infra.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration PID {@value #PID} ({@code etc/org.iasplatform.infra.cfg}). Method names map to property names by the
 * component property type rules: a double underscore is one underscore ({@code mongo__uri} is {@code mongo_uri}).
 */
@ObjectClassDefinition(id = InfraConfig.PID, name = "IAS infrastructure",
        description = "Where Kafka and MongoDB are. What is left empty is started embedded, in a child JVM.")
public @interface InfraConfig {
    String PID = "org.iasplatform.infra";

    @AttributeDefinition(name = "kafka_bootstrap_servers",
            description = "Kafka bootstrap.servers (host:port,...); empty: start the embedded single-node Kafka")
    String kafka__bootstrap__servers() default "";

    @AttributeDefinition(name = "mongo_uri",
            description = "MongoDB connection string (mongodb://... or mongodb+srv://...); empty: start the embedded store")
    String mongo__uri() default "";

    @AttributeDefinition(name = "embedded_kafka_port",
            description = "Client port of the embedded Kafka on 127.0.0.1 (0: any free port)", min = "0", max = "65535")
    int embedded__kafka__port() default 29092;

    @AttributeDefinition(name = "embedded_kafka_controller_port",
            description = "KRaft controller port of the embedded Kafka on 127.0.0.1 (0: any free port)", min = "0",
            max = "65535")
    int embedded__kafka__controller__port() default 29093;

    @AttributeDefinition(name = "embedded_mongo_port",
            description = "Port of the embedded Mongo-wire store on 127.0.0.1 (0: any free port)", min = "0",
            max = "65535")
    int embedded__mongo__port() default 27027;

    @AttributeDefinition(name = "embedded_data_dir",
            description = "Where the embedded servers keep data, logs and their pid file; empty: ${karaf.data}/ias/embedded")
    String embedded__data__dir() default "";

    @AttributeDefinition(name = "embedded_jvm_options",
            description = "JVM options of the embedded servers' child JVM (space separated, double quotes group)")
    String embedded__jvm__options() default "-Xmx768m";

    @AttributeDefinition(name = "embedded_start_timeout_seconds",
            description = "How long the embedded servers may take to become ready before they are restarted", min = "1")
    int embedded__start__timeout__seconds() default 120;
}
