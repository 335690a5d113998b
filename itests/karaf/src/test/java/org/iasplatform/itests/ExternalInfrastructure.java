package org.iasplatform.itests;

import java.nio.file.Files;

import org.iasplatform.infra.server.EmbeddedKafka;
import org.iasplatform.infra.server.EmbeddedMongo;

/**
 * A Kafka broker and a Mongo-wire store started in the test driver's JVM (never inside the container), standing for an
 * operator's own cluster. Kept in its own class so that the in-container probe never loads the server classes.
 */
final class ExternalInfrastructure {
    private ExternalInfrastructure() {
    }

    /** Starts both servers for the rest of the run; returns {bootstrap servers, mongo URI}. */
    static String[] start() throws Exception {
        EmbeddedKafka kafka = new EmbeddedKafka(Files.createTempDirectory("external-kafka"), 0, 0);
        kafka.start();
        EmbeddedMongo mongo = new EmbeddedMongo(Files.createTempDirectory("external-mongo"), 0);
        mongo.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            mongo.close();
        }));
        return new String[] {kafka.bootstrapServers(), mongo.connectionString()};
    }
}
