package org.iasplatform.infra.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.bson.Document;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.mongodb.client.MongoClient;

public class InfraSupervisorTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private InfraSupervisor supervisor;

    @After
    public void close() {
        if (supervisor != null) {
            supervisor.close();
        }
    }

    @Test(timeout = 180_000)
    public void aChildThatDiesIsReportedDownAndRestartedAndCloseStopsIt() throws Exception {
        Path data = tmp.newFolder("embedded").toPath();
        List<Path> classpath = LibraryExtractor.extract(TestSupport.builtJars(), data.resolve("lib-test"));
        LaunchSpec spec = TestSupport.spec(data, false, true, 0);
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        supervisor = new InfraSupervisor(spec, () -> classpath, new InfraSupervisor.Listener() {
            @Override
            public void ready(InfraProcess.Ready ready) {
                events.add("ready " + ready.mongoUri());
            }

            @Override
            public void down() {
                events.add("down");
            }
        }, Duration.ofMillis(100), Duration.ofSeconds(1));
        supervisor.start();

        String first = events.poll(60, TimeUnit.SECONDS);
        assertNotNull("ready within 60 s", first);
        assertTrue(first, first.startsWith("ready mongodb://127.0.0.1:"));
        long firstPid = Long.parseLong(Files.readString(spec.pidFile()).trim());
        assertEquals(firstPid, supervisor.pid());
        try (MongoClient client = InfraProcessTest.mongo(first.substring("ready ".length()))) {
            client.getDatabase("db").getCollection("c").insertOne(new Document("_id", 1));
        }

        ProcessHandle.of(firstPid).orElseThrow().destroyForcibly(); // dies unexpectedly
        assertEquals("down", events.poll(30, TimeUnit.SECONDS));
        String second = events.poll(60, TimeUnit.SECONDS);
        assertNotNull("restarted within 60 s", second);
        assertTrue(second, second.startsWith("ready mongodb://"));
        long secondPid = supervisor.pid();
        assertNotEquals(firstPid, secondPid);
        assertTrue(ProcessHandle.of(secondPid).map(ProcessHandle::isAlive).orElse(false));
        assertEquals(Long.toString(secondPid), Files.readString(spec.pidFile()).trim());

        supervisor.close();
        assertFalse("child stopped", ProcessHandle.of(secondPid).map(ProcessHandle::isAlive).orElse(false));
        assertFalse("pid file removed", Files.exists(spec.pidFile()));
        assertNull("no event after close", events.poll(500, TimeUnit.MILLISECONDS));
        assertEquals(-1, supervisor.pid());
    }

    @Test(timeout = 60_000)
    public void closeWhileTheChildIsStartingStopsIt() throws Exception {
        Path data = tmp.newFolder("embedded").toPath();
        List<Path> classpath = LibraryExtractor.extract(TestSupport.builtJars(), data.resolve("lib-test"));
        LaunchSpec spec = TestSupport.spec(data, false, true, 0);
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        supervisor = new InfraSupervisor(spec, () -> classpath, new InfraSupervisor.Listener() {
            @Override
            public void ready(InfraProcess.Ready ready) {
                events.add("ready");
            }

            @Override
            public void down() {
                events.add("down");
            }
        }, Duration.ofMillis(100), Duration.ofSeconds(1));
        supervisor.start();
        TestSupport.await("the child is started", 30, () -> supervisor.pid() > 0);
        long pid = supervisor.pid();
        supervisor.close();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(Files.exists(spec.pidFile()));
        assertTrue("never down after close", !events.contains("down"));
    }
}
