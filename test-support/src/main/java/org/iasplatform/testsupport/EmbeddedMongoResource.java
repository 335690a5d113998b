package org.iasplatform.testsupport;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.iasplatform.infra.server.EmbeddedMongo;
import org.junit.rules.ExternalResource;
import org.junit.rules.TemporaryFolder;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;

/**
 * A real MongoDB-wire-protocol store for tests: an {@link EmbeddedMongo} on a free port of 127.0.0.1, keeping its data
 * in a temporary folder of its own, and a {@link MongoClient} connected to it; both closed (the folder deleted) after.
 * <p>
 * As a {@code @ClassRule} one store serves the whole class (starting one takes about half a second): a test that wants
 * an empty database starts with {@link #freshDatabase}. As a {@code @Rule} every test gets its own store. Subclasses
 * may add fixtures of their own.
 */
public class EmbeddedMongoResource extends ExternalResource {
    private final Duration timeout;
    private final TemporaryFolder folder = new TemporaryFolder();
    private EmbeddedMongo server;
    private int port;
    private MongoClient client;

    /** A client with the driver's default time-outs. */
    public EmbeddedMongoResource() {
        this(null);
    }

    /**
     * @param timeout the client's server selection and connect time-out (so that calls fail quickly once the server is
     *                {@link #stopServer stopped}); null: the driver's defaults
     */
    public EmbeddedMongoResource(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    protected void before() throws Throwable {
        folder.create();
        try {
            server = new EmbeddedMongo(folder.newFolder("mongo").toPath(), 0);
            server.start();
            port = server.port();
            MongoClientSettings.Builder settings = MongoClientSettings.builder()
                    .applyConnectionString(new ConnectionString(server.connectionString()));
            if (timeout != null) {
                long ms = timeout.toMillis();
                settings.applyToClusterSettings(b -> b.serverSelectionTimeout(ms, TimeUnit.MILLISECONDS))
                        .applyToSocketSettings(b -> b.connectTimeout(ms, TimeUnit.MILLISECONDS));
            }
            client = MongoClients.create(settings.build());
        } catch (Throwable e) {
            after(); // JUnit does not call after() when before() failed
            throw e;
        }
    }

    @Override
    protected void after() {
        if (client != null) {
            client.close();
            client = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
        folder.delete();
    }

    /** The client (one for the rule's life). */
    public MongoClient client() {
        return client;
    }

    /** {@code mongodb://127.0.0.1:port} of the server. */
    public String connectionString() {
        return server.connectionString();
    }

    /** A database, as it is. */
    public MongoDatabase database(String name) {
        return client.getDatabase(name);
    }

    /** A database dropped first: empty, whatever an earlier test left in it. */
    public MongoDatabase freshDatabase(String name) {
        MongoDatabase database = client.getDatabase(name);
        database.drop();
        return database;
    }

    /** Stops the server now; the client stays (its calls fail, at the latest after the server selection time-out). */
    public void stopServer() {
        server.close();
    }

    /**
     * Starts the server again, stopped or not, on the same port with the same data (as a store coming back after an
     * outage); the client finds it by itself.
     */
    public void restartServer() throws java.io.IOException {
        server.close();
        server = new EmbeddedMongo(server.dataDir(), port);
        server.start();
    }
}
