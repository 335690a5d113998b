package org.iasplatform.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import org.bson.Document;
import org.iasplatform.testsupport.EmbeddedMongoResource;
import org.junit.Rule;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;

/**
 * The store being unreachable is answered 503 with a clear message: the failures come from the real driver talking to
 * a real Mongo-wire store that is stopped (a connection it closes, then no server to select within the time-out).
 */
public class StoreUnavailableTest {
    @Rule
    public final EmbeddedMongoResource mongo = new EmbeddedMongoResource(Duration.ofMillis(800));

    private final FakeServices services = new FakeServices();
    private final Dispatcher dispatcher = new Dispatcher(new Router(RestApi.routes(services, Json.newMapper(), Runnable::run)),
            (u, p) -> u.equals(p) ? Optional.of(Set.of("configurator")) : Optional.empty(), Json.newMapper(), 1024);

    /** What the driver throws for a read while the store is stopped. */
    private MongoException failureOfAStoppedStore() {
        MongoCollection<Document> things = mongo.database("rest_test").getCollection("things");
        things.insertOne(new Document("_id", "a")); // a pooled connection to the running store
        mongo.stopServer();
        try {
            things.find().first();
            things.find().first(); // the retried read of a closed connection, or server selection timing out
        } catch (MongoException e) {
            return e;
        }
        throw new AssertionError("reads of a stopped store succeeded");
    }

    @Test
    public void aStoppedStoreIsRecognisedEvenWhenWrapped() {
        MongoException failure = failureOfAStoppedStore();
        Optional<String> reason = StoreUnavailable.reason(failure);
        assertTrue(failure.toString(), reason.isPresent());
        assertFalse("the reason is short: " + reason.get(), reason.get().contains("Client view of cluster state"));
        assertEquals(reason, StoreUnavailable.reason(new IllegalStateException("the registry failed", failure)));

        HttpProblem problem = StoreUnavailable.problem(failure).orElseThrow();
        assertEquals(503, problem.status());
        assertEquals(StoreUnavailable.RETRY_AFTER_SECONDS, problem.headers().get("Retry-After"));
        String message = problem.errors().get(0).message();
        assertTrue(message, message.startsWith("the platform's store (MongoDB) cannot be reached right now (")
                && message.endsWith("try again once GET /health shows the store UP"));
    }

    @Test
    public void otherFailuresAreNotTakenForAnUnreachableStore() {
        MongoCollection<Document> things = mongo.database("rest_test").getCollection("things");
        things.insertOne(new Document("_id", "a"));
        try {
            things.insertOne(new Document("_id", "a"));
            fail("duplicate key accepted");
        } catch (MongoWriteException e) {
            assertEquals(ErrorCategory.DUPLICATE_KEY, e.getError().getCategory());
            assertEquals(Optional.empty(), StoreUnavailable.reason(e));
        }
        assertEquals(Optional.empty(), StoreUnavailable.reason(new IllegalStateException("x", new RuntimeException())));
        assertEquals(Optional.empty(), StoreUnavailable.reason(null));
        assertEquals("Timed out after 800 ms while waiting to connect",
                StoreUnavailable.firstSentence("Timed out after 800 ms while waiting to connect. Client view of cluster"
                        + " state is {type=UNKNOWN}"));
    }

    @Test
    public void theApiAnswers503InTheErrorShapeAndKeepsServing() throws Exception {
        services.failure = failureOfAStoppedStore(); // what the platform manager's store read throws
        FakeHttp.Resp r = call(new FakeHttp.Req("POST", "/sensor-types").basic("conf", "conf").json(
                "{\"sensor_type_name\": \"t\", \"sensor_data_structure\": {\"v\": \"int\"}}"));
        assertEquals(r.text(), 503, r.status);
        JsonNode body = r.json();
        assertEquals(r.text(), 1, body.size());
        assertEquals("", body.get("errors").get(0).get("path").asText());
        assertTrue(r.text(), body.get("errors").get(0).get("message").asText().contains("store (MongoDB) cannot be reached"));
        assertEquals(StoreUnavailable.RETRY_AFTER_SECONDS, r.headers.get("Retry-After"));

        services.failure = null;
        FakeHttp.Resp after = call(new FakeHttp.Req("POST", "/sensor-types").basic("conf", "conf").json(
                "{\"sensor_type_name\": \"t\", \"sensor_data_structure\": {\"v\": \"int\"}}"));
        assertEquals(after.text(), 201, after.status);

        services.failure = new IllegalStateException("a bug, not the store");
        assertEquals(500, call(new FakeHttp.Req("DELETE", "/sensor-instances/si-1").basic("conf", "conf")).status);
    }

    private FakeHttp.Resp call(FakeHttp.Req req) throws Exception {
        FakeHttp.Resp resp = new FakeHttp.Resp();
        dispatcher.dispatch(req.build(), resp.build());
        return resp;
    }
}
