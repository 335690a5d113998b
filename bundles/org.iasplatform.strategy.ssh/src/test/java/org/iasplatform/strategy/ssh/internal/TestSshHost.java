package org.iasplatform.strategy.ssh.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.apache.sshd.server.Environment;
import org.apache.sshd.server.channel.ChannelSession;
import org.iasplatform.testsupport.ShellSshServer;

/**
 * A probed host's side, for tests: a real SSH server (Apache MINA SSHD, {@link ShellSshServer}) on 127.0.0.1 and a free
 * port, with password and/or public-key authentication, whose exec channels answer {@code free} and {@code vmstat 1 2}
 * with canned outputs (or, for {@code vmstat}, never, until the channel is closed). It counts the commands it is asked
 * to run.
 */
final class TestSshHost implements AutoCloseable {
    static final String USER = ShellSshServer.USER;

    private final ShellSshServer server;
    private final ExecutorService answering = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-ssh-host-command");
        t.setDaemon(true);
        return t;
    });
    private final CountDownLatch hangingCommandEnded = new CountDownLatch(1);
    private volatile String free;
    private volatile String vmstat;
    private volatile boolean vmstatHangs;

    /**
     * @param password  the password USER authenticates with, or null for none
     * @param clientKey the public key USER authenticates with, or null for none
     */
    TestSshHost(String free, String vmstat, String password, PublicKey clientKey) throws IOException {
        this.free = free;
        this.vmstat = vmstat;
        this.server = new ShellSshServer(password, clientKey, Canned::new);
    }

    static KeyPair newKeyPair() {
        return ShellSshServer.newKeyPair();
    }

    int port() {
        return server.port();
    }

    /** The {@code hosts} entry for {@code nodeId} on this host. */
    String entry(String nodeId) {
        return nodeId + "=" + USER + "@127.0.0.1:" + port();
    }

    /** This host's line for a known_hosts file, as {@code ssh-keyscan -p PORT 127.0.0.1} would print it. */
    String knownHostsLine() {
        return server.knownHostsLine();
    }

    /** The host key's fingerprint as {@code ssh-keygen -l} prints it ({@code SHA256:...}). */
    String fingerprint() {
        return server.fingerprint();
    }

    /** From now on the host presents another host key (a reinstalled host, or a man in the middle). */
    void changeHostKey() {
        server.changeHostKey();
    }

    /** From now on the host answers so; a null {@code vmstat} is a host without it ("not found", exit 127). */
    void answer(String free, String vmstat) {
        this.free = free;
        this.vmstat = vmstat;
    }

    /** {@code vmstat 1 2} from now on prints nothing and never ends (until its channel is closed). */
    void hangVmstat() {
        vmstatHangs = true;
    }

    /** Counts down when a hanging {@code vmstat} was ended by the client closing its channel or session. */
    CountDownLatch hangingCommandEnded() {
        return hangingCommandEnded;
    }

    /** How often the host was asked to run {@code command}. */
    int count(String command) {
        return server.count(command);
    }

    @Override
    public void close() throws IOException {
        server.close();
        answering.shutdownNow();
    }

    /** One exec channel's command: answers as the host's {@code free} or {@code vmstat 1 2} would. */
    private final class Canned extends ShellSshServer.ChannelCommand {
        private final String command;
        private volatile boolean hanging;

        Canned(String command) {
            this.command = command;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            if (command.equals("vmstat 1 2") && vmstatHangs) {
                hanging = true;
                return; // ends in destroy
            }
            answering.execute(() -> {
                try {
                    switch (command) {
                        case "free" -> write(out, free, 0);
                        case "vmstat 1 2" -> {
                            if (vmstat == null) { // procps not installed
                                write(err, "sh: 1: vmstat: not found\n", 127);
                            } else {
                                write(out, vmstat, 0);
                            }
                        }
                        default -> write(err, "sh: 1: " + command.split(" ")[0] + ": not found\n", 127);
                    }
                } catch (IOException e) {
                    exit.onExit(1, e.toString());
                }
            });
        }

        private void write(OutputStream stream, String text, int status) throws IOException {
            stream.write(text.getBytes(StandardCharsets.UTF_8));
            stream.flush();
            exit.onExit(status);
        }

        @Override
        public void destroy(ChannelSession channel) {
            if (hanging) {
                hangingCommandEnded.countDown();
            }
        }
    }
}
