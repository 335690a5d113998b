package org.iasplatform.provision.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

import org.iasplatform.sshsupport.HostKeys;
import org.iasplatform.sshsupport.JschLogger;
import org.iasplatform.sshsupport.SshAuth;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SftpException;
import com.jcraft.jsch.SftpProgressMonitor;

/**
 * One SSH session with a host (jsch): commands in exec channels (through the user's shell, as {@code ssh host CMD}
 * does), files over SFTP. Every operation is bounded in time: a watchdog ends the session when one takes longer than its
 * time-out, which unblocks whatever waits on it. Nothing here writes the password, the passphrase or the key's contents
 * anywhere: messages name the host and the user only.
 */
final class RemoteHost implements AutoCloseable {
    /** jsch's own log (see {@link JschLogger}). */
    static final String JSCH_LOG = "org.iasplatform.provision.jsch";
    private static final int MAX_OUTPUT_BYTES = 256 * 1024;

    /** What a command printed and how it ended ({@code exitStatus} -1: unknown). */
    record Result(String stdout, String stderr, int exitStatus) {
        boolean ok() {
            return exitStatus == 0;
        }

        /** Exit status and standard error (or output), when they say something, for a message. */
        String answer() {
            String said = !stderr.isBlank() ? stderr : stdout;
            return "exit " + exitStatus + (said.isBlank() ? "" : ": " + excerpt(said));
        }
    }

    /** A command or transfer that took longer than allowed. */
    static final class TimedOut extends IOException {
        private static final long serialVersionUID = 1L;

        TimedOut(String message) {
            super(message);
        }
    }

    private final Target target;
    private final JSch jsch;
    private final Session session;
    private final ScheduledExecutorService watchdog;
    private final AtomicBoolean timedOut = new AtomicBoolean();
    private ChannelSftp sftp;

    private RemoteHost(Target target, JSch jsch, Session session, ScheduledExecutorService watchdog) {
        this.target = target;
        this.jsch = jsch;
        this.session = session;
        this.watchdog = watchdog;
    }

    /**
     * Connects and authenticates with the target's key and/or password, host keys checked by {@code hostKeys}.
     *
     * @throws StepFailure for step "connect", saying why plainly (never a secret)
     */
    static RemoteHost connect(Target target, String keyPassphrase, HostKeys hostKeys, Duration connectTimeout,
            ScheduledExecutorService watchdog) throws StepFailure {
        JSch jsch = new JSch();
        jsch.setInstanceLogger(new JschLogger(JSCH_LOG));
        jsch.setHostKeyRepository(hostKeys);
        boolean keyLoaded = false;
        if (!target.keyFile().isEmpty()) {
            try {
                jsch.addIdentity(target.keyFile(), keyPassphrase.isEmpty() ? null
                        : keyPassphrase.getBytes(StandardCharsets.UTF_8));
                keyLoaded = true;
            } catch (JSchException e) {
                // jsch's messages here name the file or the key format, never the key's contents
                if (target.password().isEmpty()) {
                    throw new StepFailure(Step.CONNECT, "the private key " + target.keyFile() + " cannot be used: "
                            + e.getMessage());
                }
            }
        }
        String methods = SshAuth.methods(!target.keyFile().isEmpty(), keyLoaded, !target.password().isEmpty());
        Session session;
        try {
            session = jsch.getSession(target.user(), target.host(), target.port());
        } catch (JSchException e) {
            throw new StepFailure(Step.CONNECT, target.address() + ": " + e.getMessage());
        }
        session.setConfig("StrictHostKeyChecking", "yes");
        session.setConfig("PreferredAuthentications", methods);
        if (!target.password().isEmpty()) {
            session.setPassword(target.password());
        }
        try {
            session.setServerAliveInterval((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
            session.setServerAliveCountMax(3);
            session.connect((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
        } catch (JSchException e) {
            session.disconnect();
            throw new StepFailure(Step.CONNECT, target.address() + ": " + hostKeys.describe(e, methods));
        }
        return new RemoteHost(target, jsch, session, watchdog);
    }

    /** The host key the server presented, as {@code type SHA256:...}, for the progress. */
    String hostKey() {
        var key = session.getHostKey();
        return key == null ? "?" : key.getType() + " " + key.getFingerPrint(jsch);
    }

    /**
     * Runs {@code command} on the host (through the user's shell) and returns what it printed and its exit status; at
     * most {@code timeout}.
     */
    Result exec(String command, Duration timeout) throws IOException {
        return bounded(timeout, "`" + firstWord(command) + "`", () -> {
            ChannelExec channel = (ChannelExec) session.openChannel("exec");
            try {
                channel.setCommand(command);
                channel.setInputStream(null);
                Limited stderr = new Limited();
                channel.setErrStream(stderr, true);
                InputStream in = channel.getInputStream();
                channel.connect((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
                Limited stdout = new Limited();
                in.transferTo(stdout);
                // the exit status follows stdout's EOF at once: polled for, with a deadline
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (channel.getExitStatus() == -1 && !channel.isClosed() && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
                return new Result(stdout.text(), stderr.text(), channel.getExitStatus());
            } finally {
                channel.disconnect();
            }
        });
    }

    /**
     * Copies {@code local} to {@code remote} over SFTP, telling {@code progress} the bytes copied so far; at most
     * {@code timeout}.
     */
    void upload(Path local, String remote, LongConsumer progress, Duration timeout) throws IOException {
        bounded(timeout, "the copy", () -> {
            sftp().put(local.toString(), remote, new SftpProgressMonitor() {
                private long done;

                @Override
                public void init(int op, String src, String dest, long max) {
                }

                @Override
                public boolean count(long count) {
                    done += count;
                    progress.accept(done);
                    return true;
                }

                @Override
                public void end() {
                }
            }, ChannelSftp.OVERWRITE);
            return null;
        });
    }

    /** The size of a remote file (SFTP stat). */
    long size(String remote, Duration timeout) throws IOException {
        return bounded(timeout, "stat " + remote, () -> sftp().stat(remote).getSize());
    }

    /** Renames a remote file, replacing the target (SFTP rename after removing it). */
    void rename(String from, String to, Duration timeout) throws IOException {
        bounded(timeout, "rename " + from, () -> {
            try {
                sftp().rm(to);
            } catch (SftpException e) {
                if (e.id != ChannelSftp.SSH_FX_NO_SUCH_FILE) {
                    throw e;
                }
            }
            sftp().rename(from, to);
            return null;
        });
    }

    /** A remote text file's content (SFTP). */
    String read(String remote, Duration timeout) throws IOException {
        return bounded(timeout, "reading " + remote, () -> {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            sftp().get(remote, bytes);
            return bytes.toString(StandardCharsets.UTF_8);
        });
    }

    /** Writes a remote text file (SFTP), replacing it. */
    void write(String remote, String content, Duration timeout) throws IOException {
        bounded(timeout, "writing " + remote, () -> {
            sftp().put(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), remote,
                    ChannelSftp.OVERWRITE);
            return null;
        });
    }

    private ChannelSftp sftp() throws JSchException {
        if (sftp == null || !sftp.isConnected()) {
            ChannelSftp channel = (ChannelSftp) session.openChannel("sftp");
            channel.connect();
            sftp = channel;
        }
        return sftp;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run() throws JSchException, SftpException, IOException;
    }

    /** Runs {@code work}; past {@code timeout} the session is ended and {@link TimedOut} thrown. */
    private <T> T bounded(Duration timeout, String what, Work<T> work) throws IOException {
        ScheduledFuture<?> guard;
        try {
            guard = watchdog.schedule(() -> {
                timedOut.set(true);
                session.disconnect();
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            throw new IOException("provisioning is stopping");
        }
        try {
            return work.run();
        } catch (JSchException | SftpException | IOException e) {
            if (timedOut.get()) {
                throw new TimedOut(what + " took longer than " + timeout.toSeconds() + " s: no answer from "
                        + target.address());
            }
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException(describe(e), e);
        } finally {
            guard.cancel(false);
        }
    }

    /** jsch's and SFTP's failures, said plainly (SFTP status texts name paths, never secrets). */
    private static String describe(Exception e) {
        if (e instanceof SftpException s) {
            return "SFTP: " + s.getMessage() + " (status " + s.id + ")";
        }
        return String.valueOf(e.getMessage());
    }

    @Override
    public void close() {
        if (sftp != null) {
            sftp.disconnect();
        }
        session.disconnect();
    }

    /** Quotes {@code word} for a POSIX shell. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** The last lines of some text (at most 2000 characters), on one line, for a message. */
    static String excerpt(String text) {
        String t = text.strip();
        if (t.length() > 2000) {
            t = "…" + t.substring(t.length() - 2000);
        }
        return t.replace("\r", "").replace("\n", " | ");
    }

    private static String firstWord(String command) {
        String c = command.strip();
        int space = c.indexOf(' ');
        return space < 0 ? c : c.substring(0, space);
    }

    /** A bounded buffer: past the bound, the rest is dropped. */
    private static final class Limited extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, Math.max(0, Math.min(len, MAX_OUTPUT_BYTES - bytes.size())));
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
