package org.iasplatform.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.iasplatform.benchmarks.ReadingsThroughput.BenchmarkFailure;
import org.iasplatform.benchmarks.ReadingsThroughput.Latency;
import org.iasplatform.benchmarks.ReadingsThroughput.Rest;
import org.iasplatform.sample.simulator.SimulatedDevice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Deploy latency and readings into algorithm instances, per runtime, against a running platform:
 * <ol>
 * <li>one simulated {@code bench-light} device, registered as a sensor instance; two apps with the same algorithm
 * {@code counter} — a Python script (process runtime, readings over server-sent events through platform_lib.py) and a
 * Java algorithm bundle (bundle runtime, readings from Kafka through the AlgorithmContext) — that feed {@code {"first":
 * true}} on their first reading and {@code {"count": N}} twice a second;</li>
 * <li><b>deploy latency</b>, R runs per runtime: {@code POST /deployments} → the instance RUNNING in
 * {@code GET /instances/{id}} (polled every 5 ms) → its first-reading message in the app's feed topic (a consumer
 * positioned before the POST); each run is stopped (DELETE, until STOPPED) before the next;</li>
 * <li><b>readings into an instance</b>, per runtime: the device floods; the counts the instance reports over S seconds
 * after a warm-up, beside the records appended to the device's data topic in the same window;</li>
 * <li><b>baseline</b>, same broker, same run: a raw KafkaProducer (acks=all, idempotent) and a KafkaConsumer on
 * {@code bench_e2e}, records of a reading's shape, produce → consume as fast as they go for S seconds.</li>
 * </ol>
 */
public final class DeployLatency {
    static final String TYPE = ReadingsThroughput.TYPE;
    static final String JAVA_APP = "Bench_java";
    static final String PYTHON_APP = "Bench_python";
    static final String RAW_TOPIC = "bench_e2e";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String api;
    private final String kafka;
    private final Path algorithmJar;
    private final int runs;
    private final int seconds;
    private final int warmup;
    private final Rest configurator;
    private final HttpClient http = HttpClient.newHttpClient();

    private DeployLatency(String api, String kafka, Path algorithmJar, int runs, int seconds, int warmup) {
        this.api = api;
        this.kafka = kafka;
        this.algorithmJar = algorithmJar;
        this.runs = runs;
        this.seconds = seconds;
        this.warmup = warmup;
        this.configurator = new Rest(api, "configurator", "configurator");
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        String api = "http://127.0.0.1:8181/ias/api/v1";
        String kafka = "127.0.0.1:29092";
        Path jar = null;
        int runs = 20;
        int seconds = 15;
        int warmup = 3;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--api" -> api = args[i + 1];
                case "--kafka" -> kafka = args[i + 1];
                case "--algorithm-jar" -> jar = Path.of(args[i + 1]);
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                default -> {
                    System.err.println("DeployLatency: unknown option " + args[i]
                            + "; expected --api URL --kafka HOST:PORT --algorithm-jar JAR --runs N --seconds S --warmup W");
                    System.exit(2);
                }
            }
        }
        if (jar == null || !Files.isRegularFile(jar)) {
            System.err.println("DeployLatency: --algorithm-jar must name the built benchmarks algorithm bundle, got " + jar);
            System.exit(2);
        }
        try {
            new DeployLatency(api, kafka, jar, runs, seconds, warmup).run();
        } catch (BenchmarkFailure e) {
            System.err.println("DeployLatency FAILED: " + e.getMessage());
            System.exit(1);
        }
    }

    private record Runtime(String name, String app, String script, String lang) {
    }

    private void run() throws Exception {
        say("== Deploy latency and readings into algorithm instances, per runtime ==");
        say("api %s   kafka %s   %d deploy runs per runtime   throughput window %d s after %d s warm-up", api, kafka, runs,
                seconds, warmup);
        List<Runtime> runtimes = List.of(new Runtime("process (Python, SSE)", PYTHON_APP, "counter.py", "python"),
                new Runtime("bundle (Java, Kafka)", JAVA_APP, "counter.jar", "java"));
        SimulatedDevice device = new SimulatedDevice(TYPE, 0);
        device.setLog(line -> { });
        device.setPeriodMillis(20);
        device.start();
        String sensor = null;
        try (FeedWatch feed = new FeedWatch(kafka, List.of(JAVA_APP, PYTHON_APP))) {
            registerType();
            removeLeftovers();
            sensor = registerInstance(device);
            uploadApps();
            List<String> lines = new ArrayList<>();
            lines.add(String.format(Locale.ROOT, "%-24s %10s %10s %10s   %10s %10s %10s", "deploy latency (ms)", "RUNNING p50",
                    "p95", "max", "1st rdg p50", "p95", "max"));
            for (Runtime runtime : runtimes) {
                Latency running = new Latency();
                Latency first = new Latency();
                for (int i = 0; i < runs; i++) {
                    deployOnce(runtime, feed, running, first);
                }
                lines.add(String.format(Locale.ROOT, "%-24s %10d %10d %10d   %10d %10d %10d", runtime.name, running.quantile(0.5),
                        running.quantile(0.95), running.max(), first.quantile(0.5), first.quantile(0.95), first.max()));
            }
            say("");
            lines.forEach(DeployLatency::say);
            say("");
            say("%-44s %14s %14s", "readings per second (same broker, same run)", "msgs/s", "device -> topic");
            for (Runtime runtime : runtimes) {
                double[] rates = throughput(runtime, device, sensor, feed);
                say("%-44s %14.0f %14.0f", "device -> platform -> instance, " + runtime.name, rates[0], rates[1]);
            }
            say("%-44s %14.0f %14s", "raw KafkaProducer -> KafkaConsumer (baseline)", rawBaseline(), "-");
        } finally {
            device.close();
            Rest developer = new Rest(api, "developer", "developer");
            developer.call("DELETE", "/apps/" + JAVA_APP, null);
            developer.call("DELETE", "/apps/" + PYTHON_APP, null);
            if (sensor != null) {
                configurator.call("DELETE", "/sensor-instances/" + sensor, null).warnUnless(204, "deleting the bench device");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ set-up

    /** Bench devices an earlier run left behind would be bound instead of this run's. */
    private void removeLeftovers() throws Exception {
        for (JsonNode old : configurator.get("/sensor-instances?sensor_type=" + TYPE + "&bench=deploy")) {
            configurator.call("DELETE", "/sensor-instances/" + old.path("id").asText(), null);
        }
    }

    private void registerType() throws Exception {
        ObjectNode type = JSON.createObjectNode();
        type.put("sensor_type_name", TYPE).put("company", "ias-benchmarks");
        type.putObject("sensor_data_structure").put("lux", "int");
        type.putObject("control_functions").put("number_of_functions", 0).putArray("function_details");
        configurator.call("POST", "/sensor-types", type).expect(201, "registering the sensor type " + TYPE);
    }

    private String registerInstance(SimulatedDevice device) throws Exception {
        ObjectNode instance = JSON.createObjectNode();
        instance.put("sensor_type", TYPE).put("ip", "127.0.0.1").put("port", String.valueOf(device.port())).put("bench", "deploy");
        String id = configurator.call("POST", "/sensor-instances", instance).expect(201, "registering the bench device").body()
                .path("registered").get(0).path("id").asText();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!"CONNECTED".equals(configurator.get("/sensor-instances/" + id).path("status").path("state").asText())) {
            if (System.nanoTime() > deadline) {
                throw new BenchmarkFailure("the bench device " + id + " did not connect within 60 s");
            }
            TimeUnit.MILLISECONDS.sleep(50); // polling interval
        }
        return id;
    }

    private void uploadApps() throws Exception {
        byte[] script;
        try (InputStream in = DeployLatency.class.getResourceAsStream("counter.py")) {
            script = in.readAllBytes();
        }
        upload(zip(Map.of("appConfig.json", appConfig(PYTHON_APP, "counter.py"), "counter.py", script)));
        upload(zip(Map.of("appConfig.json", appConfig(JAVA_APP, "counter.jar"), "counter.jar", Files.readAllBytes(algorithmJar))));
    }

    private void upload(byte[] zip) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(api + "/apps")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("developer:developer".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/zip").POST(HttpRequest.BodyPublishers.ofByteArray(zip)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new BenchmarkFailure("uploading a bench app answered HTTP " + response.statusCode() + ": " + response.body());
        }
    }

    private static byte[] appConfig(String app, String script) {
        return ("{\"application_name\":\"" + app + "\",\"application_id\":\"" + app.toLowerCase(Locale.ROOT) + "\","
                + "\"algorithm_list\":[{\"algorithm_name\":\"counter\",\"script\":{\"name\":\"" + script + "\"},"
                + "\"input_sensors\":[{\"sensor_type\":\"" + TYPE + "\"}]}]}").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------------------------------------- measures

    private JsonNode deploy(Runtime runtime) throws Exception {
        String config = "{\"noOfAlgo\":1,\"1\":{\"application_name\":\"" + runtime.app + "\",\"algorithm_name\":\"counter\","
                + "\"script_name\":[\"" + runtime.script + "\"],"
                + "\"sensor_info\":[{\"sensor_type\":\"" + TYPE + "\",\"filter_sensors\":[{\"bench\":\"deploy\"}]}],"
                + "\"scheduling_info\":{\"request_type\":\"start\",\"start_time\":\"\",\"end_time\":\"\",\"days\":\"\","
                + "\"interval\":\"\",\"repeat\":\"no\"},\"environment\":{\"lang\":\"" + runtime.lang + "\"}}}";
        return configurator.call("POST", "/deployments", JSON.readTree(config)).expect(202, "deploying " + runtime.app).body()
                .path("deployments").get(0);
    }

    private void deployOnce(Runtime runtime, FeedWatch feed, Latency running, Latency first) throws Exception {
        long t0 = System.nanoTime();
        JsonNode deployed = deploy(runtime);
        String instance = deployed.path("instance_id").asText();
        awaitState(instance, "RUNNING");
        running.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        long firstAt = feed.awaitFirst(instance, Duration.ofSeconds(60));
        first.add(TimeUnit.NANOSECONDS.toMillis(firstAt - t0));
        configurator.call("DELETE", "/deployments/" + deployed.path("job_id").asText(), null);
        awaitState(instance, "STOPPED");
    }

    /** {instance msgs/s, data topic msgs/s} while the device floods. */
    private double[] throughput(Runtime runtime, SimulatedDevice device, String sensor, FeedWatch feed) throws Exception {
        JsonNode deployed = deploy(runtime);
        String instance = deployed.path("instance_id").asText();
        awaitState(instance, "RUNNING");
        feed.awaitFirst(instance, Duration.ofSeconds(60));
        try (KafkaConsumer<String, String> data = consumer(kafka)) {
            List<TopicPartition> partitions = data.partitionsFor("sensor_data_" + sensor).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            device.setFlood(true);
            TimeUnit.SECONDS.sleep(warmup); // the warm-up is a duration of the measurement, not synchronisation
            long[] c0 = feed.count(instance);
            long a0 = data.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
            long t0 = System.nanoTime();
            TimeUnit.SECONDS.sleep(seconds); // the measured window
            long[] c1 = feed.count(instance);
            long a1 = data.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
            double window = (System.nanoTime() - t0) / 1e9;
            device.setFlood(false);
            double instanceRate = c1[1] > c0[1] ? (c1[0] - c0[0]) * 1000.0 / (c1[1] - c0[1]) : 0;
            return new double[] {instanceRate, (a1 - a0) / window};
        } finally {
            device.setFlood(false);
            configurator.call("DELETE", "/deployments/" + deployed.path("job_id").asText(), null);
            awaitState(instance, "STOPPED");
        }
    }

    private double rawBaseline() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            try {
                admin.createTopics(List.of(new NewTopic(RAW_TOPIC, 3, (short) 1))).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        LongAdder consumed = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
                KafkaConsumer<String, String> consumer = consumer(kafka)) {
            List<TopicPartition> partitions = consumer.partitionsFor(RAW_TOPIC).stream()
                    .map(x -> new TopicPartition(x.topic(), x.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            Thread sender = new Thread(() -> {
                long n = 0;
                while (!stop.get()) {
                    String value = "{\"sensor_instance_id\":\"si-bench\",\"timestamp\":" + System.currentTimeMillis()
                            + ",\"data\":{\"lux\":" + (n++ % 1000) + "}}";
                    producer.send(new ProducerRecord<>(RAW_TOPIC, "si-bench", value));
                }
            }, "bench-raw-producer");
            sender.start();
            long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
            while (System.nanoTime() < warmupEnd) {
                consumer.poll(Duration.ofMillis(100));
            }
            long t0 = System.nanoTime();
            long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                consumed.add(consumer.poll(Duration.ofMillis(100)).count());
            }
            double rate = consumed.sum() / ((System.nanoTime() - t0) / 1e9);
            stop.set(true);
            sender.join();
            return rate;
        } finally {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
                admin.deleteTopics(List.of(RAW_TOPIC)).all().get();
            }
        }
    }

    private void awaitState(String instance, String state) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            JsonNode node = configurator.call("GET", "/instances/" + instance, null).body();
            String now = node.path("state").asText();
            if (state.equals(now)) {
                return;
            }
            if ("FAILED".equals(now)) {
                throw new BenchmarkFailure("instance " + instance + " FAILED: " + node);
            }
            if (System.nanoTime() > deadline) {
                throw new BenchmarkFailure("instance " + instance + " not " + state + " within 120 s: " + node);
            }
            TimeUnit.MILLISECONDS.sleep(5); // polling interval: the latency resolution
        }
    }

    private static KafkaConsumer<String, String> consumer(String kafka) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        return new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
    }

    /** Follows the bench apps' feed topics from their end: first-reading times and latest counts per instance. */
    private static final class FeedWatch implements AutoCloseable {
        private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
        private final Map<String, long[]> counts = new ConcurrentHashMap<>();
        private final AtomicBoolean closed = new AtomicBoolean();
        private final Thread thread;

        FeedWatch(String kafka, List<String> apps) throws Exception {
            List<String> topics = apps.stream().map(a -> "app_feed_" + a).toList();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
                Set<String> existing = admin.listTopics().names().get();
                List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t)).map(t -> new NewTopic(t,
                        java.util.Optional.empty(), java.util.Optional.empty())).toList();
                try {
                    admin.createTopics(missing).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            KafkaConsumer<String, String> consumer = consumer(kafka);
            List<TopicPartition> partitions = new ArrayList<>();
            topics.forEach(t -> consumer.partitionsFor(t).forEach(p -> partitions.add(new TopicPartition(t, p.partition()))));
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            thread = new Thread(() -> {
                try (consumer) {
                    while (!closed.get()) {
                        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(50))) {
                            take(r.value());
                        }
                    }
                }
            }, "bench-feed");
            thread.start();
        }

        private void take(String value) {
            try {
                JsonNode m = JSON.readTree(value);
                String instance = m.path("instance_id").asText();
                JsonNode data = m.path("data");
                if (data.path("first").asBoolean()) {
                    firstSeen.putIfAbsent(instance, System.nanoTime());
                }
                if (data.has("count")) {
                    counts.put(instance, new long[] {data.path("count").asLong(), data.path("at").asLong()});
                }
            } catch (IOException e) {
                // not a feed message
            }
        }

        long awaitFirst(String instance, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!firstSeen.containsKey(instance)) {
                if (System.nanoTime() > deadline) {
                    throw new BenchmarkFailure("no first-reading message from " + instance + " within " + timeout.toSeconds() + " s");
                }
                TimeUnit.MILLISECONDS.sleep(2); // polling interval
            }
            return firstSeen.get(instance);
        }

        /** {count, at} of the instance's latest report. */
        long[] count(String instance) {
            return counts.getOrDefault(instance, new long[] {0, 0}).clone();
        }

        @Override
        public void close() throws InterruptedException {
            closed.set(true);
            thread.join();
        }
    }

    private static void say(String format, Object... args) {
        System.out.println(args.length == 0 ? format : String.format(Locale.ROOT, format, args));
    }
}
