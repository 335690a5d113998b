package org.iasplatform.infra.server;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.bson.Document;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.mongodb.client.MongoClient;
import com.mongodb.client.model.Filters;

/** Runs InfraServerMain as the bundle does: a child JVM whose stdin is a pipe from the parent. */
public class InfraServerMainTest {
    private static final Pattern READY =
            Pattern.compile("IAS-INFRA READY kafka=(127\\.0\\.0\\.1:\\d+|-) mongo=(mongodb://127\\.0\\.0\\.1:\\d+|-)");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final List<Process> children = new ArrayList<>();

    @After
    public void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    @Test(timeout = 240_000)
    public void startsBothServersPrintsReadyAndStopsCleanlyWhenStdinCloses() throws Exception {
        Path data = tmp.newFolder("data").toPath();
        Child child = start("--kafka-dir", data.resolve("kafka").toString(), "--kafka-port", "0",
                "--kafka-controller-port", "0", "--mongo-dir", data.resolve("mongo").toString(), "--mongo-port", "0");
        Matcher ready = child.awaitReady(180);
        String bootstrap = ready.group(1);
        String mongoUri = ready.group(2);

        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            assertEquals(1, admin.describeCluster().nodes().get(60, TimeUnit.SECONDS).size());
        }
        try (MongoClient client = EmbeddedMongoTest.client(mongoUri)) {
            client.getDatabase("db").getCollection("c").insertOne(new Document("_id", "written-by-test"));
        }

        child.process.getOutputStream().close(); // what happens when the parent dies
        assertTrue("exits within 60 s of stdin EOF", child.process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, child.process.exitValue());
        assertEquals("exactly one line on stdout", 1, child.stdoutLines());
        assertTrue("server logs go to the log file",
                Files.readString(data.resolve("infra-server-detail.log")).contains("Kafka (KRaft"));

        // closed cleanly: the store is released and holds the document
        try (EmbeddedMongo mongo = new EmbeddedMongo(data.resolve("mongo"), 0)) {
            mongo.start();
            try (MongoClient client = EmbeddedMongoTest.client(mongo.connectionString())) {
                assertNotNull(client.getDatabase("db").getCollection("c")
                        .find(Filters.eq("_id", "written-by-test")).first());
            }
        }
    }

    @Test(timeout = 120_000)
    public void sigtermClosesTheStore() throws Exception {
        Path mongoDir = tmp.newFolder("mongo").toPath();
        Child child = start("--mongo-dir", mongoDir.toString());
        Matcher ready = child.awaitReady(60);
        assertEquals("-", ready.group(1));
        try (MongoClient client = EmbeddedMongoTest.client(ready.group(2))) {
            client.getDatabase("db").getCollection("c").insertOne(new Document("_id", "before-sigterm"));
        }
        child.process.destroy(); // SIGTERM
        assertTrue(child.process.waitFor(60, TimeUnit.SECONDS));
        try (EmbeddedMongo mongo = new EmbeddedMongo(mongoDir, 0)) {
            mongo.start();
            try (MongoClient client = EmbeddedMongoTest.client(mongo.connectionString())) {
                assertNotNull(client.getDatabase("db").getCollection("c")
                        .find(Filters.eq("_id", "before-sigterm")).first());
            }
        }
    }

    @Test(timeout = 120_000)
    public void portTakenIsAOneLineErrorAndExitCode1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Child child = start("--mongo-dir", tmp.newFolder("m").toString(),
                    "--mongo-port", Integer.toString(taken.getLocalPort()));
            assertTrue(child.process.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, child.process.exitValue());
            String err = child.stderr();
            assertEquals(err, 1, err.lines().count());
            assertTrue(err, err.startsWith(InfraServerMain.ERROR_PREFIX)
                    && err.contains("Mongo port " + taken.getLocalPort()));
            assertEquals(0, child.stdoutLines());
        }
    }

    @Test
    public void badArgumentsAreAOneLineErrorAndExitCode2() {
        assertBadArguments("nothing to start");
        assertBadArguments("--kafka-dir is required", "--kafka-port", "1234");
        assertBadArguments("must be a port number", "--mongo-dir", "x", "--mongo-port", "abc");
        assertBadArguments("unknown option --kafka-host", "--kafka-host", "h");
        assertBadArguments("needs a value", "--mongo-dir");
        assertBadArguments("must differ", "--kafka-dir", "k", "--kafka-port", "5", "--kafka-controller-port", "5");
    }

    private static void assertBadArguments(String expected, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = InfraServerMain.run(args, System.in, new PrintStream(out, true), new PrintStream(err, true));
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(e, 2, code);
        assertEquals(0, out.size());
        assertEquals(e, 1, e.lines().count());
        assertTrue(e, e.startsWith(InfraServerMain.ERROR_PREFIX) && e.contains(expected));
    }

    private Child start(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx384m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(InfraServerMain.class.getName());
        command.addAll(List.of(args));
        Path err = tmp.newFile().toPath();
        Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
        children.add(process);
        return new Child(process, err);
    }

    private static final class Child {
        final Process process;
        final Path stderrFile;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final List<String> all = new ArrayList<>();

        Child(Process process, Path stderrFile) {
            this.process = process;
            this.stderrFile = stderrFile;
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                        synchronized (all) {
                            all.add(line);
                        }
                    }
                } catch (IOException e) {
                    // the child is gone
                }
            }, "child-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        Matcher awaitReady(int seconds) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                String line = lines.poll(200, TimeUnit.MILLISECONDS);
                if (line != null) {
                    Matcher m = READY.matcher(line);
                    assertTrue("unexpected stdout line: " + line, m.matches());
                    return m;
                }
                if (!process.isAlive() && lines.isEmpty()) {
                    fail("child exited with " + process.exitValue() + " before READY: " + stderr());
                }
            }
            fail("no READY line within " + seconds + " s; stderr: " + stderr());
            return null;
        }

        int stdoutLines() throws InterruptedException {
            // the reader thread sees EOF shortly after the child exits
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (process.isAlive() && System.nanoTime() < deadline) {
                process.waitFor(100, TimeUnit.MILLISECONDS);
            }
            synchronized (all) {
                return all.size();
            }
        }

        String stderr() throws IOException {
            return Files.readString(stderrFile);
        }
    }
}
