package org.iasplatform.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.file.nativefs.NativeFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * A remote host's side, for tests: a real SSH server (Apache MINA SSHD) on 127.0.0.1 and a free port, with public key
 * and/or password authentication for {@value #USER}, SFTP on this machine's file system, and exec channels that really
 * run their command on this machine ({@code /bin/sh -c COMMAND} in the user's home, {@code HOME} set to it), as an
 * OpenSSH server does; or, for a test that plays a host's answers, commands of the test's own. It counts the commands it
 * was asked to run.
 */
public final class ShellSshServer implements AutoCloseable {
    public static final String USER = "ias";

    private final SshServer server = SshServer.setUpDefaultServer();
    private final AtomicReference<KeyPair> hostKey = new AtomicReference<>(newKeyPair());
    private final Map<String, Integer> commands = new ConcurrentHashMap<>();

    /**
     * A host whose commands really run on this machine.
     *
     * @param home      the user's home (exec channels start there)
     * @param password  the password USER authenticates with, or null for none
     * @param clientKey the public key USER authenticates with, or null for none
     */
    public ShellSshServer(Path home, String password, PublicKey clientKey) throws IOException {
        this(password, clientKey, command -> new ShellCommand(command, home));
    }

    /**
     * A host whose exec channels run the test's commands.
     *
     * @param commands the command answering an exec channel's command line
     */
    public ShellSshServer(String password, PublicKey clientKey, Function<String, Command> commands) throws IOException {
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new KeyPairProvider() {
            @Override
            public Iterable<KeyPair> loadKeys(SessionContext session) {
                return List.of(hostKey.get());
            }
        });
        if (password != null) {
            server.setPasswordAuthenticator((user, given, session) -> USER.equals(user) && password.equals(given));
        }
        if (clientKey != null) {
            server.setPublickeyAuthenticator((user, key, session) -> USER.equals(user)
                    && KeyUtils.compareKeys(clientKey, key));
        }
        server.setKeyboardInteractiveAuthenticator(null);
        server.setCommandFactory((channel, command) -> {
            this.commands.merge(command, 1, Integer::sum);
            return commands.apply(command);
        });
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        server.setFileSystemFactory(new NativeFileSystemFactory());
        server.start();
    }

    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code key}'s private half as an OpenSSH private key file (what a client is given), readable by its owner. */
    public static Path writePrivateKey(KeyPair key, Path file) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            new OpenSSHKeyPairResourceWriter().writePrivateKey(key, "ias@test", null, out);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    public int port() {
        return server.getPort();
    }

    /** This host's line for a known_hosts file, as {@code ssh-keyscan -p PORT 127.0.0.1} would print it. */
    public String knownHostsLine() {
        return "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(hostKey.get().getPublic());
    }

    /** The host key's fingerprint as {@code ssh-keygen -l} prints it ({@code SHA256:...}). */
    public String fingerprint() {
        return KeyUtils.getFingerPrint(hostKey.get().getPublic());
    }

    /** From now on the host presents another host key (a reinstalled host, or a man in the middle). */
    public void changeHostKey() {
        hostKey.set(newKeyPair());
    }

    /** How often the host was asked to run {@code command}. */
    public int count(String command) {
        return commands.getOrDefault(command, 0);
    }

    /** How many commands the host was asked to run. */
    public int commandCount() {
        return commands.values().stream().mapToInt(Integer::intValue).sum();
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }

    /** An exec channel's command: holds its streams and exit callback; subclasses start it. */
    public abstract static class ChannelCommand implements Command {
        protected InputStream in;
        protected OutputStream out;
        protected OutputStream err;
        protected ExitCallback exit;

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback exit) {
            this.exit = exit;
        }
    }

    /** An exec channel's command, run by {@code /bin/sh -c} as a real process in the user's home. */
    private static final class ShellCommand extends ChannelCommand {
        private final String command;
        private final Path home;
        private Process process;

        ShellCommand(String command, Path home) {
            this.command = command;
            this.home = home;
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command).directory(home.toFile());
            builder.environment().put("HOME", home.toString());
            process = builder.start();
            Thread pumpOut = pump(process.getInputStream(), out);
            Thread pumpErr = pump(process.getErrorStream(), err);
            Thread waiter = new Thread(() -> {
                try {
                    int code = process.waitFor();
                    pumpOut.join();
                    pumpErr.join();
                    exit.onExit(code);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "test-ssh-exit");
            waiter.setDaemon(true);
            waiter.start();
            process.getOutputStream().close(); // exec channels here send no input
        }

        private static Thread pump(InputStream from, OutputStream to) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try {
                    for (int n; (n = from.read(buffer)) >= 0;) {
                        to.write(buffer, 0, n);
                        to.flush();
                    }
                } catch (IOException e) {
                    // the channel closed
                }
            }, "test-ssh-pump");
            t.setDaemon(true);
            t.start();
            return t;
        }

        @Override
        public void destroy(ChannelSession channel) {
            if (process != null && process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
    }
}
