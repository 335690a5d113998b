package org.iasplatform.provision.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.infra.InfrastructureEndpoints;
import org.iasplatform.api.node.Provision;
import org.iasplatform.api.node.ProvisionRequest;
import org.iasplatform.api.validation.ValidationError;
import org.iasplatform.testsupport.Configs;
import org.iasplatform.testsupport.ShellSshServer;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Provisioning against a real SSH and SFTP server ({@link ShellSshServer}: Apache MINA SSHD in this JVM, on 127.0.0.1) whose commands really run
 * on this machine: the archive really goes over SFTP, {@code tar} really unpacks it, the etc/ files are really written
 * and {@code bin/start} really starts a process. Only the node itself is a stand-in ({@link FakeNodeDistribution}: a
 * shell announcing itself instead of a Karaf), and so is the platform's node table that hears it.
 */
public class NodeProvisionerTest {
    private static final String PASSWORD = "Pw-Prov-9xQ4Lm";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final FakeNodeDistribution.Heard heard = new FakeNodeDistribution.Heard();
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private PrintStream originalErr;
    private KeyPair clientKey;
    private Path keyFile;
    private ShellSshServer host;
    private Path home;

    /** The platform's own endpoints (the embedded servers', loopback). */
    private final InfrastructureEndpoints infra = new InfrastructureEndpoints() {
        @Override
        public String kafkaBootstrapServers() {
            return "127.0.0.1:39092";
        }

        @Override
        public String mongoUri() {
            return "mongodb://127.0.0.1:37027";
        }

        @Override
        public boolean embeddedKafka() {
            return true;
        }

        @Override
        public boolean embeddedMongo() {
            return true;
        }
    };

    @Before
    public void setUp() throws Exception {
        originalErr = System.err; // slf4j-simple writes to System.err: what was logged is read from there
        System.setErr(new PrintStream(new TeeStream(originalErr, logged), true, StandardCharsets.UTF_8));
        clientKey = ShellSshServer.newKeyPair();
        keyFile = ShellSshServer.writePrivateKey(clientKey, tmp.getRoot().toPath().resolve("id_ecdsa"));
        home = tmp.newFolder("home").toPath();
        host = new ShellSshServer(home, PASSWORD, clientKey.getPublic());
        closing.add(host);
    }

    @After
    public void tearDown() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) { // the provisioners before the host
            closing.get(i).close();
        }
        try (var dirs = Files.list(home)) {
            dirs.forEach(d -> FakeNodeDistribution.process(d).ifPresent(ProcessHandle::destroyForcibly));
        }
        System.setErr(originalErr);
    }

    private NodeProvisioner provisioner(Path archive, Map<String, Object> overrides) {
        Map<String, Object> config = new java.util.HashMap<>(Map.of("node__distribution", archive.toString(),
                "private__key__file", keyFile.toString(), "node__console__port", 0, "heartbeat__timeout__ms", 20_000,
                "api__url", "http://127.0.0.1:18181/ias/api/v1"));
        config.putAll(overrides);
        NodeProvisioner p = new NodeProvisioner(heard, infra, Settings.of(Configs.of(ProvisionConfig.class, config)),
                tmp.getRoot().toPath(), Clock.systemUTC());
        closing.add(p::deactivate);
        return p;
    }

    private ProvisionRequest request(String nodeId, String dir) {
        return new ProvisionRequest("127.0.0.1", ShellSshServer.USER, host.port(), nodeId, dir, null, null);
    }

    private Provision await(NodeProvisioner p, String id) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Provision now = p.provision(id).orElseThrow();
            if (now.done()) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                fail("provisioning " + id + " not done within " + WAIT.toSeconds() + " s: " + now.progress());
            }
            try {
                Thread.sleep(50); // polling with a deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    private static String cfg(Path file, String key) throws Exception {
        return Files.readAllLines(file).stream().filter(l -> l.startsWith(key + " =")).map(l -> l.substring(
                key.length() + 2).strip()).collect(Collectors.joining("|"));
    }

    @Test
    public void copiesUnpacksConfiguresStartsAndEndsAtTheFirstHeartbeat() throws Exception {
        Path archive = FakeNodeDistribution.build(tmp.newFolder("dist").toPath(), FakeNodeDistribution.RUNS);
        NodeProvisioner p = provisioner(archive, Map.of());
        Path dir = home.resolve("ias-node-p1");
        heard.watch(dir);

        Provision started = p.provision(request("p1", null));
        assertEquals(Provision.State.RUNNING, started.state());
        assertEquals("the default folder: ias-node-<node id> in the user's home", "ias-node-p1", started.remoteDir());
        Provision done = await(p, started.provisionId());

        assertEquals(done.progress().toString(), Provision.State.SUCCEEDED, done.state());
        assertEquals("heartbeat", done.step());
        String progress = String.join("\n", done.progress());
        for (String step : List.of("connect: connected to ias@127.0.0.1:" + host.port() + " (host key ",
                "check: host ready: " + dir.toRealPath(), "copy: copied ", "unpack: unpacked into ",
                "configure: configured: node_id p1, Kafka 127.0.0.1:39092, MongoDB mongodb://127.0.0.1:37027",
                "start: started (", "heartbeat: node p1 is UP")) {
            assertTrue("progress has " + step + ":\n" + progress, progress.contains(step));
        }
        // the node's etc/ as ./ias node start writes it; the rest of the distribution as shipped
        assertEquals("p1", cfg(dir.resolve("etc/org.iasplatform.node.cfg"), "node_id"));
        assertEquals("http://127.0.0.1:18181/ias/api/v1", cfg(dir.resolve("etc/org.iasplatform.node.cfg"), "api_url"));
        assertEquals("1000", cfg(dir.resolve("etc/org.iasplatform.node.cfg"), "heartbeat_period_ms"));
        assertEquals("127.0.0.1:39092", cfg(dir.resolve("etc/org.iasplatform.infra.cfg"), "kafka_bootstrap_servers"));
        assertEquals("mongodb://127.0.0.1:37027", cfg(dir.resolve("etc/org.iasplatform.infra.cfg"), "mongo_uri"));
        assertEquals("0", cfg(dir.resolve("etc/org.apache.karaf.shell.cfg"), "sshPort"));
        assertEquals("p1", cfg(dir.resolve("etc/system.properties"), "karaf.name"));
        assertEquals("the node read them", List.of("p1", "127.0.0.1:39092", "mongodb://127.0.0.1:37027"),
                Files.readAllLines(dir.resolve("data/heartbeat")));
        assertTrue("the node runs", FakeNodeDistribution.process(dir).isPresent());
        assertFalse("the archive is removed once unpacked", Files.exists(dir.resolve(ProvisionJob.ARCHIVE)));
        assertEquals(List.of(done), p.provisions());
    }

    @Test
    public void aNodeThatExitsBeforeItsFirstHeartbeatFailsWithTheLastLinesOfItsLog() throws Exception {
        Path archive = FakeNodeDistribution.build(tmp.newFolder("dist").toPath(), FakeNodeDistribution.EXITS);
        NodeProvisioner p = provisioner(archive, Map.of());
        Provision done = await(p, p.provision(request("p2", "nodes/p2")).provisionId());

        assertEquals(Provision.State.FAILED, done.state());
        assertEquals("heartbeat", done.step());
        assertTrue(done.error(), done.error().startsWith("heartbeat: the node's Karaf on ias@127.0.0.1:" + host.port()
                + " exited (pid "));
        assertTrue(done.error(), done.error().contains("the last lines of " + home.resolve("nodes/p2").toRealPath()
                + "/data/log/karaf.log: ERROR org.iasplatform.infra: cannot reach Kafka"));
        assertTrue(done.progress().get(done.progress().size() - 1).startsWith("heartbeat: FAILED: "));
    }

    @Test
    public void aNodeThatStaysSilentFailsAtTheDeadlineNamingTheKafkaItWasGiven() throws Exception {
        Path archive = FakeNodeDistribution.build(tmp.newFolder("dist").toPath(), FakeNodeDistribution.SILENT);
        NodeProvisioner p = provisioner(archive, Map.of("heartbeat__timeout__ms", 1500,
                "advertised__kafka__bootstrap__servers", "kafka.example:9092"));
        Provision done = await(p, p.provision(request("p3", null)).provisionId());

        assertEquals(Provision.State.FAILED, done.state());
        assertTrue(done.error(), done.error().startsWith("heartbeat: no heartbeat from node p3 within 1 s"));
        assertTrue(done.error(), done.error().contains("reaches the platform's Kafka at kafka.example:9092"));
        assertTrue(done.error(), done.error().contains("WARN messaging: no broker answers"));
    }

    @Test
    public void aFolderWhereANodeRunsIsLeftAlone() throws Exception {
        Path archive = FakeNodeDistribution.build(tmp.newFolder("dist").toPath(), FakeNodeDistribution.RUNS);
        NodeProvisioner p = provisioner(archive, Map.of());
        Path dir = home.resolve("ias-node-p4");
        heard.watch(dir);
        assertEquals(Provision.State.SUCCEEDED, await(p, p.provision(request("p4", null)).provisionId()).state());
        long pid = FakeNodeDistribution.process(dir).orElseThrow().pid();
        String before = Files.readString(dir.resolve("etc/org.iasplatform.node.cfg"));

        // a second node in the same folder (the first is UP under another id, say)
        Provision again = await(p, p.provision(request("p4b", "ias-node-p4")).provisionId());
        assertEquals(Provision.State.FAILED, again.state());
        assertEquals("check: a node already runs in " + dir.toRealPath() + " on ias@127.0.0.1:" + host.port()
                + " (pid " + pid + "); stop it first (" + dir.toRealPath() + "/bin/stop) or choose another folder",
                again.error());
        assertEquals(before, Files.readString(dir.resolve("etc/org.iasplatform.node.cfg")));
        assertEquals(pid, FakeNodeDistribution.process(dir).orElseThrow().pid());
    }

    @Test
    public void aFolderHoldingSomethingElseIsNotOverwritten() throws Exception {
        Path archive = FakeNodeDistribution.build(tmp.newFolder("dist").toPath(), FakeNodeDistribution.RUNS);
        Path dir = Files.createDirectories(home.resolve("photos"));
        Files.writeString(dir.resolve("holiday.jpg"), "not a node");
        NodeProvisioner p = provisioner(archive, Map.of());
        Provision done = await(p, p.provision(request("p5", "photos")).provisionId());
        assertEquals(Provision.State.FAILED, done.state());
        assertTrue(done.error(), done.error().startsWith("check: " + dir.toRealPath() + " on ias@127.0.0.1:"
                + host.port() + " is not empty and holds no node distribution"));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("holiday.jpg")), files.toList());
        }
    }

    @Test
    public void aWrongPasswordFailsAtConnectAndIsNeverLoggedNorShown() throws Exception {
        Path archive = FakeNodeDistribution.build(tmp.newFolder("dist").toPath(), FakeNodeDistribution.RUNS);
        NodeProvisioner p = provisioner(archive, Map.of("private__key__file", ""));
        String wrong = "Wrong-Secret-5tR8";
        Provision done = await(p, p.provision(new ProvisionRequest("127.0.0.1", ShellSshServer.USER, host.port(), "p6", null,
                null, wrong)).provisionId());

        assertEquals(Provision.State.FAILED, done.state());
        assertEquals("connect: ias@127.0.0.1:" + host.port() + ": authentication failed (offered password,"
                + "keyboard-interactive)", done.error());
        assertEquals("nothing ran on the host", 0, host.commandCount());
        assertFalse(done.toString().contains(wrong));
        assertFalse("the password is not logged", logged.toString(StandardCharsets.UTF_8).contains(wrong));

        // the right one works (and is not logged either)
        heard.watch(home.resolve("ias-node-p7"));
        Provision ok = await(p, p.provision(new ProvisionRequest("127.0.0.1", ShellSshServer.USER, host.port(), "p7", null,
                null, PASSWORD)).provisionId());
        assertEquals(ok.progress().toString(), Provision.State.SUCCEEDED, ok.state());
        assertFalse(logged.toString(StandardCharsets.UTF_8).contains(PASSWORD));
    }

    @Test
    public void strictHostKeysRejectAHostNotInKnownHostsNamingItsFingerprintAndAcceptAListedOne() throws Exception {
        Path archive = FakeNodeDistribution.build(tmp.newFolder("dist").toPath(), FakeNodeDistribution.RUNS);
        Path knownHosts = tmp.getRoot().toPath().resolve("known_hosts");
        Files.writeString(knownHosts, "# empty\n");
        NodeProvisioner unknown = provisioner(archive, Map.of("known__hosts__file", knownHosts.toString()));
        Provision refused = await(unknown, unknown.provision(request("p8", null)).provisionId());
        assertEquals(Provision.State.FAILED, refused.state());
        assertEquals("connect: ias@127.0.0.1:" + host.port() + ": host key of [127.0.0.1]:" + host.port()
                + " (ecdsa-sha2-nistp256 key " + host.fingerprint() + ") not in known_hosts_file " + knownHosts
                + ", rejected; check its fingerprint, then add it there (ssh-keyscan)", refused.error());
        assertEquals(0, host.commandCount());

        Files.writeString(knownHosts, host.knownHostsLine() + "\n");
        heard.watch(home.resolve("ias-node-p8"));
        NodeProvisioner strict = provisioner(archive, Map.of("known__hosts__file", knownHosts.toString()));
        Provision ok = await(strict, strict.provision(request("p8", null)).provisionId());
        assertEquals(ok.progress().toString(), Provision.State.SUCCEEDED, ok.state());
    }

    @Test
    public void badRequestsAreRefusedWithEveryProblemAndNothingStarts() throws Exception {
        Path archive = FakeNodeDistribution.build(tmp.newFolder("dist").toPath(), FakeNodeDistribution.RUNS);
        NodeProvisioner p = provisioner(archive, Map.of("private__key__file", ""));
        IasException e = refused(p, new ProvisionRequest("bad host", "", 70_000, "-x", "../etc", "/no/such/key", null));
        assertEquals(ErrorKind.INVALID, e.kind());
        assertEquals(List.of("host", "user", "port", "node_id", "dir", "key_file"),
                e.errors().stream().map(ValidationError::path).toList());
        assertEquals("\"bad host\" is not a host name or address", e.errors().get(0).message());
        assertEquals("expected an SSH port from 1 to 65535, got 70000", e.errors().get(2).message());

        IasException noCredentials = refused(p, request("p9", null));
        assertEquals("key_file", noCredentials.errors().get(0).path());
        assertTrue(noCredentials.getMessage().contains("no credentials: give a key file or a password"));

        IasException noId = refused(p, new ProvisionRequest("::1", "ias", 22, null, null, null, "pw"));
        assertEquals("node_id", noId.errors().get(0).path());

        assertEquals(List.of(), p.provisions());
        assertEquals("nothing reached the host", 0, host.commandCount());
    }

    @Test
    public void aRemoteHostIsNotGivenTheLoopbackEndpointsOfThePlatform() throws Exception {
        Path archive = FakeNodeDistribution.build(tmp.newFolder("dist").toPath(), FakeNodeDistribution.RUNS);
        IasException e = refused(provisioner(archive, Map.of()), new ProvisionRequest("10.20.30.40", "ias", 22, "far",
                null, null, null));
        assertEquals(ErrorKind.UNPROCESSABLE, e.kind());
        assertEquals(3, e.errors().size());
        assertTrue(e.getMessage(), e.errors().get(0).message().contains("platform's Kafka at 127.0.0.1:39092, which "
                + "only this machine reaches; set advertised_kafka_bootstrap_servers"));

        NodeProvisioner advertised = provisioner(archive, Map.of("advertised__kafka__bootstrap__servers",
                "platform.example:9092", "advertised__mongo__uri", "mongodb://ias:S3cret@platform.example:27017",
                "api__url", "http://platform.example:8181/ias/api/v1", "connect__timeout__ms", 200));
        Provision unreachable = await(advertised, advertised.provision(new ProvisionRequest("10.255.255.1", "ias", 22,
                "far", null, null, null)).provisionId());
        assertEquals(Provision.State.FAILED, unreachable.state());
        assertEquals("connect", unreachable.step());
        assertFalse("the store's password is not shown", unreachable.toString().contains("S3cret"));
    }

    @Test
    public void aNodeAlreadyUpOrBeingProvisionedIsAConflict() throws Exception {
        Path archive = FakeNodeDistribution.build(tmp.newFolder("dist").toPath(), FakeNodeDistribution.SILENT);
        NodeProvisioner p = provisioner(archive, Map.of("heartbeat__timeout__ms", 30_000));
        heard.declareUp("n1");
        IasException up = refused(p, request("n1", null));
        assertEquals(ErrorKind.CONFLICT, up.kind());
        assertEquals("node n1 is UP already (host elsewhere); choose another node id, or stop that node first",
                up.errors().get(0).message());

        Provision first = p.provision(request("p10", null));
        IasException twice = refused(p, request("p10", "elsewhere"));
        assertEquals(ErrorKind.CONFLICT, twice.kind());
        assertTrue(twice.getMessage(), twice.getMessage().contains("provisioning " + first.provisionId()
                + " of node p10 on ias@127.0.0.1:" + host.port() + ":ias-node-p10 is under way"));
    }

    @Test
    public void withoutAnArchiveNothingStarts() {
        NodeProvisioner p = provisioner(tmp.getRoot().toPath().resolve("missing.tar.gz"), Map.of());
        IasException e = refused(p, request("p11", null));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        NodeProvisioner carried = provisioner(tmp.getRoot().toPath(), Map.of("node__distribution", ""));
        assertTrue(refused(carried, request("p11", null)).getMessage().contains("no node distribution archive in "
                + tmp.getRoot().toPath().resolve(NodeProvisioner.CARRIED)));
        assertEquals(0, host.commandCount());
    }

    @Test
    public void theArchiveThePlatformDistributionCarriesIsFoundInItsSystemFolder() throws Exception {
        Path carried = Files.createDirectories(tmp.getRoot().toPath().resolve(NodeProvisioner.CARRIED)
                .resolve("0.1.0-SNAPSHOT"));
        Files.writeString(carried.getParent().resolve("maven-metadata-local.xml"), "<metadata/>");
        Files.writeString(carried.resolve("maven-metadata-local.xml"), "<metadata/>");
        Path archive = Files.writeString(carried.resolve("ias-node-distribution-0.1.0-SNAPSHOT.tar.gz"), "tar");
        assertEquals(archive, provisioner(tmp.getRoot().toPath(), Map.of("node__distribution", "")).archive());
    }

    private static IasException refused(NodeProvisioner p, ProvisionRequest request) {
        try {
            Provision started = p.provision(request);
            fail("accepted: " + started);
            return null;
        } catch (IasException e) {
            return e;
        }
    }

    /** Writes to two streams. */
    private static final class TeeStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] bytes, int off, int len) throws java.io.IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }
    }
}
