package org.iasplatform.store.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.bson.Document;
import org.iasplatform.infra.server.EmbeddedMongo;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

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
                    Duration.ofSeconds(5))) {
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
                Duration.ofMillis(1000), Duration.ofMillis(1000))) {
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
    public void timeoutsInTheUriWinAndPasswordsAreRedacted() {
        try (MongoClient client = MongoClientFactory.create(
                "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=1234", Duration.ofSeconds(5), Duration.ofSeconds(5))) {
            assertNotNull(client.getClusterDescription());
        }
        assertEquals("mongodb://ias:***@db:27017/x", MongoClientFactory.redacted("mongodb://ias:secret@db:27017/x"));
    }
}
