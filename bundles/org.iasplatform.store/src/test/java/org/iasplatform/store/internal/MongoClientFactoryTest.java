package org.iasplatform.store.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.bson.Document;
import org.iasplatform.infra.server.EmbeddedMongo;
import org.iasplatform.testsupport.Await;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.mongodb.MongoException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;

/** The client built by the store component's factory, against a real MongoDB-wire-protocol server. */
public class MongoClientFactoryTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void insertsAndFinds() throws Exception {
        try (EmbeddedMongo mongo = new EmbeddedMongo(tmp.newFolder("mongo").toPath(), 0)) {
            mongo.start();
            try (MongoClient client = MongoClientFactory.create(mongo.connectionString(), Duration.ofSeconds(5),
                    Duration.ofSeconds(5), Duration.ofSeconds(5))) {
                MongoCollection<Document> collection = client.getDatabase("store_test").getCollection("things");
                collection.insertOne(new Document("_id", "a").append("n", 1));
                Document found = collection.find(Filters.eq("_id", "a")).first();
                assertNotNull(found);
                assertEquals(1, found.getInteger("n").intValue());
            }
        }
    }

    @Test
    public void anUnreachableServerFailsWithinTheSelectionTimeout() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (MongoClient client = MongoClientFactory.create("mongodb://127.0.0.1:" + closedPort,
                Duration.ofMillis(1000), Duration.ofMillis(1000), Duration.ofMillis(1000))) {
            long start = System.nanoTime();
            try {
                client.getDatabase("store_test").runCommand(new Document("ping", 1));
                fail("ping against a closed port");
            } catch (MongoTimeoutException e) {
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue("failed after " + ms + " ms", ms >= 900 && ms < 5000);
                assertTrue(e.getMessage(), e.getMessage().contains("127.0.0.1:" + closedPort));
            }
        }
    }

    @Test
    public void aStoreThatComesBackOnTheSamePortIsUsedAgainWithoutANewClient() throws Exception {
        Path data = tmp.newFolder("mongo").toPath();
        EmbeddedMongo mongo = new EmbeddedMongo(data, 0);
        mongo.start();
        int port = mongo.port();
        try (MongoClient client = MongoClientFactory.create(mongo.connectionString(), Duration.ofMillis(1000),
                Duration.ofMillis(1000), Duration.ofSeconds(5))) {
            MongoCollection<Document> things = client.getDatabase("store_test").getCollection("things");
            things.insertOne(new Document("_id", "before"));
            mongo.close();
            try {
                things.find().first();
                things.find().first();
                fail("reads of a stopped store succeeded");
            } catch (MongoException e) {
                // unreachable meanwhile
            }
            mongo = new EmbeddedMongo(data, port);
            mongo.start();
            Await.until("the client finds the store again, with what it held", Duration.ofSeconds(30), () -> {
                try {
                    return Optional.ofNullable(things.find(Filters.eq("_id", "before")).first());
                } catch (MongoException e) {
                    return Optional.empty(); // not yet
                }
            });
            things.insertOne(new Document("_id", "after"));
            assertEquals(2, things.countDocuments());
        } finally {
            mongo.close();
        }
    }

    @Test
    public void aStoreThatStopsAnsweringOnAnOpenConnectionFailsAfterTheSocketTimeOutInsteadOfHanging() throws Exception {
        try (EmbeddedMongo mongo = new EmbeddedMongo(tmp.newFolder("mongo").toPath(), 0)) {
            mongo.start();
            try (FreezingProxy proxy = new FreezingProxy(mongo.port());
                    MongoClient client = MongoClientFactory.create("mongodb://127.0.0.1:" + proxy.port(),
                            Duration.ofMillis(1000), Duration.ofMillis(1000), Duration.ofMillis(1000))) {
                MongoCollection<Document> things = client.getDatabase("store_test").getCollection("things");
                things.insertOne(new Document("_id", "a"));
                proxy.freeze(); // the connection stays open; nothing comes back on it any more
                CompletableFuture<Object> read = CompletableFuture.supplyAsync(() -> things.find().first());
                try {
                    read.get(10, TimeUnit.SECONDS);
                    fail("a read through a frozen connection succeeded");
                } catch (TimeoutException e) {
                    fail("a read through a frozen connection still hangs after 10 s (no socket time-out)");
                } catch (ExecutionException e) {
                    assertTrue(String.valueOf(e.getCause()), e.getCause() instanceof MongoException);
                }
            }
        }
    }

    @Test
    public void timeoutsInTheUriWinAndPasswordsAreRedacted() {
        try (MongoClient client = MongoClientFactory.create(
                "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=1234", Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(5))) {
            assertNotNull(client.getClusterDescription());
        }
        assertEquals("mongodb://ias:***@db:27017/x", MongoClientFactory.redacted("mongodb://ias:secret@db:27017/x"));
    }
}
