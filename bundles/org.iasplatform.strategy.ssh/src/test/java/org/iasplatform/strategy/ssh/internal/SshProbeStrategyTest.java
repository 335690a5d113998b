package org.iasplatform.strategy.ssh.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.iasplatform.api.node.NodeState;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.api.node.PlacementRequest;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The strategy against real SSH servers (Apache MINA SSHD in this JVM, one per probed host, on 127.0.0.1 and free
 * ports): the SSH transport, host keys, authentication and the jsch client are real; only the hosts' {@code free} and
 * {@code vmstat 1 2} answers are canned (see {@link TestSshHost}). Time is the test's own clock for the cache; nothing
 * waits by sleeping.
 */
public class SshProbeStrategyTest {
    private static final String PASSWORD = "Pw-Right-7Kq2Zt";
    private static final PlacementRequest REQUEST = new PlacementRequest("i-1", "Bus_management", "lightControl",
            "process");
    /** mem 0.8, cpu 0.9: load 0.85 */
    private static final String FREE_BUSY = Outputs.free(8_000_000, 6_400_000);
    private static final String VMSTAT_BUSY = Outputs.vmstat(10);
    /** mem 0.2, cpu 0.1: load 0.15 */
    private static final String FREE_IDLE = Outputs.free(8_000_000, 1_600_000);
    private static final String VMSTAT_IDLE = Outputs.vmstatWithGuest(90);
    /** mem 0.5, cpu 0.5: load 0.5 */
    private static final String FREE_HALF = Outputs.free(8_000_000, 4_000_000);
    private static final String VMSTAT_HALF = Outputs.vmstat(50);

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();
    private final List<TestSshHost> hosts = new ArrayList<>();
    private final AtomicLong clock = new AtomicLong(7_000_000_000L);
    private SshProbeStrategy strategy;

    @Before
    public void clearLog() {
        LogCapture.clear();
    }

    @After
    public void stop() throws IOException {
        if (strategy != null) {
            strategy.deactivate();
        }
        for (TestSshHost host : hosts) {
            host.close();
        }
    }

    private TestSshHost host(String free, String vmstat) throws IOException {
        TestSshHost host = new TestSshHost(free, vmstat, PASSWORD, null);
        hosts.add(host);
        return host;
    }

    private SshProbeStrategy strategy(Map<String, Object> config) {
        strategy = new SshProbeStrategy(Settings.of(SettingsTest.config(config), p -> fail(p)), clock::get);
        return strategy;
    }

    /** A configuration with password authentication and the hosts given. */
    private static Map<String, Object> config(String... hosts) {
        Map<String, Object> config = new HashMap<>();
        config.put("hosts", hosts);
        config.put(".password", PASSWORD);
        config.put("probe_wait_ms", 20_000); // the probes' own time-outs end them first
        return config;
    }

    private static NodeStatus node(String id, double heartbeatLoad) {
        return new NodeStatus(id, id + ".host", NodeState.UP, heartbeatLoad, heartbeatLoad, 1, List.of("process"), 1, 1);
    }

    private String choose(NodeStatus... candidates) {
        return strategy.choose(List.of(candidates), REQUEST).orElseThrow().nodeId();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static List<LogCapture.Event> events(String level, String containing) {
        return LogCapture.events(e -> e.level().equals(level) && e.text().contains(containing));
    }

    private static void assertLogged(String level, String... containing) {
        List<LogCapture.Event> found = LogCapture.events(e -> e.level().equals(level)
                && List.of(containing).stream().allMatch(e.text()::contains));
        assertFalse("no " + level + " event containing " + List.of(containing) + " in:\n" + LogCapture.all(),
                found.isEmpty());
    }

    private static void assertNotInLog(String secret) {
        String log = LogCapture.all();
        assertFalse("the log shows a secret:\n" + log, log.contains(secret));
    }

    @Test
    public void theLessLoadedHostBySshWinsWhateverTheHeartbeatsSay() throws Exception {
        TestSshHost a = host(FREE_BUSY, VMSTAT_BUSY); // load 0.85
        TestSshHost b = host(FREE_IDLE, VMSTAT_IDLE); // load 0.15
        strategy(config(a.entry("a"), b.entry("b")));

        // the heartbeats say the opposite: by them a would win
        assertEquals("b", choose(node("a", 0.1), node("b", 0.9)));
        assertEquals("b", choose(node("b", 0.9), node("a", 0.1)));

        for (TestSshHost host : List.of(a, b)) {
            assertEquals(1, host.count("free"));
            assertEquals(1, host.count("vmstat 1 2"));
        }
        assertLogged("DEBUG", "node b chosen", "load 0.150 (mem 0.200, cpu 0.100) over SSH",
                "a load 0.850 (mem 0.800, cpu 0.900) over SSH");
        assertNotInLog(PASSWORD);
    }

    @Test
    public void aHostWhoseServerIsDownIsWeighedByItsHeartbeatAsIsANodeWithoutHost() throws Exception {
        int down = closedPort();
        TestSshHost b = host(FREE_BUSY, VMSTAT_BUSY); // load 0.85
        strategy(config("a=ias@127.0.0.1:" + down, b.entry("b")));

        // a: no SSH figures, heartbeat 0.5; b: 0.85 over SSH; c: no host configured, heartbeat 0.6
        assertEquals("a", choose(node("a", 0.5), node("b", 0.1), node("c", 0.6)));
        assertLogged("WARN", "SSH probe of node a failed", "ias@127.0.0.1:" + down, "cannot connect");
        assertLogged("DEBUG", "Node a: no SSH figures", "cannot connect", "weighed by its heartbeat figures");
        assertLogged("DEBUG", "Node c: no host configured in hosts; weighed by its heartbeat figures");

        // within the cache period a's failure stands: a is weighed by its (now higher) heartbeat, b by SSH
        assertEquals("b", choose(node("a", 0.95), node("b", 0.1)));
        assertEquals(1, events("WARN", "SSH probe of node a failed").size());
        assertEquals(1, b.count("vmstat 1 2"));
    }

    @Test
    public void aWrongPasswordFallsBackToTheHeartbeatAndIsNeverLogged() throws Exception {
        String wrong = "Pw-Wrong-Xy83Lm";
        TestSshHost a = host(FREE_IDLE, VMSTAT_IDLE);
        Map<String, Object> config = config(a.entry("a"));
        config.put(".password", wrong);
        // through the constructor SCR calls (and its real clock)
        strategy = new SshProbeStrategy(SettingsTest.config(config));

        // by SSH a would be 0.15 and win; its probe fails, so its heartbeat 0.7 loses to b's 0.3
        assertEquals("b", choose(node("a", 0.7), node("b", 0.3)));
        assertEquals(0, a.count("free"));
        assertLogged("WARN", "SSH probe of node a failed", "ias@127.0.0.1:" + a.port(), "authentication failed");
        assertLogged("INFO", "SSH probe strategy active", "password (set)");
        assertNotInLog(wrong);
        assertNotInLog(PASSWORD);
    }

    @Test
    public void publicKeyAuthentication() throws Exception {
        KeyPair key = TestSshHost.newKeyPair();
        TestSshHost a = new TestSshHost(FREE_IDLE, VMSTAT_IDLE, null, key.getPublic()); // no password accepted
        hosts.add(a);
        Path keyFile = tmp.getRoot().toPath().resolve("id_ecdsa");
        try (OutputStream out = Files.newOutputStream(keyFile)) {
            new OpenSSHKeyPairResourceWriter().writePrivateKey(key, "ias@test", null, out);
        }
        Map<String, Object> config = config(a.entry("a"));
        config.remove(".password");
        config.put("private_key_file", keyFile.toString());
        strategy(config);

        assertEquals("a", choose(node("a", 0.9), node("b", 0.5)));
        assertEquals(1, a.count("vmstat 1 2"));
        assertNotInLog(Files.readString(keyFile, StandardCharsets.UTF_8).lines().skip(1).findFirst().orElseThrow());
    }

    @Test
    public void anEncryptedKeyWithItsPassphrase() throws Exception {
        String passphrase = "Pp-Quokka-5Rw";
        KeyPair key = TestSshHost.newKeyPair();
        TestSshHost a = new TestSshHost(FREE_IDLE, VMSTAT_IDLE, null, key.getPublic());
        hosts.add(a);
        Path keyFile = tmp.getRoot().toPath().resolve("id_ecdsa_encrypted");
        OpenSSHKeyEncryptionContext encryption = new OpenSSHKeyEncryptionContext();
        encryption.setPassword(passphrase);
        encryption.setCipherName("AES");
        encryption.setCipherType("256");
        encryption.setCipherMode("CTR");
        try (OutputStream out = Files.newOutputStream(keyFile)) {
            new OpenSSHKeyPairResourceWriter().writePrivateKey(key, "ias@test", encryption, out);
        }
        Map<String, Object> config = config(a.entry("a"));
        config.remove(".password");
        config.put("private_key_file", keyFile.toString());
        config.put(".private_key_passphrase", passphrase);
        strategy(config);

        assertEquals("a", choose(node("a", 0.9), node("b", 0.5)));
        assertEquals(1, a.count("vmstat 1 2"));
        assertLogged("INFO", "SSH probe strategy active", "(passphrase set)");
        assertNotInLog(passphrase);
    }

    @Test
    public void aHostWithoutVmstatIsReportedWithWhatItSaid() throws Exception {
        TestSshHost a = host(FREE_IDLE, null);
        strategy(config(a.entry("a")));

        assertEquals("b", choose(node("a", 0.6), node("b", 0.5)));
        assertEquals(1, a.count("vmstat 1 2"));
        assertLogged("WARN", "SSH probe of node a failed", "ias@127.0.0.1:" + a.port() + ": `vmstat 1 2`",
                "(stderr \"sh: 1: vmstat: not found\")", "no sample line in the output of vmstat: (no output)");
    }

    @Test
    public void aSecondChooseWithinTheCachePeriodDoesNotProbeAgain() throws Exception {
        TestSshHost a = host(FREE_BUSY, VMSTAT_BUSY);
        TestSshHost b = host(FREE_HALF, VMSTAT_HALF);
        Map<String, Object> config = config(a.entry("a"), b.entry("b"));
        config.put("cache_seconds", 15);
        strategy(config);

        assertEquals("b", choose(node("a", 0.1), node("b", 0.1))); // 0.85 against 0.5
        a.answer(FREE_IDLE, VMSTAT_IDLE); // a is idle now; not seen until the cached figures are 15 s old
        clock.addAndGet(Duration.ofSeconds(14).toNanos());
        assertEquals("b", choose(node("a", 0.1), node("b", 0.1)));
        assertEquals(1, a.count("free"));
        assertEquals(1, a.count("vmstat 1 2"));
        assertEquals(1, b.count("vmstat 1 2"));

        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals("a", choose(node("a", 0.1), node("b", 0.1))); // 0.15 against 0.5
        assertEquals(2, a.count("vmstat 1 2"));
        assertEquals(2, b.count("vmstat 1 2"));
    }

    @Test
    public void strictKnownHostsAcceptsTheListedKeyAndRejectsAnUnknownOne() throws Exception {
        TestSshHost a = host(FREE_IDLE, VMSTAT_IDLE); // not in known_hosts: 0.15 would win
        TestSshHost b = host(FREE_HALF, VMSTAT_HALF); // in known_hosts: 0.5
        Path knownHosts = tmp.newFile("known_hosts").toPath();
        Files.writeString(knownHosts, b.knownHostsLine() + "\n");
        Map<String, Object> config = config(a.entry("a"), b.entry("b"));
        config.put("known_hosts_file", knownHosts.toString());
        strategy(config);

        // a is rejected before authenticating, so weighed by its heartbeat 0.6; b by SSH 0.5
        assertEquals("b", choose(node("a", 0.6), node("b", 0.9)));
        assertEquals(0, a.count("free"));
        assertEquals(1, b.count("vmstat 1 2"));
        // named with the fingerprint the operator checks before adding the key
        assertLogged("WARN", "SSH probe of node a failed", "ias@127.0.0.1:" + a.port() + ": host key of [127.0.0.1]:"
                + a.port() + " (ecdsa-sha2-nistp256 key " + a.fingerprint() + ") not in known_hosts_file " + knownHosts);
        assertTrue(events("WARN", "no known_hosts_file").isEmpty());
    }

    @Test
    public void strictKnownHostsRejectsAChangedKey() throws Exception {
        TestSshHost a = host(FREE_IDLE, VMSTAT_IDLE);
        Path knownHosts = tmp.newFile("known_hosts").toPath();
        Files.writeString(knownHosts, "# ssh-keyscan\n" + a.knownHostsLine() + "\n");
        a.changeHostKey();
        Map<String, Object> config = config(a.entry("a"));
        config.put("known_hosts_file", knownHosts.toString());
        strategy(config);

        assertEquals("b", choose(node("a", 0.6), node("b", 0.5)));
        assertEquals(0, a.count("free"));
        assertLogged("WARN", "SSH probe of node a failed", "HOST KEY CHANGED", "(ecdsa-sha2-nistp256 key "
                + a.fingerprint() + ") differs from the one in known_hosts_file " + knownHosts);
    }

    @Test
    public void withoutKnownHostsTheFirstKeyIsAcceptedWithOneWarningAndAChangedOneRejected() throws Exception {
        TestSshHost a = host(FREE_IDLE, VMSTAT_IDLE);
        Map<String, Object> config = config(a.entry("a"));
        config.put("cache_seconds", 0); // probe at every choose
        strategy(config);

        assertEquals("a", choose(node("a", 0.9), node("b", 0.5)));
        assertEquals("a", choose(node("a", 0.9), node("b", 0.5)));
        assertEquals(2, a.count("vmstat 1 2"));
        assertEquals(1, events("WARN", "no known_hosts_file is configured").size());
        assertEquals(1, events("INFO", "Accepted the ecdsa-sha2-nistp256 host key of [127.0.0.1]:" + a.port()).size());

        a.changeHostKey();
        assertEquals("b", choose(node("a", 0.9), node("b", 0.5)));
        assertEquals(2, a.count("vmstat 1 2"));
        assertLogged("WARN", "SSH probe of node a failed", "HOST KEY CHANGED", "accepted first");
        assertEquals(1, events("WARN", "no known_hosts_file is configured").size());
    }

    @Test
    public void chooseWaitsForAHangingHostNoLongerThanTheProbeWait() throws Exception {
        TestSshHost a = host(FREE_IDLE, VMSTAT_IDLE);
        a.hangVmstat();
        TestSshHost b = host(FREE_HALF, VMSTAT_HALF);
        Map<String, Object> config = config(a.entry("a"), b.entry("b"));
        config.put("probe_wait_ms", 300);
        config.put("connect_timeout_ms", 1000);
        config.put("command_timeout_ms", 3000); // a's probe is ended after 4 s
        strategy(config);

        long started = System.nanoTime();
        // a has no figures in time: weighed by its heartbeat 0.7; b by SSH 0.5 (if its probe made it) or heartbeat 0.6
        assertEquals("b", choose(node("a", 0.7), node("b", 0.6)));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue("choose took " + tookMs + " ms", tookMs < 3000);

        // the probe goes on in the background until its own time-out closes the session
        assertTrue(a.hangingCommandEnded().await(30, TimeUnit.SECONDS));
        assertNotNull(LogCapture.await(e -> e.level().equals("WARN")
                && e.message().contains("SSH probe of node a failed") && e.message().contains("no answer within 4000 ms"),
                30_000));
        // that failure is kept for the cache period: no new probe, a weighed by its heartbeat at once
        started = System.nanoTime();
        assertEquals("a", choose(node("a", 0.1), node("b", 0.6)));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) < 3000);
        assertEquals(1, a.count("vmstat 1 2"));
    }
}
