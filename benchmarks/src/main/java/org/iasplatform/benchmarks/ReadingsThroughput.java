package org.iasplatform.benchmarks;

import java.io.IOException;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.iasplatform.sample.simulator.SimulatedDevice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Readings per second from simulated devices through the platform's built-in JSON-lines driver into Kafka, side by side
 * with a raw {@link KafkaProducer} writing records of the same shape into the same broker in the same run.
 * <p>
 * Runs against an already running platform (see {@code benchmarks/run} and BENCHMARKS.md):
 * <ol>
 * <li>registers a sensor type {@code bench-light} {lux: int} and N instances, one per {@link SimulatedDevice}, through
 * the REST API, and waits until the driver has connected to each;</li>
 * <li>platform path: the devices flood readings; during S seconds after a warm-up, the records appended to the N data
 * topics (their end offsets) are counted, and a consumer assigned to every partition, positioned at the end, counts what
 * it receives and how old it is; the drivers' own counters and the devices' are read before and after;</li>
 * <li>baseline: a KafkaProducer with the platform producer's settings sends records of the same shape to
 * {@code bench_raw} as fast as it can for S seconds; acknowledged sends are counted;</li>
 * <li>cleans up (instances, type, devices, {@code bench_raw}) and prints a table.</li>
 * </ol>
 * Not a test: it asserts nothing beyond the platform answering as documented.
 */
public final class ReadingsThroughput {
    static final String TYPE = "bench-light";
    static final String RAW_TOPIC = "bench_raw";
    static final int RAW_PARTITIONS = 3;
    /** Devices tick this rarely until the flood starts: nothing is sent before the counters are read. */
    static final long IDLE_PERIOD_MS = 3_600_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Options options;
    private final Rest rest;
    private final CpuWatch cpu;

    private ReadingsThroughput(Options options) {
        this.options = options;
        this.rest = new Rest(options.api, "configurator", "configurator");
        this.cpu = new CpuWatch(options.watch);
    }

    public static void main(String[] args) throws Exception {
        // before any Kafka class logs: only the client's warnings and errors
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ReadingsThroughput: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.println(Options.USAGE);
            return;
        }
        try {
            new ReadingsThroughput(options).run();
        } catch (BenchmarkFailure e) {
            System.err.println("ReadingsThroughput FAILED: " + e.getMessage());
            System.exit(1);
        }
    }

    // ------------------------------------------------------------------------------------------------------ the run

    private void run() throws Exception {
        say("== Readings throughput: %d simulated devices -> built-in JSON-lines driver -> Kafka, vs a raw KafkaProducer ==",
                options.devices);
        say("api %s   kafka %s   window %d s after a %d s warm-up", options.api, options.kafka, options.seconds,
                options.warmup);
        JsonNode health = rest.get("/health");
        if (!"UP".equals(health.path("status").asText())) {
            throw new BenchmarkFailure("the platform is not healthy: " + health);
        }
        removeLeftovers();

        List<SimulatedDevice> devices = new ArrayList<>();
        List<Registered> instances = new ArrayList<>();
        boolean typeRegistered = false;
        PlatformResult platform;
        BaselineResult baseline;
        try {
            for (int i = 0; i < options.devices; i++) {
                SimulatedDevice device = new SimulatedDevice(TYPE, 0);
                device.setLog(line -> { });
                device.setPeriodMillis(IDLE_PERIOD_MS); // silent until the flood starts
                devices.add(device.start());
            }
            registerType();
            typeRegistered = true;
            instances.addAll(registerInstances(devices));
            awaitConnected(instances);
            platform = platformPath(devices, instances);
            baseline = baseline(instances);
        } finally {
            cleanUp(devices, instances, typeRegistered);
        }
        report(platform, baseline);
    }

    /** An earlier run that did not finish may have left its type and instances behind. */
    private void removeLeftovers() throws Exception {
        Rest.Answer type = rest.call("GET", "/sensor-types/" + TYPE, null);
        if (type.status() == 404) {
            return;
        }
        JsonNode leftovers = rest.get("/sensor-instances?sensor_type=" + TYPE);
        for (JsonNode instance : leftovers) {
            rest.call("DELETE", "/sensor-instances/" + instance.path("id").asText(), null);
        }
        Rest.Answer deleted = rest.call("DELETE", "/sensor-types/" + TYPE, null);
        say("(removed what an earlier run left behind: %d instance(s) and the type %s -> HTTP %d)", leftovers.size(), TYPE,
                deleted.status());
    }

    private void registerType() throws Exception {
        ObjectNode type = JSON.createObjectNode();
        type.put("sensor_type_name", TYPE).put("company", "ias-benchmarks");
        type.putObject("sensor_data_structure").put("lux", "int");
        type.putObject("control_functions").put("number_of_functions", 0).putArray("function_details");
        Rest.Answer answer = rest.call("POST", "/sensor-types", type);
        answer.expect(201, "registering the sensor type " + TYPE);
    }

    private List<Registered> registerInstances(List<SimulatedDevice> devices) throws Exception {
        ObjectNode document = JSON.createObjectNode();
        ArrayNode list = document.putArray("sensor_instance_list");
        for (SimulatedDevice device : devices) {
            list.addObject().put("sensor_type", TYPE).put("ip", "127.0.0.1").put("port", String.valueOf(device.port()))
                    .put("no_of_fields", 1).put("bench", "1");
        }
        Rest.Answer answer = rest.call("POST", "/sensor-instances", document);
        answer.expect(201, "registering " + devices.size() + " sensor instances");
        List<Registered> registered = new ArrayList<>();
        for (JsonNode node : answer.body().path("registered")) {
            registered.add(new Registered(node.path("id").asText(), node.path("data_topic").asText()));
        }
        if (registered.size() != devices.size() || registered.stream().anyMatch(r -> r.id.isEmpty() || r.dataTopic.isEmpty())) {
            throw new BenchmarkFailure("registering " + devices.size() + " sensor instances answered " + answer.body()
                    + "; expected one {id, data_topic} per instance");
        }
        return registered;
    }

    private void awaitConnected(List<Registered> instances) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (Registered instance : instances) {
            String state = "";
            while (true) {
                JsonNode node = rest.get("/sensor-instances/" + instance.id);
                state = node.path("status").path("state").asText("");
                if ("CONNECTED".equals(state)) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new BenchmarkFailure("sensor instance " + instance.id + " is not CONNECTED within 60 s: " + node);
                }
                Thread.sleep(200);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ the platform path

    private PlatformResult platformPath(List<SimulatedDevice> devices, List<Registered> instances) throws Exception {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.kafka);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "ias-bench-counter");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = partitionsOf(consumer, instances);
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            Map<TopicPartition, Long> startOffsets = new HashMap<>();
            for (TopicPartition partition : partitions) {
                startOffsets.put(partition, consumer.position(partition)); // resolves the seek now
            }
            Counters before0 = driverCounters(instances);

            for (SimulatedDevice device : devices) {
                device.setFlood(true);
            }
            long floodStart = System.nanoTime();
            pollFor(consumer, floodStart + TimeUnit.SECONDS.toNanos(options.warmup), null);

            Counters before = driverCounters(instances);
            long sentBefore = sent(devices);
            CpuWatch.Snapshot cpuBefore = cpu.snapshot();
            long windowStart = System.nanoTime();
            long appendedBefore = appended(consumer, partitions, startOffsets);
            Window window = new Window();
            pollFor(consumer, windowStart + TimeUnit.SECONDS.toNanos(options.seconds), window);
            long appendedAfter = appended(consumer, partitions, startOffsets);
            long windowEnd = System.nanoTime();
            CpuWatch.Snapshot cpuAfter = cpu.snapshot();
            long sentAfter = sent(devices);
            Counters after = driverCounters(instances);

            // Stop the flood. A device counts a reading once it is in its 64 KB send buffer, which it flushes every 256
            // lines, or when its queue is empty outside flood mode; a tick or two makes it flush what it still holds
            // (possibly after the driver has worked off the kernel's socket buffers). Then wait for the drivers to
            // catch up before closing the devices, so that closing loses nothing that was counted as sent.
            for (SimulatedDevice device : devices) {
                device.setFlood(false);
                device.setPeriodMillis(100);
            }
            Thread.sleep(350);
            for (SimulatedDevice device : devices) {
                device.setPeriodMillis(IDLE_PERIOD_MS);
            }
            awaitCaughtUp(devices, instances, before0);
            for (SimulatedDevice device : devices) {
                device.close();
            }
            long sentTotal = sent(devices);
            Counters drained = awaitDrained(instances);
            long topicTotal = awaitTopic(consumer, partitions, startOffsets, drained.readings - before0.readings);

            double seconds = (windowEnd - windowStart) / 1e9;
            return new PlatformResult(appendedAfter - appendedBefore, window.records, seconds, window.bytes, window.latency,
                    sentAfter - sentBefore,
                    after.readings - before.readings, after.invalid - before.invalid, (after.at - before.at) / 1e9,
                    sentTotal, drained.readings - before0.readings, drained.invalid - before0.invalid, topicTotal,
                    cpu.usage(cpuBefore, cpuAfter), drained.states);
        }
    }

    private List<TopicPartition> partitionsOf(KafkaConsumer<?, ?> consumer, List<Registered> instances) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Registered instance : instances) {
            List<PartitionInfo> infos;
            while ((infos = consumer.partitionsFor(instance.dataTopic, Duration.ofSeconds(5))) == null || infos.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new BenchmarkFailure("the data topic " + instance.dataTopic + " does not exist in Kafka "
                            + options.kafka + " 30 s after the registration");
                }
                Thread.sleep(250);
            }
            infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
        }
        return partitions;
    }

    /** Polls until {@code until}; counts what arrives into {@code window} unless null (warm-up). */
    private static void pollFor(KafkaConsumer<byte[], byte[]> consumer, long until, Window window) {
        long left;
        while ((left = until - System.nanoTime()) > 0) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofNanos(Math.min(left, 100_000_000L)));
            if (window == null || records.isEmpty()) {
                continue;
            }
            long now = System.currentTimeMillis();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                window.records++;
                window.bytes += record.value() == null ? 0 : record.value().length;
                window.latency.add(now - record.timestamp());
            }
        }
    }

    private Counters driverCounters(List<Registered> instances) throws Exception {
        long readings = 0;
        long invalid = 0;
        List<String> states = new ArrayList<>();
        for (Registered instance : instances) {
            JsonNode status = rest.get("/sensor-instances/" + instance.id).path("status");
            readings += status.path("readings").asLong();
            invalid += status.path("invalid").asLong();
            states.add(status.path("state").asText("?"));
        }
        return new Counters(readings, invalid, System.nanoTime(), states);
    }

    /** Waits until the drivers have counted every reading the devices sent, or their counters stop moving (60 s at most). */
    private void awaitCaughtUp(List<SimulatedDevice> devices, List<Registered> instances, Counters start) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long last = -1;
        int stable = 0;
        while (System.nanoTime() < deadline && stable < 3) {
            Counters now = driverCounters(instances);
            long seen = now.readings - start.readings + now.invalid - start.invalid;
            if (seen >= sent(devices)) {
                return;
            }
            stable = seen == last ? stable + 1 : 0;
            last = seen;
            Thread.sleep(500);
        }
    }

    /** After the devices closed: waits until the drivers' counters stop moving (at most 30 s). */
    private Counters awaitDrained(List<Registered> instances) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Counters last = driverCounters(instances);
        int stable = 0;
        while (stable < 2 && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            Counters now = driverCounters(instances);
            stable = now.readings == last.readings && now.invalid == last.invalid ? stable + 1 : 0;
            last = now;
        }
        return last;
    }

    /** The records appended to the partitions since {@code start}: their end offsets now (the broker's count). */
    private static long appended(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions,
            Map<TopicPartition, Long> start) {
        long total = 0;
        for (Map.Entry<TopicPartition, Long> end : consumer.endOffsets(partitions, Duration.ofSeconds(10)).entrySet()) {
            total += end.getValue() - start.get(end.getKey());
        }
        return total;
    }

    /** The records added to the data topics since {@code start}, once they reach {@code expected} (at most 15 s). */
    private static long awaitTopic(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions,
            Map<TopicPartition, Long> start, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        long total;
        do {
            total = appended(consumer, partitions, start);
            if (total >= expected) {
                break;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        return total;
    }

    private static long sent(List<SimulatedDevice> devices) {
        return devices.stream().mapToLong(SimulatedDevice::readingsSent).sum();
    }

    // ------------------------------------------------------------------------------------------------- the baseline

    private BaselineResult baseline(List<Registered> instances) throws Exception {
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.kafka);
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "ias-bench-admin");
        try (Admin admin = Admin.create(adminProps)) {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            if (!topics.contains(RAW_TOPIC)) {
                try {
                    admin.createTopics(List.of(new NewTopic(RAW_TOPIC, RAW_PARTITIONS, (short) 1))).all().get(30,
                            TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }

        // the platform's producer settings (KafkaMessaging.producer()): acks=all, idempotent, linger 5 ms, String serializers
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.kafka);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "ias-bench-raw-producer");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_005);
        List<String> ids = instances.stream().map(r -> r.id).toList();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            RawSender warmup = new RawSender(producer, ids);
            warmup.sendFor(TimeUnit.SECONDS.toNanos(options.warmup));
            producer.flush();

            RawSender measured = new RawSender(producer, ids);
            CpuWatch.Snapshot cpuBefore = cpu.snapshot();
            long start = System.nanoTime();
            measured.sendFor(TimeUnit.SECONDS.toNanos(options.seconds));
            producer.flush(); // what was sent in the window counts once acknowledged, and the wait for it counts too
            long end = System.nanoTime();
            CpuWatch.Snapshot cpuAfter = cpu.snapshot();
            if (measured.failed.sum() > 0) {
                say("baseline: %d sends failed, first: %s", measured.failed.sum(), measured.firstError.get());
            }
            return new BaselineResult(measured.acked.sum(), (end - start) / 1e9, measured.sent, measured.bytes,
                    measured.failed.sum(), cpu.usage(cpuBefore, cpuAfter));
        }
    }

    /** Sends platform-shaped readings as fast as the producer takes them. */
    private static final class RawSender {
        final KafkaProducer<String, String> producer;
        final List<String> ids;
        final LongAdder acked = new LongAdder();
        final LongAdder failed = new LongAdder();
        final AtomicReference<String> firstError = new AtomicReference<>();
        long sent;
        long bytes;

        RawSender(KafkaProducer<String, String> producer, List<String> ids) {
            this.producer = producer;
            this.ids = ids;
        }

        void sendFor(long nanos) throws IOException {
            long until = System.nanoTime() + nanos;
            int lux = 150;
            while (System.nanoTime() < until) {
                String id = ids.get((int) (sent % ids.size()));
                lux = lux <= 5 ? 150 : lux - 1;
                // the shape and size of a platform reading: {"sensor_instance_id", "timestamp", "data": {"lux"}}
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("lux", lux);
                Map<String, Object> reading = new LinkedHashMap<>();
                reading.put("sensor_instance_id", id);
                reading.put("timestamp", System.currentTimeMillis());
                reading.put("data", data);
                String json = JSON.writeValueAsString(reading);
                producer.send(new ProducerRecord<>(RAW_TOPIC, id, json), (metadata, exception) -> {
                    if (exception == null) {
                        acked.increment();
                    } else {
                        failed.increment();
                        firstError.compareAndSet(null, exception.toString());
                    }
                });
                sent++;
                bytes += json.length();
            }
        }
    }

    // -------------------------------------------------------------------------------------------------- clean up

    private void cleanUp(List<SimulatedDevice> devices, List<Registered> instances, boolean typeRegistered) {
        for (Registered instance : instances) {
            try {
                rest.call("DELETE", "/sensor-instances/" + instance.id, null).warnUnless(204,
                        "deleting sensor instance " + instance.id);
            } catch (Exception e) {
                say("clean-up: deleting sensor instance %s failed: %s", instance.id, e);
            }
        }
        if (typeRegistered) {
            try {
                rest.call("DELETE", "/sensor-types/" + TYPE, null).warnUnless(204, "deleting sensor type " + TYPE);
            } catch (Exception e) {
                say("clean-up: deleting sensor type %s failed: %s", TYPE, e);
            }
        }
        devices.forEach(SimulatedDevice::close);
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.kafka);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "ias-bench-admin");
        try (Admin admin = Admin.create(props)) {
            if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(RAW_TOPIC)) {
                admin.deleteTopics(List.of(RAW_TOPIC)).all().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            say("clean-up: deleting topic %s failed: %s", RAW_TOPIC, e);
        }
    }

    // ---------------------------------------------------------------------------------------------------- report

    private void report(PlatformResult p, BaselineResult b) {
        double baseRate = b.messages / b.seconds;
        double platformRate = p.appended / p.seconds;
        say("");
        say("%-42s | %10s | %7s | %9s | %s", "path", "messages", "seconds", "msgs/s", "ratio to baseline");
        say("%s", "-".repeat(42) + "-+-" + "-".repeat(10) + "-+-" + "-".repeat(7) + "-+-" + "-".repeat(9) + "-+-" + "-".repeat(17));
        say("%-42s | %10d | %7.2f | %9.0f | %.3f", "platform: devices -> driver -> Kafka", p.appended, p.seconds,
                platformRate, platformRate / baseRate);
        say("%-42s | %10d | %7.2f | %9.0f | %.3f", "baseline: raw KafkaProducer -> Kafka", b.messages, b.seconds, baseRate,
                1.0);
        say("(platform: records appended to the %d data topics in the window, from their end offsets; baseline: sends"
                + " acknowledged in the window, the final flush included)", options.devices);
        say("");
        say("platform path, same %.1f s window (%d device(s), one data topic each):", p.seconds, options.devices);
        say("  devices sent              %10d  (%.0f/s)", p.windowSent, p.windowSent / p.seconds);
        say("  driver published (acked)  %10d  (%.0f/s, over %.1f s between the status reads), rejected as invalid: %d",
                p.windowReadings, p.windowReadings / p.statusSeconds, p.statusSeconds, p.windowInvalid);
        say("  appended to the topics    %10d  (%.0f/s)", p.appended, platformRate);
        say("  consumed by the benchmark %10d  (%.0f/s)%s, value %.1f bytes avg", p.records, p.records / p.seconds,
                p.records < p.appended * 0.95 ? " -- the benchmark's consumer fell behind" : "",
                p.records == 0 ? 0.0 : (double) p.bytes / p.records);
        say("  reading age when consumed (now - record timestamp): p50 %d ms, p99 %d ms, max %d ms", p.latency.quantile(0.5),
                p.latency.quantile(0.99), p.latency.max());
        long unaccounted = p.totalSent - p.totalReadings - p.totalInvalid;
        say("platform path, whole flood (warm-up + window + drain):");
        say("  devices sent %d = driver published %d + invalid %d + unaccounted %d; topic records %d%s", p.totalSent,
                p.totalReadings, p.totalInvalid, unaccounted, p.topicTotal,
                p.topicTotal == p.totalReadings && unaccounted == 0 ? " (all add up)" : "  <-- counts differ");
        say("  instance states after the devices closed: %s", p.statesAfter);
        say("baseline: sent %d in the window, %d acknowledged, %d failed; value %.1f bytes avg; topic %s (%d partitions)",
                b.sent, b.messages, b.failed, b.sent == 0 ? 0.0 : (double) b.bytes / b.sent, RAW_TOPIC, RAW_PARTITIONS);
        if (!cpu.names().isEmpty()) {
            say("");
            say("CPU during the window (CPU seconds per wall second; %d cores = %d.00):", cpu.cores(), cpu.cores());
            say("  %-24s %10s %10s", "", "platform", "baseline");
            for (String name : cpu.names()) {
                say("  %-24s %10.2f %10.2f", name, p.cpu.getOrDefault(name, Double.NaN), b.cpu.getOrDefault(name, Double.NaN));
            }
            say("  (platform window: the benchmark JVM runs the simulated devices and the counting consumer)");
            String broker = cpu.names().stream().filter(n -> n.toLowerCase(Locale.ROOT).startsWith("embedded")).findFirst()
                    .orElse(null);
            if (p.cpu.containsKey("karaf") && p.appended > 0 && b.messages > 0) {
                say("CPU per message (microseconds of CPU time): producing side %.2f (karaf) vs %.2f (raw producer's JVM)%s",
                        p.cpu.get("karaf") * p.seconds / p.appended * 1e6,
                        b.cpu.getOrDefault("benchmark JVM", Double.NaN) * b.seconds / b.messages * 1e6,
                        broker == null || !p.cpu.containsKey(broker) ? "" : String.format(Locale.ROOT,
                                "; broker side %.2f vs %.2f (%s)", p.cpu.get(broker) * p.seconds / p.appended * 1e6,
                                b.cpu.getOrDefault(broker, Double.NaN) * b.seconds / b.messages * 1e6, broker));
            }
        }
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }

    // ------------------------------------------------------------------------------------------------- the parts

    private record Registered(String id, String dataTopic) {
    }

    private record Counters(long readings, long invalid, long at, List<String> states) {
    }

    private record PlatformResult(long appended, long records, double seconds, long bytes, Latency latency, long windowSent,
            long windowReadings, long windowInvalid, double statusSeconds, long totalSent, long totalReadings,
            long totalInvalid, long topicTotal, Map<String, Double> cpu, List<String> statesAfter) {
    }

    private record BaselineResult(long messages, double seconds, long sent, long bytes, long failed,
            Map<String, Double> cpu) {
    }

    private static final class Window {
        long records;
        long bytes;
        final Latency latency = new Latency();
    }

    /** A histogram of milliseconds (1 ms buckets up to a minute). */
    static final class Latency {
        private final long[] buckets = new long[60_001];
        private long count;
        private long max;

        void add(long millis) {
            long m = Math.max(0, millis);
            buckets[(int) Math.min(m, buckets.length - 1)]++;
            count++;
            max = Math.max(max, m);
        }

        long quantile(double q) {
            if (count == 0) {
                return 0;
            }
            long rank = (long) Math.ceil(q * count);
            long seen = 0;
            for (int i = 0; i < buckets.length; i++) {
                seen += buckets[i];
                if (seen >= rank) {
                    return i;
                }
            }
            return max;
        }

        long max() {
            return max;
        }
    }

    /** CPU time of some processes (from /proc/PID/stat) and of the whole machine (/proc/stat). */
    static final class CpuWatch {
        private static final double TICKS_PER_SECOND = 100.0; // USER_HZ, 100 on Linux
        private final Map<String, Long> pids = new LinkedHashMap<>();

        CpuWatch(Map<String, Long> watched) {
            pids.putAll(watched);
            pids.put("benchmark JVM", ProcessHandle.current().pid());
        }

        List<String> names() {
            List<String> names = new ArrayList<>(pids.keySet());
            names.add("machine (all processes)");
            return names;
        }

        int cores() {
            return Runtime.getRuntime().availableProcessors();
        }

        record Snapshot(long nanos, Map<String, Long> ticks) {
        }

        Snapshot snapshot() {
            Map<String, Long> ticks = new LinkedHashMap<>();
            pids.forEach((name, pid) -> {
                long t = processTicks(pid);
                if (t >= 0) {
                    ticks.put(name, t);
                }
            });
            long busy = machineBusyTicks();
            if (busy >= 0) {
                ticks.put("machine (all processes)", busy);
            }
            return new Snapshot(System.nanoTime(), ticks);
        }

        Map<String, Double> usage(Snapshot before, Snapshot after) {
            double wall = (after.nanos - before.nanos) / 1e9;
            Map<String, Double> usage = new LinkedHashMap<>();
            after.ticks.forEach((name, t) -> {
                Long b = before.ticks.get(name);
                if (b != null && wall > 0) {
                    usage.put(name, (t - b) / TICKS_PER_SECOND / wall);
                }
            });
            return usage;
        }

        /** utime + stime of a process, -1 if unreadable. */
        static long processTicks(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
                // after "pid (comm) ": state is field 3, utime field 14, stime field 15
                return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        /** Non-idle ticks of all CPUs, -1 if unreadable. */
        private static long machineBusyTicks() {
            try {
                String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
                String[] f = cpu.trim().split("\\s+");
                long busy = 0;
                for (int i = 1; i < f.length && i <= 8; i++) {
                    if (i != 4 && i != 5) { // idle, iowait
                        busy += Long.parseLong(f[i]);
                    }
                }
                return busy;
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
    }

    /** The REST API with HTTP Basic. */
    static final class Rest {
        private final String base;
        private final String authorization;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        Rest(String base, String user, String password) {
            this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
            this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8));
        }

        record Answer(String method, String path, int status, JsonNode body, String text) {
            Answer expect(int expected, String what) {
                if (status != expected) {
                    throw new BenchmarkFailure(what + ": " + method + " " + path + " answered HTTP " + status
                            + " (expected " + expected + "): " + text);
                }
                return this;
            }

            void warnUnless(int expected, String what) {
                if (status != expected) {
                    say("clean-up: %s: %s %s answered HTTP %d (expected %d): %s", what, method, path, status, expected, text);
                }
            }
        }

        JsonNode get(String path) throws IOException, InterruptedException {
            return call("GET", path, null).expect(200, "reading " + path).body();
        }

        Answer call(String method, String path, JsonNode body) throws IOException, InterruptedException {
            return body == null ? send(method, path, null, null)
                    : send(method, path, "application/json", JSON.writeValueAsBytes(body));
        }

        /** A call with a body of any type (e.g. an app.zip as application/zip); no body when {@code body} is null. */
        Answer send(String method, String path, String contentType, byte[] body) throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                    .header("Authorization", authorization).header("Accept", "application/json");
            if (body != null) {
                request.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new BenchmarkFailure(method + " " + base + path + " failed: " + e
                        + " (is the platform running? ./ias start)");
            }
            JsonNode json;
            try {
                json = response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
            } catch (IOException e) {
                json = JSON.nullNode();
            }
            return new Answer(method, path, response.statusCode(), json, response.body());
        }
    }

    static final class BenchmarkFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BenchmarkFailure(String message) {
            super(message);
        }
    }

    /** The command line. */
    static final class Options {
        static final String USAGE = """
                usage: java -cp 'ias-benchmarks.jar:lib/*' org.iasplatform.benchmarks.ReadingsThroughput [options]
                  --api URL        the platform's REST API (default http://127.0.0.1:8181/ias/api/v1)
                  --kafka HOSTS    its Kafka bootstrap servers (default 127.0.0.1:29092)
                  --devices N      simulated devices, one sensor instance each (default 4)
                  --seconds S      length of each measured window (default 20)
                  --warmup W       seconds before each window that are not counted (default 3)
                  --watch N=PID,.. processes whose CPU time to report besides this JVM (e.g. karaf=1234)""";

        String api = "http://127.0.0.1:8181/ias/api/v1";
        String kafka = "127.0.0.1:29092";
        int devices = 4;
        int seconds = 20;
        int warmup = 3;
        Map<String, Long> watch = new LinkedHashMap<>();

        /** The options, or null when help was asked for. */
        static Options parse(String[] args) {
            Options o = new Options();
            boolean given = eachOption(args, (arg, value) -> {
                switch (arg) {
                    case "--api" -> o.api = value;
                    case "--kafka" -> o.kafka = value;
                    case "--devices" -> o.devices = positive(arg, value);
                    case "--seconds" -> o.seconds = positive(arg, value);
                    case "--warmup" -> o.warmup = positive(arg, value);
                    case "--watch" -> {
                        for (String pair : value.split(",")) {
                            String[] nv = pair.split("=", 2);
                            if (nv.length != 2 || nv[0].isBlank()) {
                                throw new IllegalArgumentException("--watch expects NAME=PID,..., got '" + value + "'");
                            }
                            o.watch.put(nv[0].trim(), (long) positive("--watch", nv[1].trim()));
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            });
            return given ? o : null;
        }

        /**
         * Hands each {@code --name value} pair of a command line to {@code option}, in order; false (and nothing handed)
         * when help was asked for.
         */
        static boolean eachOption(String[] args, java.util.function.BiConsumer<String, String> option) {
            if (List.of(args).contains("-h") || List.of(args).contains("--help")) {
                return false;
            }
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + args[i]);
                }
                option.accept(args[i], args[i + 1]);
            }
            return true;
        }

        static int positive(String name, String value) {
            try {
                int n = Integer.parseInt(value.trim());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // answered below
            }
            throw new IllegalArgumentException(name + " expects a positive integer, got '" + value + "'");
        }
    }
}
