package org.iasplatform.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.manager.RegistrationOutcome;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorType;
import org.iasplatform.api.validation.ConfigKind;
import org.iasplatform.api.validation.ConfigValidator;
import org.iasplatform.testsupport.Await;
import org.iasplatform.testsupport.RecordingMessaging;
import org.junit.After;
import org.junit.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A call waits for the message bus to acknowledge or refuse its request — longer than the pipeline's time-out, as while
 * a broker restarts and the producer retries — so that "unavailable, nothing was registered" is only answered for what
 * was really not sent; the wait for the pipeline's outcome starts once the request is on the bus.
 */
public class PublishWaitTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TYPE = "{\"sensor_type_name\": \"light\", \"sensor_data_structure\": {\"lux\": \"int\"}}";
    /** The pipeline's time-out of these tests; acknowledgements come later than that. */
    private static final long PIPELINE_MS = 300;

    private final RecordingMessaging messaging = new RecordingMessaging();
    private final SensorRegistry noTypes = new SensorRegistry() {
        @Override
        public List<SensorType> sensorTypes() {
            return List.of();
        }

        @Override
        public Optional<SensorType> sensorType(String name) {
            return Optional.empty();
        }

        @Override
        public List<SensorInstance> sensorInstances(String sensorType, Map<String, String> tags) {
            return List.of();
        }

        @Override
        public Optional<SensorInstance> sensorInstance(String id) {
            return Optional.empty();
        }
    };
    private final ExecutorService calls = Executors.newSingleThreadExecutor();

    @After
    public void stopCalls() {
        calls.shutdownNow();
    }

    private PlatformManagerComponent manager(long publishTimeoutMillis) {
        PlatformManagerComponent manager = new PlatformManagerComponent(messaging, noTypes, null, PIPELINE_MS, 10,
                publishTimeoutMillis);
        manager.addValidator((kind, item) -> List.of(), Map.of(ConfigValidator.PROPERTY_KIND, ConfigKind.SENSOR_TYPE.id()));
        return manager;
    }

    private CompletableFuture<RegistrationOutcome<String>> register(PlatformManagerComponent manager) {
        CompletableFuture<RegistrationOutcome<String>> call = new CompletableFuture<>();
        calls.execute(() -> {
            try {
                call.complete(manager.registerSensorTypes(JSON.readTree(TYPE)));
            } catch (Exception e) {
                call.completeExceptionally(e);
            }
        });
        return call;
    }

    /** The registry's "ok" for the one request published, delivered to the manager's follower. */
    private void registryAnswersOk() throws Exception {
        String requestId = messaging.published(Topics.PM_TO_SENSOR_TYPE_REG).get(0).json().path("request_id").asText();
        ObjectNode event = JSON.createObjectNode().put("request_id", requestId).put("kind", "sensor-type")
                .put("op", "register").put("status", "ok");
        event.putArray("sensor_types").add("light");
        messaging.deliver(Topics.SENSOR_REGISTRY_EVENTS, requestId, event.toString());
    }

    private void awaitPublished() {
        Await.until("the request published", Duration.ofSeconds(10),
                () -> !messaging.published(Topics.PM_TO_SENSOR_TYPE_REG).isEmpty());
    }

    private static IasException failure(CompletableFuture<?> call) throws Exception {
        try {
            call.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IasException ias) {
                return ias;
            }
            throw e;
        }
        throw new AssertionError("the call succeeded: " + call.get());
    }

    @Test
    public void anAcknowledgementLaterThanThePipelineTimeOutIsWaitedForAndTheOutcomeStillAnswers() throws Exception {
        messaging.holdAcknowledgements(); // a broker restarting: the producer retries, nothing is answered yet
        CompletableFuture<RegistrationOutcome<String>> call = register(manager(10_000));
        awaitPublished();
        try {
            call.get(3 * PIPELINE_MS, TimeUnit.MILLISECONDS);
            fail("the call answered before the message bus acknowledged or refused its request: " + call.get());
        } catch (TimeoutException expected) {
            // still waiting for the acknowledgement, well past the pipeline's time-out
        }
        messaging.acknowledgeHeld();
        registryAnswersOk(); // within the pipeline's time-out counted from the acknowledgement
        RegistrationOutcome<String> outcome = call.get(10, TimeUnit.SECONDS);
        assertTrue(outcome.completed());
        assertEquals(List.of("light"), outcome.registered());
    }

    @Test
    public void aRefusedPublishIsUnavailableAndSaysNothingWasRegistered() throws Exception {
        messaging.holdAcknowledgements();
        CompletableFuture<RegistrationOutcome<String>> call = register(manager(10_000));
        awaitPublished();
        messaging.refuseHeld(new MessagingException("Publishing to topic pm_to_sensor_type_reg at Kafka 127.0.0.1:1"
                + " failed: Expiring 1 record(s) (test)", null));
        IasException e = failure(call);
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        String message = e.errors().get(0).message();
        assertTrue(message, message.contains("did not accept the request") && message.contains("Expiring 1 record(s)")
                && message.contains("nothing was registered"));
    }

    @Test
    public void noAnswerWithinThePublishTimeOutSaysTheRequestMayStillBeCarriedOut() throws Exception {
        messaging.holdAcknowledgements();
        IasException e = failure(register(manager(PIPELINE_MS)));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        String message = e.errors().get(0).message();
        assertTrue(message, message.contains("neither acknowledged nor refused") && message.contains("may still be"));
        assertFalse(message, message.contains("nothing was registered"));
        messaging.acknowledgeHeld();
    }
}
