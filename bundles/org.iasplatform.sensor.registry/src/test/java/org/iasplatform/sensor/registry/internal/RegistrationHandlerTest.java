package org.iasplatform.sensor.registry.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.testsupport.EmbeddedMongoResource;
import org.iasplatform.testsupport.RecordingMessaging;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.MongoException;

/**
 * A registration request is stored whole or not at all, against a real Mongo-wire store: when the broker cannot create
 * one of its instances' topics, or the store is unreachable, nothing of it is stored and no outcome is published (the
 * consumer delivers the message again); delivered again once they are back, the whole request is stored and answered.
 */
public class RegistrationHandlerTest {
    @Rule
    public final EmbeddedMongoResource mongo = new EmbeddedMongoResource(Duration.ofMillis(1000));

    private final ObjectMapper mapper = new ObjectMapper();
    private final RecordingMessaging messaging = new RecordingMessaging();
    private SensorStore store;
    private RegistrationHandler handler;

    @Before
    public void registerTheType() throws Exception {
        mongo.freshDatabase(SensorStore.DATABASE);
        store = new SensorStore(mongo.client(), mapper);
        store.createIndexes();
        handler = new RegistrationHandler(store, messaging, mapper);
        handler.handleTypeMessage(message(Topics.PM_TO_SENSOR_TYPE_REG, "r-type", "{\"request_id\": \"r-type\", \"op\":"
                + " \"register\", \"sensor_types\": [{\"sensor_type_name\": \"light\", \"sensor_data_structure\":"
                + " {\"lux\": \"int\"}}, {\"sensor_type_name\": \"gps\", \"sensor_data_structure\": {\"lat\": \"float\"}}]}"));
        assertEquals(2, store.types().size());
        messaging.clear();
    }

    private static List<SensorInstance> three() {
        return List.of(instance("si-0000000000000001", 7001), instance("si-0000000000000002", 7002),
                instance("si-0000000000000003", 7003));
    }

    private static SensorInstance instance(String id, int port) {
        return new SensorInstance(id, "light", "127.0.0.1", port, 1, Map.of("bus-id", "7"), Topics.dataTopic(id),
                Topics.controlTopic(id));
    }

    private Message registration(String requestId, List<SensorInstance> instances) {
        ObjectNode request = mapper.createObjectNode().put("request_id", requestId).put("op", "register");
        instances.forEach(i -> request.withArray("sensor_instances").add(i.toJson()));
        return message(Topics.PM_TO_SENSOR_INS_REG, requestId, request.toString());
    }

    private Message message(String topic, String key, String json) {
        return messaging.message(topic, key, json);
    }

    private JsonNode onlyOutcome() {
        List<JsonNode> events = messaging.publishedJson(Topics.SENSOR_REGISTRY_EVENTS);
        assertEquals(events.toString(), 1, events.size());
        return events.get(0);
    }

    @Test
    public void aRequestWhoseTopicsCannotAllBeCreatedStoresNoneOfItsInstancesUntilDeliveredAgain() throws Exception {
        List<SensorInstance> three = three();
        String failing = three.get(1).dataTopic(); // the second instance's: the first could be done by then
        messaging.failEnsuring(failing);
        Message request = registration("r-topics", three);
        try {
            handler.handleInstanceMessage(request);
            fail("the handler returned although a topic could not be created");
        } catch (MessagingException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(failing));
        }
        assertEquals("none of the request's instances stored", List.of(), store.instances(null, Map.of()));
        assertEquals("no outcome published", List.of(), messaging.published());

        messaging.recover(failing);
        handler.handleInstanceMessage(request); // the consumer delivers it again
        assertEquals(three, store.instances(null, Map.of()));
        JsonNode outcome = onlyOutcome();
        assertEquals("ok", outcome.path("status").asText());
        assertEquals(3, outcome.path("sensor_instances").size());
        assertTrue(messaging.ensured().containsAll(List.of(three.get(2).dataTopic(), three.get(2).controlTopic())));
    }

    @Test
    public void anUnreachableStoreStoresNothingAndTheRequestIsDoneWholeWhenItIsBack() throws Exception {
        List<SensorInstance> three = three();
        Message request = registration("r-store", three);
        mongo.stopServer();
        try {
            handler.handleInstanceMessage(request);
            fail("the handler returned although the store is stopped");
        } catch (MongoException e) {
            // delivered again by the consumer after a back-off
        }
        assertEquals("no outcome published", List.of(), messaging.published());

        mongo.restartServer(); // the same port and data: the client finds it again by itself
        assertEquals("none of the request's instances stored", List.of(), store.instances(null, Map.of()));
        handler.handleInstanceMessage(request);
        handler.handleInstanceMessage(request); // a redelivery changes nothing and answers the same
        assertEquals(three, store.instances(null, Map.of()));
        List<JsonNode> events = messaging.publishedJson(Topics.SENSOR_REGISTRY_EVENTS);
        assertEquals(2, events.size());
        assertEquals(events.get(0), events.get(1));
        assertEquals("ok", events.get(0).path("status").asText());
    }

    @Test
    public void typesOfOneRequestAreStoredTogether() throws Exception {
        Message request = message(Topics.PM_TO_SENSOR_TYPE_REG, "r-types", "{\"request_id\": \"r-types\", \"op\":"
                + " \"register\", \"sensor_types\": [{\"sensor_type_name\": \"temp\", \"sensor_data_structure\":"
                + " {\"c\": \"float\"}}, {\"sensor_type_name\": \"door\", \"sensor_data_structure\": {\"open\": \"bool\"}}]}");
        mongo.stopServer();
        try {
            handler.handleTypeMessage(request);
            fail("the handler returned although the store is stopped");
        } catch (MongoException e) {
            // delivered again
        }
        mongo.restartServer();
        assertEquals(List.of("gps", "light"), store.types().stream().map(t -> t.name()).toList());
        handler.handleTypeMessage(request);
        assertEquals(List.of("door", "gps", "light", "temp"), store.types().stream().map(t -> t.name()).toList());
        assertEquals(List.of("temp", "door"), mapper.convertValue(onlyOutcome().path("sensor_types"), List.class));
    }
}
