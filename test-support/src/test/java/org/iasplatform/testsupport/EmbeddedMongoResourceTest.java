package org.iasplatform.testsupport;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;

import org.bson.Document;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

import com.mongodb.MongoException;
import com.mongodb.client.MongoCollection;

/** The store rule as a class rule (shared, fresh databases) and as a rule (per test, stoppable). */
public class EmbeddedMongoResourceTest {
    @ClassRule
    public static final EmbeddedMongoResource SHARED = new EmbeddedMongoResource();

    @Rule
    public final EmbeddedMongoResource own = new EmbeddedMongoResource(Duration.ofMillis(500));

    @Test
    public void aFreshDatabaseIsEmpty() {
        MongoCollection<Document> things = SHARED.database("t").getCollection("things");
        things.insertOne(new Document("_id", "a"));
        assertEquals(1, SHARED.database("t").getCollection("things").countDocuments());
        assertEquals(0, SHARED.freshDatabase("t").getCollection("things").countDocuments());
        assertTrue(SHARED.connectionString(), SHARED.connectionString().startsWith("mongodb://127.0.0.1:"));
    }

    @Test
    public void callsFailOnceTheServerIsStopped() {
        MongoCollection<Document> things = own.client().getDatabase("t").getCollection("things");
        things.insertOne(new Document("_id", "a"));
        own.stopServer();
        try {
            things.countDocuments();
            fail("counted without a server");
        } catch (MongoException expected) {
            // the connection lost, or no server found within the short time-out given
        }
    }
}
