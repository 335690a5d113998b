package org.iasplatform.benchmarks;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.iasplatform.benchmarks.ReadingsThroughput.BenchmarkFailure;
import org.iasplatform.benchmarks.ReadingsThroughput.CpuWatch;
import org.iasplatform.benchmarks.ReadingsThroughput.Rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Failover time and the node distribution's idle memory, on this machine, with the distributions as separate processes
 * on loopback (as {@code MultiNodeIT} runs them):
 * <ol>
 * <li>the platform distribution (embedded Kafka and store, its local node), N node distributions joined to it, and a
 * stock Apache Karaf as a baseline, each a Karaf of its own started with {@code bin/start};</li>
 * <li><b>idle RSS</b>: VmRSS of each Karaf JVM once it has settled (at least the settle time after its start, then
 * until ten one-second samples in a row stay within 2 % of each other), nothing deployed yet;</li>
 * <li>K idle algorithm instances (a bash script, process runtime) spread by the fewest-instances strategy;</li>
 * <li><b>failover</b>, R rounds: the node running the most instances is killed with kill -9 (SIGKILL of its Karaf
 * JVM); the time from the kill until every instance it ran is RUNNING on another node ({@code GET /instances} polled
 * every 50 ms), and until {@code GET /nodes} says it is DOWN; then it is started again with its old state and the next
 * round waits until it is UP, its CPU has calmed down and no instance runs twice (the restarted node kills what its
 * predecessor left running).</li>
 * </ol>
 * Everything runs from its own folder with free ports; it is all killed and the folder removed at the end.
 */
public final class FailoverBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TYPE = "bench-failover";
    private static final String APP = "Bench_failover";
    private static final long POLL_MS = 50;

    private final Options o;
    private final Map<String, Path> nodes = new LinkedHashMap<>();
    private Path platform;
    private Path stock;
    private String api;
    private Rest user;
    private Rest configurator;

    private FailoverBench(Options options) {
        this.o = options;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("FailoverBench: " + e.getMessage() + "\n" + Options.USAGE);
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.println(Options.USAGE);
            return;
        }
        FailoverBench bench = new FailoverBench(options);
        boolean ok = false;
        try {
            bench.run();
            ok = true;
        } catch (BenchmarkFailure e) {
            System.err.println("FailoverBench FAILED: " + e.getMessage());
        } finally {
            bench.cleanUp(ok);
        }
        System.exit(ok ? 0 : 1);
    }

    // ---------------------------------------------------------------------------------------------------- the run

    private void run() throws Exception {
        say("== Failover time and node idle RSS ==");
        say("configuration: heartbeat_period_ms %d, suspect_after_ms %d, down_after_ms %d, sweep_period_ms %d;"
                + " strategy fewest-instances; %d nodes + the platform's local node; %d instances; %d kills",
                o.heartbeatMs, o.suspectMs, o.downMs, o.sweepMs, o.nodes, o.instances, o.kills);
        Files.createDirectories(o.work);
        startPlatformAndNodes();
        idleMemory();
        List<String> instances = deploy();
        List<Round> rounds = new ArrayList<>();
        Map<String, Integer> lastKilled = new HashMap<>();
        for (int r = 1; r <= o.kills; r++) {
            rounds.add(killOne(r, instances, lastKilled));
        }
        summary(rounds);
    }

    private void startPlatformAndNodes() throws Exception {
        int http = freePort();
        int kafka = freePort();
        int mongo = freePort();
        api = "http://127.0.0.1:" + http + "/ias/api/v1";
        platform = unpack(o.platformDist, "platform");
        cfg(platform, "org.ops4j.pax.web.cfg", "org.osgi.service.http.port", String.valueOf(http));
        cfg(platform, "org.iasplatform.infra.cfg", "embedded_kafka_port", String.valueOf(kafka));
        cfg(platform, "org.iasplatform.infra.cfg", "embedded_kafka_controller_port", String.valueOf(freePort()));
        cfg(platform, "org.iasplatform.infra.cfg", "embedded_mongo_port", String.valueOf(mongo));
        cfg(platform, "org.iasplatform.node.cfg", "api_url", api);
        cfg(platform, "org.iasplatform.node.cfg", "heartbeat_period_ms", String.valueOf(o.heartbeatMs));
        cfg(platform, "org.iasplatform.lifecycle.cfg", "strategy.target", "(ias.strategy=fewest-instances)");
        cfg(platform, "org.iasplatform.lifecycle.cfg", "suspect_after_ms", String.valueOf(o.suspectMs));
        cfg(platform, "org.iasplatform.lifecycle.cfg", "down_after_ms", String.valueOf(o.downMs));
        cfg(platform, "org.iasplatform.lifecycle.cfg", "sweep_period_ms", String.valueOf(o.sweepMs));
        user = new Rest(api, "user", "user");
        configurator = new Rest(api, "configurator", "configurator");
        long t0 = System.nanoTime();
        start(platform);
        await("the platform's health UP", 300, () -> {
            try {
                return user.call("GET", "/health", null).status() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        say("platform distribution UP after %.1f s (API %s)", seconds(t0), api);
        for (int i = 1; i <= o.nodes; i++) {
            String name = "n" + i;
            Path node = unpack(o.nodeDist, name);
            cfg(node, "org.iasplatform.infra.cfg", "kafka_bootstrap_servers", "127.0.0.1:" + kafka);
            cfg(node, "org.iasplatform.infra.cfg", "mongo_uri", "mongodb://127.0.0.1:" + mongo);
            cfg(node, "org.iasplatform.node.cfg", "node_id", name);
            cfg(node, "org.iasplatform.node.cfg", "api_url", api);
            cfg(node, "org.iasplatform.node.cfg", "heartbeat_period_ms", String.valueOf(o.heartbeatMs));
            nodes.put(name, node);
        }
        if (o.stockKaraf != null) {
            stock = unpack(o.stockKaraf, "stock-karaf");
        }
        t0 = System.nanoTime();
        for (Path node : nodes.values()) {
            start(node);
        }
        if (stock != null) {
            start(stock);
        }
        await(o.nodes + " nodes UP", 300, () -> nodes.keySet().stream().allMatch(n -> "UP".equals(node(n).path("state")
                .asText())));
        say("%d node distributions UP after %.1f s", o.nodes, seconds(t0));
    }

    /** Idle VmRSS of every Karaf JVM (and of the embedded servers' JVM), once each has settled. */
    private void idleMemory() throws Exception {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("platform distribution (Karaf JVM)", karafPid(platform));
        Path infraPid = platform.resolve("data/ias/embedded/infra-server.pid");
        if (Files.isRegularFile(infraPid)) {
            pids.put("  its embedded Kafka + store JVM", Long.parseLong(Files.readString(infraPid).trim()));
        }
        nodes.forEach((name, dir) -> pids.put("node distribution " + name, karafPid(dir)));
        if (stock != null) {
            pids.put("stock Apache Karaf (baseline)", karafPid(stock));
        }
        say("");
        say("-- idle memory (VmRSS once settled: >= %d s after every node was UP, then 10 one-second samples within 2 %%)",
                o.settle);
        long startedAt = System.nanoTime();
        Map<String, List<Long>> samples = new LinkedHashMap<>();
        pids.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
        Map<String, Double> settledAfter = new HashMap<>();
        long deadline = startedAt + 180_000_000_000L;
        while (settledAfter.size() < pids.size() && System.nanoTime() < deadline) {
            for (Map.Entry<String, Long> p : pids.entrySet()) {
                if (settledAfter.containsKey(p.getKey())) {
                    continue;
                }
                List<Long> s = samples.get(p.getKey());
                s.add(status(p.getValue(), "VmRSS"));
                if (seconds(startedAt) >= o.settle && s.size() >= 10 && settled(s.subList(s.size() - 10, s.size()))) {
                    settledAfter.put(p.getKey(), seconds(startedAt));
                }
            }
            Thread.sleep(1000); // the sampling interval
        }
        say("  %-40s %10s %10s  %s", "process", "VmRSS", "VmHWM", "settled");
        for (Map.Entry<String, Long> p : pids.entrySet()) {
            List<Long> s = samples.get(p.getKey());
            Double after = settledAfter.get(p.getKey());
            say("  %-40s %7d MB %7d MB  %s", p.getKey(), s.get(s.size() - 1) / 1024, status(p.getValue(), "VmHWM") / 1024,
                    after == null ? "NOT settled within 180 s (last sample)" : String.format(Locale.ROOT, "after %.0f s",
                            after));
        }
        List<Long> nodeRss = nodes.keySet().stream().map(n -> last(samples.get("node distribution " + n))).sorted().toList();
        double median = (nodeRss.get((nodeRss.size() - 1) / 2) + nodeRss.get(nodeRss.size() / 2)) / 2.0;
        say("  node distribution: median %.0f MB over %d nodes%s", median / 1024, nodeRss.size(),
                stock == null ? "" : String.format(Locale.ROOT, "; stock Karaf %d MB (ratio %.2f)",
                        last(samples.get("stock Apache Karaf (baseline)")) / 1024,
                        median / last(samples.get("stock Apache Karaf (baseline)"))));
        say("  JVM options of the node's Karaf: %s", heapOptions(karafPid(nodes.values().iterator().next())));
        if (stock != null) {
            kill(stock); // the baseline is measured; it takes no part in the failover rounds
        }
    }

    private List<String> deploy() throws Exception {
        configurator.call("POST", "/sensor-types", JSON.readTree("{\"sensor_type_name\":\"" + TYPE
                + "\",\"sensor_data_structure\":{\"lux\":\"int\"}}")).expect(201, "registering the sensor type");
        configurator.call("POST", "/sensor-instances", JSON.readTree("{\"sensor_type\":\"" + TYPE + "\",\"ip\":\"127.0.0.1\","
                + "\"port\":9,\"bench\":\"failover\"}")).expect(201, "registering the sensor instance");
        String appConfig = "{\"application_name\":\"" + APP + "\",\"application_id\":\"bench_failover\",\"algorithm_list\":"
                + "[{\"algorithm_name\":\"idle\",\"script\":{\"name\":\"idle.sh\"},\"input_sensors\":[{\"sensor_type\":\""
                + TYPE + "\"}]}]}";
        new Rest(api, "developer", "developer").send("POST", "/apps", "application/zip", DeployLatency.zip(Map.of(
                "appConfig.json", appConfig.getBytes(StandardCharsets.UTF_8),
                "idle.sh", "sleep 3600 &\nwait\n".getBytes(StandardCharsets.UTF_8)))).expect(201, "uploading the app");
        List<String> instances = new ArrayList<>();
        for (int i = 0; i < o.instances; i++) {
            JsonNode answer = configurator.call("POST", "/deployments", JSON.readTree("{\"noOfAlgo\":1,\"1\":{"
                    + "\"application_name\":\"" + APP + "\",\"algorithm_name\":\"idle\",\"sensor_info\":[{\"sensor_type\":\""
                    + TYPE + "\",\"filter_sensors\":[{\"bench\":\"failover\"}]}],\"scheduling_info\":{\"request_type\":"
                    + "\"start\",\"start_time\":\"\",\"end_time\":\"\",\"days\":\"\",\"interval\":\"\",\"repeat\":\"no\"},"
                    + "\"environment\":{\"lang\":\"bash\"}}}")).expect(202, "deploying").body();
            instances.add(answer.path("deployments").get(0).path("instance_id").asText());
        }
        await("every instance RUNNING", 180, () -> placement(instances).values().stream().noneMatch(String::isEmpty));
        say("");
        say("-- %d instances RUNNING: %s", instances.size(), count(placement(instances).values()));
        return instances;
    }

    private record Round(int number, String node, int instances, long downMs, long failoverMs, long sinceLastBeatMs) {
    }

    /** Kills the node running the most instances (of those, the one killed longest ago) and measures its failover. */
    private Round killOne(int number, List<String> instances, Map<String, Integer> lastKilled) throws Exception {
        Map<String, String> placed = placement(instances);
        String victim = nodes.keySet().stream().max(Comparator.comparingLong((String n) -> placed.values().stream()
                .filter(n::equals).count()).thenComparing(n -> -lastKilled.getOrDefault(n, 0))).orElseThrow();
        lastKilled.put(victim, number);
        List<String> moved = instances.stream().filter(i -> victim.equals(placed.get(i))).toList();
        if (moved.isEmpty()) {
            throw new BenchmarkFailure("round " + number + ": no node distribution runs an instance: " + placed);
        }
        JsonNode before = node(victim);
        long lastBeat = before.path("last_heartbeat").asLong();
        long epoch = before.path("epoch").asLong();
        long killedWall = System.currentTimeMillis();
        long killed = System.nanoTime();
        kill(nodes.get(victim));
        long down = -1;
        long deadline = killed + o.timeout * 1_000_000_000L;
        while (true) {
            if (down < 0 && "DOWN".equals(node(victim).path("state").asText())) {
                down = System.nanoTime();
            }
            Map<String, String> now = placement(instances);
            if (moved.stream().allMatch(i -> !now.get(i).isEmpty() && !victim.equals(now.get(i)))) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new BenchmarkFailure("round " + number + ": the instances of " + victim + " were not all RUNNING"
                        + " elsewhere " + o.timeout + " s after the kill: " + now);
            }
            Thread.sleep(POLL_MS); // the polling interval; the answers decide
        }
        long done = System.nanoTime();
        Round round = new Round(number, victim, moved.size(), down < 0 ? done - killed : down - killed, done - killed,
                killedWall - lastBeat + (done - killed) / 1_000_000);
        Map<String, String> after = placement(instances);
        say("round %2d: kill -9 of %s (%d instances) -> DOWN after %5d ms, all RUNNING elsewhere after %5d ms (%5d ms"
                + " after its last heartbeat) on %s", number, victim, moved.size(), round.downMs / 1_000_000,
                round.failoverMs / 1_000_000, round.sinceLastBeatMs, count(moved.stream().map(after::get).toList()));

        // the node comes back with its old state; the next round starts once it is UP and calm, each instance once
        start(nodes.get(victim));
        await(victim + " UP again (a new epoch)", 240, () -> {
            JsonNode n = node(victim);
            return "UP".equals(n.path("state").asText()) && n.path("epoch").asLong() != epoch;
        });
        awaitQuiet(karafPid(nodes.get(victim)));
        await("every instance running exactly once", 120, () -> instances.stream().allMatch(i -> processesNaming(i) == 1));
        return round;
    }

    private void summary(List<Round> rounds) {
        say("");
        say("-- failover over %d kills (from the kill -9 to every instance of the node RUNNING elsewhere; polled every"
                + " %d ms)", rounds.size(), POLL_MS);
        say("  configured: heartbeat_period_ms %d, suspect_after_ms %d, down_after_ms %d, sweep_period_ms %d",
                o.heartbeatMs, o.suspectMs, o.downMs, o.sweepMs);
        line("kill -9 -> all RUNNING elsewhere", rounds.stream().map(r -> r.failoverMs / 1_000_000).toList());
        line("kill -9 -> node DOWN in GET /nodes", rounds.stream().map(r -> r.downMs / 1_000_000).toList());
        line("last heartbeat -> all RUNNING elsewhere", rounds.stream().map(Round::sinceLastBeatMs).toList());
        long over = rounds.stream().filter(r -> r.failoverMs / 1_000_000 > 5000).count();
        say("  rounds over the 5 s target: %d of %d; instances moved per kill: %s", over, rounds.size(),
                rounds.stream().map(r -> String.valueOf(r.instances)).toList());
    }

    private static void line(String what, List<Long> ms) {
        List<Long> sorted = ms.stream().sorted().toList();
        say("  %-42s min %5d   p50 %5d   p95 %5d   max %5d ms", what, sorted.get(0), rank(sorted, 0.50),
                rank(sorted, 0.95), sorted.get(sorted.size() - 1));
    }

    /** Nearest-rank percentile of sorted values. */
    static long rank(List<Long> sorted, double q) {
        int index = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    // ---------------------------------------------------------------------------------------------------- the platform

    private JsonNode node(String id) {
        try {
            for (JsonNode n : user.call("GET", "/nodes", null).body().path("nodes")) {
                if (id.equals(n.path("node_id").asText())) {
                    return n;
                }
            }
        } catch (Exception e) {
            // no answer this time: asked again
        }
        return JSON.createObjectNode();
    }

    /** Instance → the node it is RUNNING on ("" when it is not RUNNING). */
    private Map<String, String> placement(List<String> instances) {
        Map<String, String> placed = new LinkedHashMap<>();
        instances.forEach(i -> placed.put(i, ""));
        try {
            for (JsonNode i : user.call("GET", "/instances", null).body()) {
                String id = i.path("instance_id").asText();
                if (placed.containsKey(id) && "RUNNING".equals(i.path("state").asText())) {
                    placed.put(id, i.path("node").asText());
                }
            }
        } catch (Exception e) {
            // no answer this time: asked again
        }
        return placed;
    }

    private static String count(java.util.Collection<String> nodes) {
        Map<String, Integer> count = new java.util.TreeMap<>();
        nodes.forEach(n -> count.merge(n, 1, Integer::sum));
        return count.toString();
    }

    // ---------------------------------------------------------------------------------------------------- processes

    private Path unpack(Path distribution, String name) throws Exception {
        if (distribution == null || !Files.isRegularFile(distribution)) {
            throw new BenchmarkFailure("no distribution at " + distribution + " (build it: ./ias build)");
        }
        Path dir = Files.createDirectories(o.work.resolve(name));
        run(List.of("tar", "-xzf", distribution.toString(), "-C", dir.toString(), "--strip-components=1"));
        cfg(dir, "org.apache.karaf.shell.cfg", "sshPort", String.valueOf(freePort()));
        cfg(dir, "org.apache.karaf.management.cfg", "rmiRegistryPort", String.valueOf(freePort()));
        cfg(dir, "org.apache.karaf.management.cfg", "rmiServerPort", String.valueOf(freePort()));
        return dir;
    }

    private static void start(Path karaf) throws Exception {
        run(List.of(karaf.resolve("bin/start").toString()));
    }

    /** kill -9 (SIGKILL) of the Karaf JVM started from {@code karaf}. */
    private static void kill(Path karaf) {
        karafProcesses(karaf).forEach(ProcessHandle::destroyForcibly);
    }

    private static Stream<ProcessHandle> karafProcesses(Path karaf) {
        String marker = "karaf.base=" + karaf.toAbsolutePath().normalize();
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(marker));
    }

    private static long karafPid(Path karaf) {
        return karafProcesses(karaf).findFirst().map(ProcessHandle::pid)
                .orElseThrow(() -> new BenchmarkFailure("no Karaf process runs from " + karaf));
    }

    private static long processesNaming(String text) {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().orElse("").contains(text)).count();
    }

    /** Waits (at most 60 s) until a process uses less than 0.3 of a core over one second. */
    private static void awaitQuiet(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        long before = CpuWatch.processTicks(pid);
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000); // the measuring window
            long now = CpuWatch.processTicks(pid);
            if (now < 0 || now - before < 30) { // 100 ticks a second: 30 ticks = 0.3 core
                return;
            }
            before = now;
        }
    }

    /** A field of /proc/PID/status in kB ("VmRSS", "VmHWM"); -1 if unreadable. */
    static long status(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // answered below
        }
        return -1;
    }

    private static boolean settled(List<Long> window) {
        long min = window.stream().mapToLong(Long::longValue).min().orElse(0);
        long max = window.stream().mapToLong(Long::longValue).max().orElse(0);
        return min > 0 && (max - min) <= 0.02 * max;
    }

    private static long last(List<Long> samples) {
        return samples.get(samples.size() - 1);
    }

    private static String heapOptions(long pid) {
        try {
            String cmd = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
            List<String> heap = Stream.of(cmd.split(" ")).filter(a -> a.startsWith("-Xm") || a.startsWith("-XX:Max")
                    || a.startsWith("-XX:+Use")).toList();
            return heap.isEmpty() ? "no -Xmx/-Xms (the JVM's defaults)" : String.join(" ", heap);
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Kills everything started from the work folder (Karaf JVMs, the embedded servers, instances) and removes it. */
    private void cleanUp(boolean removeFolder) {
        String base = o.work.toAbsolutePath().toString();
        List<Long> us = Stream.iterate(Optional.of(ProcessHandle.current()), Optional::isPresent,
                p -> p.flatMap(ProcessHandle::parent)).map(p -> p.get().pid()).toList(); // this JVM and its callers
        List<ProcessHandle> started = ProcessHandle.allProcesses().filter(p -> !us.contains(p.pid()))
                .filter(p -> p.info().commandLine().orElse("").contains(base))
                .flatMap(p -> Stream.concat(Stream.of(p), p.descendants())).distinct().toList();
        started.forEach(ProcessHandle::destroyForcibly); // with their children (an instance's sleep names no folder)
        if (!removeFolder) {
            say("the distributions' folders and logs are kept in %s", base);
            return;
        }
        try (Stream<Path> walk = Files.walk(o.work)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            say("could not remove %s: %s", base, e);
        }
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new BenchmarkFailure(command + " failed: " + out);
        }
    }

    /** Sets a key in an etc/ configuration file (replacing its line, or adding it). */
    private static void cfg(Path karaf, String file, String key, String value) throws IOException {
        Path path = karaf.resolve("etc").resolve(file);
        List<String> lines = Files.exists(path) ? new ArrayList<>(Files.readAllLines(path)) : new ArrayList<>();
        boolean replaced = false;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("^\\s*" + Pattern.quote(key) + "\\s*=.*")) {
                lines.set(i, key + " = " + value);
                replaced = true;
            }
        }
        if (!replaced) {
            lines.add(key + " = " + value);
        }
        Files.write(path, lines);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new BenchmarkFailure("timed out after " + seconds + " s waiting for: " + what);
            }
            Thread.sleep(200); // the polling interval; the condition decides
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }

    /** The command line. */
    static final class Options {
        static final String USAGE = """
                usage: java -cp 'ias-benchmarks.jar:lib/*' org.iasplatform.benchmarks.FailoverBench [options]
                  --platform-dist TGZ   the platform distribution (required)
                  --node-dist TGZ       the node distribution (required)
                  --stock-karaf TGZ     a stock Apache Karaf, the idle-RSS baseline (optional)
                  --work DIR            where everything is unpacked (default target/failover-run); removed after
                  --nodes N             node distributions (default 4)
                  --instances K         idle algorithm instances spread over the nodes (default 8)
                  --kills R             rounds of kill -9 (default 20)
                  --heartbeat-ms MS     the nodes' heartbeat period (default 500)
                  --suspect-ms MS       server-lifecycle's suspect_after_ms (default 1500)
                  --down-ms MS          server-lifecycle's down_after_ms (default 2500)
                  --sweep-ms MS         server-lifecycle's sweep_period_ms (default 250)
                  --settle S            seconds at least before an idle RSS is read (default 30)
                  --timeout S           longest wait for a killed node's instances (default 60)""";

        Path platformDist;
        Path nodeDist;
        Path stockKaraf;
        Path work = Path.of("target", "failover-run");
        int nodes = 4;
        int instances = 8;
        int kills = 20;
        int heartbeatMs = 500;
        int suspectMs = 1500;
        int downMs = 2500;
        int sweepMs = 250;
        int settle = 30;
        int timeout = 60;

        /** The options, or null when help was asked for. */
        static Options parse(String[] args) {
            Options o = new Options();
            boolean given = ReadingsThroughput.Options.eachOption(args, (arg, value) -> {
                switch (arg) {
                    case "--platform-dist" -> o.platformDist = Path.of(value);
                    case "--node-dist" -> o.nodeDist = Path.of(value);
                    case "--stock-karaf" -> o.stockKaraf = value.isBlank() ? null : Path.of(value);
                    case "--work" -> o.work = Path.of(value);
                    case "--nodes" -> o.nodes = ReadingsThroughput.Options.positive(arg, value);
                    case "--instances" -> o.instances = ReadingsThroughput.Options.positive(arg, value);
                    case "--kills" -> o.kills = ReadingsThroughput.Options.positive(arg, value);
                    case "--heartbeat-ms" -> o.heartbeatMs = ReadingsThroughput.Options.positive(arg, value);
                    case "--suspect-ms" -> o.suspectMs = ReadingsThroughput.Options.positive(arg, value);
                    case "--down-ms" -> o.downMs = ReadingsThroughput.Options.positive(arg, value);
                    case "--sweep-ms" -> o.sweepMs = ReadingsThroughput.Options.positive(arg, value);
                    case "--settle" -> o.settle = ReadingsThroughput.Options.positive(arg, value);
                    case "--timeout" -> o.timeout = ReadingsThroughput.Options.positive(arg, value);
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            });
            if (!given) {
                return null;
            }
            if (o.platformDist == null || o.nodeDist == null) {
                throw new IllegalArgumentException("--platform-dist and --node-dist are required");
            }
            if (o.nodes < 2) {
                throw new IllegalArgumentException("--nodes must be at least 2, so that a killed node's instances have"
                        + " somewhere to go besides the platform's local node");
            }
            return o;
        }
    }
}
