package org.iasplatform.runtime.bundle.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.algorithm.AlgorithmContext;
import org.iasplatform.api.algorithm.SensorHandle;
import org.iasplatform.api.deploy.BoundSensor;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.node.InstanceLaunch;
import org.iasplatform.api.node.InstanceListener;
import org.iasplatform.api.sensor.ControlCommand;
import org.iasplatform.api.sensor.Reading;
import org.iasplatform.api.sensor.SensorType;
import org.iasplatform.api.validation.ValidationError;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@link AlgorithmContext} of one instance run by the bundle runtime, on the platform's messaging: readings are
 * followed on the bound sensors' data topics, control commands (checked against the sensor type) go to their control
 * topics, notifications to {@link Topics#NOTIFICATIONS}, feed data to {@link Topics#appFeed(String)}, log lines to the
 * instance's listener (formats in docs/pipeline-messages.md). Publishing calls return once Kafka acknowledged.
 * {@link #markStopped()} ends {@link #awaitStop()} and closes every subscription.
 */
final class InstanceContext implements AlgorithmContext {
    private static final int REPORTED_PROBLEMS = 10;

    private final InstanceLaunch launch;
    private final Messaging messaging;
    private final InstanceListener listener;
    private final Settings settings;
    private final ObjectMapper mapper;
    private final List<SensorHandle> sensors;
    private final Map<Integer, SensorHandle> byIndex = new LinkedHashMap<>();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicBoolean feedTopicEnsured = new AtomicBoolean();
    private final AtomicLong problems = new AtomicLong();
    private final Object lock = new Object();
    private final List<Subscription> subscriptions = new ArrayList<>(); // guarded by lock
    private boolean stopped; // guarded by lock

    InstanceContext(InstanceLaunch launch, Messaging messaging, InstanceListener listener, Settings settings,
            ObjectMapper mapper) {
        this.launch = launch;
        this.messaging = messaging;
        this.listener = listener;
        this.settings = settings;
        this.mapper = mapper;
        List<SensorHandle> list = new ArrayList<>();
        launch.sensors().stream().sorted(Comparator.comparingInt(BoundSensor::index)).forEach(b -> {
            Handle h = new Handle(b);
            list.add(h);
            byIndex.putIfAbsent(b.index(), h);
        });
        this.sensors = List.copyOf(list);
    }

    @Override
    public String instanceId() {
        return launch.instanceId();
    }

    @Override
    public String applicationName() {
        return launch.applicationName();
    }

    @Override
    public String algorithmName() {
        return launch.algorithmName();
    }

    @Override
    public List<SensorHandle> sensors() {
        return sensors;
    }

    @Override
    public SensorHandle sensor(int index) throws IasException {
        SensorHandle handle = byIndex.get(index);
        if (handle == null) {
            throw new IasException(ErrorKind.NOT_FOUND, "/sensors/" + index, "no sensor is bound at index " + index
                    + "; bound indexes: " + byIndex.keySet());
        }
        return handle;
    }

    @Override
    public void notify(String to, String message) throws IasException {
        List<ValidationError> errors = new ArrayList<>();
        if (to == null || to.isBlank()) {
            errors.add(new ValidationError("/to", "a user name or role to notify is required"));
        }
        if (message == null) {
            errors.add(new ValidationError("/message", "a message is required"));
        }
        if (!errors.isEmpty()) {
            throw new IasException(ErrorKind.INVALID, errors);
        }
        ObjectNode json = mapper.createObjectNode();
        json.put("instance_id", instanceId());
        json.put("application_name", applicationName());
        json.put("algorithm_name", algorithmName());
        json.put("to", to);
        json.put("message", message);
        json.put("timestamp", System.currentTimeMillis());
        publish(Topics.NOTIFICATIONS, instanceId(), json, "the notification");
    }

    @Override
    public void publishFeed(Map<String, Object> data) throws IasException {
        if (data == null) {
            throw new IasException(ErrorKind.INVALID, "/data", "feed data is required");
        }
        if (applicationName() == null || applicationName().isBlank()) {
            throw new IasException(ErrorKind.UNPROCESSABLE, "/application_name", "the instance has no application");
        }
        JsonNode tree;
        try {
            tree = mapper.valueToTree(data);
        } catch (IllegalArgumentException e) {
            throw new IasException(ErrorKind.INVALID, "/data", "the feed data cannot be written as JSON: "
                    + e.getMessage());
        }
        ObjectNode json = mapper.createObjectNode();
        json.put("instance_id", instanceId());
        json.put("application_name", applicationName());
        json.put("algorithm_name", algorithmName());
        json.put("timestamp", System.currentTimeMillis());
        json.set("data", tree);
        String topic = Topics.appFeed(applicationName());
        if (feedTopicEnsured.compareAndSet(false, true)) {
            try {
                messaging.ensureTopics(List.of(topic));
            } catch (MessagingException | RuntimeException e) {
                feedTopicEnsured.set(false); // the publish below reports the problem
            }
        }
        publish(topic, instanceId(), json, "the feed data");
    }

    @Override
    public void log(String message) {
        String text = message == null ? "null" : message;
        for (String line : text.split("\r?\n", -1)) {
            listener.log("log", line.length() > settings.maxLineLength()
                    ? line.substring(0, settings.maxLineLength()) + " …[line cut]" : line);
        }
    }

    @Override
    public boolean isStopped() {
        return stop.getCount() == 0;
    }

    /**
     * Returns once the instance is asked to stop. The stop also interrupts the instance's thread; that interruption is
     * consumed here (so that the algorithm can still tidy up, e.g. send a last message); any other one is thrown.
     */
    @Override
    public void awaitStop() throws InterruptedException {
        try {
            stop.await();
        } catch (InterruptedException e) {
            if (!isStopped()) {
                throw e;
            }
        }
    }

    /** Asks the instance to stop: {@link #isStopped()} turns true, {@link #awaitStop()} returns, subscriptions close. */
    void markStopped() {
        stop.countDown();
        List<Subscription> open;
        synchronized (lock) {
            stopped = true;
            open = List.copyOf(subscriptions);
            subscriptions.clear();
        }
        for (Subscription s : open) {
            try {
                s.close();
            } catch (RuntimeException e) {
                // closing is best effort; the consumer ends with the messaging service at the latest
            }
        }
    }

    /** Subscriptions open now (for tests). */
    int openSubscriptions() {
        synchronized (lock) {
            return subscriptions.size();
        }
    }

    private void publish(String topic, String key, ObjectNode json, String what) throws IasException {
        CompletionStage<Void> stage;
        try {
            stage = messaging.publish(topic, key, json.toString());
        } catch (RuntimeException e) {
            throw unavailable(what, e);
        }
        try {
            stage.toCompletableFuture().get(settings.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IasException(ErrorKind.UNAVAILABLE, "", what + " was interrupted (the instance is stopping)");
        } catch (ExecutionException e) {
            throw unavailable(what, e.getCause() == null ? e : e.getCause());
        } catch (TimeoutException e) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", what + " was not acknowledged by Kafka within "
                    + settings.publishTimeout().toMillis() + " ms");
        }
    }

    private static IasException unavailable(String what, Throwable cause) {
        return new IasException(ErrorKind.UNAVAILABLE, "", what + " could not be sent: " + cause.getMessage());
    }

    private void problem(String stream, String line) {
        long n = problems.incrementAndGet();
        if (n <= REPORTED_PROBLEMS) {
            listener.log(stream, line + (n == REPORTED_PROBLEMS ? " (further problems of this kind are not logged)" : ""));
        }
    }

    /** A bound sensor of this instance. */
    private final class Handle implements SensorHandle {
        private final BoundSensor binding;

        Handle(BoundSensor binding) {
            this.binding = binding;
        }

        @Override
        public BoundSensor binding() {
            return binding;
        }

        private String dataTopic() {
            return binding.dataTopic() != null ? binding.dataTopic() : Topics.dataTopic(binding.sensorInstanceId());
        }

        private String controlTopic() {
            return binding.controlTopic() != null ? binding.controlTopic()
                    : Topics.controlTopic(binding.sensorInstanceId());
        }

        @Override
        public AutoCloseable subscribe(Consumer<Reading> consumer) throws IasException {
            Objects.requireNonNull(consumer, "consumer");
            synchronized (lock) {
                if (stopped) {
                    throw stopping();
                }
            }
            Subscription subscription;
            try {
                subscription = messaging.follow(List.of(dataTopic()), message -> deliver(message, consumer));
            } catch (RuntimeException e) {
                throw new IasException(ErrorKind.UNAVAILABLE, "/sensors/" + binding.index(),
                        "the readings of sensor " + binding.sensorInstanceId() + " cannot be followed: " + e.getMessage());
            }
            synchronized (lock) {
                if (!stopped) {
                    subscriptions.add(subscription);
                    return () -> {
                        synchronized (lock) {
                            subscriptions.remove(subscription);
                        }
                        subscription.close();
                    };
                }
            }
            subscription.close();
            throw stopping();
        }

        private IasException stopping() {
            return new IasException(ErrorKind.UNAVAILABLE, "/sensors/" + binding.index(), "the instance is stopping");
        }

        private void deliver(Message message, Consumer<Reading> consumer) {
            if (isStopped()) {
                return;
            }
            Reading reading;
            try {
                reading = mapper.readValue(message.value(), Reading.class);
            } catch (IOException | RuntimeException e) {
                problem("log", "[platform] dropped a reading of sensor " + binding.sensorInstanceId()
                        + " that is not a reading: " + e.getMessage());
                return;
            }
            try {
                consumer.accept(reading);
            } catch (RuntimeException e) {
                problem("stderr", "the reading handler of sensor " + binding.sensorInstanceId() + " failed: " + e);
            }
        }

        @Override
        public void control(String function, Map<String, Object> params) throws IasException {
            SensorType type = launch.sensorTypes().get(binding.sensorType());
            if (type == null) {
                throw new IasException(ErrorKind.UNPROCESSABLE, "/sensor_type", "the type \"" + binding.sensorType()
                        + "\" of sensor " + binding.sensorInstanceId() + " is not known to this instance");
            }
            ControlCommand command = new ControlCommand(function, params == null ? Map.of() : params);
            List<ValidationError> errors = type.checkControl(command);
            if (!errors.isEmpty()) {
                throw new IasException(ErrorKind.INVALID, errors);
            }
            ObjectNode json = mapper.createObjectNode();
            json.put("function", function);
            try {
                json.set("params", mapper.valueToTree(command.params()));
            } catch (IllegalArgumentException e) {
                throw new IasException(ErrorKind.INVALID, "/params", "the parameters cannot be written as JSON: "
                        + e.getMessage());
            }
            publish(controlTopic(), binding.sensorInstanceId(), json, "the control command");
        }

        @Override
        public String toString() {
            return "sensor " + binding.index() + " (" + binding.sensorInstanceId() + ")";
        }
    }
}
