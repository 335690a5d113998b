package org.iasplatform.infra.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;

/**
 * An embedded store that speaks the MongoDB wire protocol (mongo-java-server), listening on 127.0.0.1 only, keeping
 * its data in one H2 MVStore file ({@code mongo.mv}) under {@code dataDir}, so the data survives a restart.
 */
public final class EmbeddedMongo implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMongo.class);
    static final String STORE_FILE = "mongo.mv";

    private final Path dataDir;
    private final int requestedPort;

    private final Object lock = new Object();
    private MongoServer server;
    private int port;
    private boolean closed;

    /**
     * @param dataDir where the store file is kept; created if missing
     * @param port    the port on 127.0.0.1; 0: a free port
     */
    public EmbeddedMongo(Path dataDir, int port) {
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath();
        this.requestedPort = Ports.checkPort("Mongo port", port);
    }

    /**
     * Opens the store and starts listening.
     *
     * @throws IOException when the port is taken or the store file cannot be opened (e.g. another server holds it)
     * @throws IllegalStateException when already started or closed
     */
    public void start() throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("EmbeddedMongo on " + dataDir + " is closed");
            }
            if (server != null) {
                throw new IllegalStateException("EmbeddedMongo on " + dataDir + " is already started");
            }
            ServerLogging.ensureConfigured();
            Files.createDirectories(dataDir);
            if (requestedPort != 0) {
                Ports.requireFree("Mongo", requestedPort);
            }
            Path file = dataDir.resolve(STORE_FILE);
            H2Backend backend;
            try {
                backend = new H2Backend(file.toString());
            } catch (RuntimeException e) {
                throw new IOException("cannot open the Mongo store " + file + ": " + e.getMessage(), e);
            }
            MongoServer s = new MongoServer(backend);
            try {
                s.bind(Ports.HOST, requestedPort);
            } catch (RuntimeException e) {
                try {
                    s.shutdownNow();
                } catch (RuntimeException ignored) {
                    // nothing was listening
                }
                backend.close();
                throw new IOException("Mongo failed to listen on " + Ports.HOST + ":" + requestedPort + ": "
                        + e.getMessage(), e);
            }
            server = s;
            port = s.getLocalAddress().getPort();
            LOG.info("Mongo (wire protocol, H2 store {}) is listening on {}", file, connectionString());
        }
    }

    /** {@code mongodb://127.0.0.1:port} of the running server. */
    public String connectionString() {
        synchronized (lock) {
            if (server == null) {
                throw new IllegalStateException("EmbeddedMongo on " + dataDir + " is not running");
            }
            return "mongodb://" + Ports.HOST + ":" + port;
        }
    }

    /** The port the server listens on (useful when it was created with port 0). */
    public int port() {
        synchronized (lock) {
            if (server == null) {
                throw new IllegalStateException("EmbeddedMongo on " + dataDir + " is not running");
            }
            return port;
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Stops listening, closes client connections and closes the store file (committing it); idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (server == null) {
                return;
            }
            MongoServer s = server;
            server = null;
            LOG.info("Stopping Mongo on {}:{}", Ports.HOST, port);
            try {
                s.shutdown(); // also closes the backend, which commits and closes the MVStore
            } catch (RuntimeException e) {
                LOG.warn("Mongo did not shut down cleanly", e);
            }
            LOG.info("Mongo stopped, data in {}", dataDir);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedMongo[" + dataDir + "]";
    }
}
