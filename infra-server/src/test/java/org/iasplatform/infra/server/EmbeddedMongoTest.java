package org.iasplatform.infra.server;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.bson.Document;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;

public class EmbeddedMongoTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test(timeout = 120_000)
    public void insertedDocumentIsFoundAndSurvivesARestartOnTheSameDirectory() throws Exception {
        Path dir = tmp.newFolder("mongo").toPath();
        try (EmbeddedMongo mongo = new EmbeddedMongo(dir, 0)) {
            mongo.start();
            assertEquals("mongodb://127.0.0.1:" + mongo.port(), mongo.connectionString());
            try (MongoClient client = client(mongo.connectionString())) {
                MongoCollection<Document> c = client.getDatabase("sensor_registry").getCollection("sensor_type");
                c.insertOne(new Document("_id", "gps-sensor").append("fields", 2));
                Document found = c.find(Filters.eq("_id", "gps-sensor")).first();
                assertNotNull(found);
                assertEquals(2, found.getInteger("fields").intValue());
            }
        }
        assertTrue(Files.size(dir.resolve(EmbeddedMongo.STORE_FILE)) > 0);

        try (EmbeddedMongo mongo = new EmbeddedMongo(dir, 0)) {
            mongo.start();
            try (MongoClient client = client(mongo.connectionString())) {
                Document found = client.getDatabase("sensor_registry").getCollection("sensor_type")
                        .find(Filters.eq("_id", "gps-sensor")).first();
                assertNotNull("document persisted across the restart", found);
                assertEquals(2, found.getInteger("fields").intValue());
            }
        }
    }

    @Test
    public void portInUseIsAClearError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            EmbeddedMongo mongo = new EmbeddedMongo(tmp.newFolder("m").toPath(), taken.getLocalPort());
            IOException e = assertThrows(IOException.class, mongo::start);
            assertTrue(e.getMessage(), e.getMessage().contains("Mongo port " + taken.getLocalPort()));
        }
    }

    @Test
    public void aStoreHeldByAnotherServerIsAClearError() throws Exception {
        Path dir = tmp.newFolder("shared").toPath();
        try (EmbeddedMongo first = new EmbeddedMongo(dir, 0)) {
            first.start();
            EmbeddedMongo second = new EmbeddedMongo(dir, 0);
            IOException e = assertThrows(IOException.class, second::start);
            assertTrue(e.getMessage(), e.getMessage().contains("cannot open the Mongo store"));
        }
    }

    static MongoClient client(String uri) {
        return MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(uri))
                .applyToClusterSettings(b -> b.serverSelectionTimeout(20, TimeUnit.SECONDS))
                .build());
    }
}
