package org.iasplatform.testsupport;

import org.iasplatform.infra.server.EmbeddedKafka;
import org.junit.rules.ExternalResource;
import org.junit.rules.TemporaryFolder;

/**
 * A real single-node Kafka broker (KRaft) for tests: an {@link EmbeddedKafka} on free ports of 127.0.0.1 with its data in
 * a temporary folder of its own, stopped (the folder deleted) after. Best as a {@code @ClassRule}: starting a broker takes
 * a few seconds. A module using it declares ias-infra-server as a test dependency.
 */
public class EmbeddedKafkaResource extends ExternalResource {
    private final TemporaryFolder folder = new TemporaryFolder();
    private EmbeddedKafka kafka;

    @Override
    protected void before() throws Throwable {
        folder.create();
        try {
            kafka = new EmbeddedKafka(folder.newFolder("kafka").toPath(), 0, 0);
            kafka.start();
        } catch (Throwable e) {
            after(); // JUnit does not call after() when before() failed
            throw e;
        }
    }

    @Override
    protected void after() {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
        folder.delete();
    }

    /** The broker's {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The broker itself (e.g. to stop it). */
    public EmbeddedKafka kafka() {
        return kafka;
    }
}
