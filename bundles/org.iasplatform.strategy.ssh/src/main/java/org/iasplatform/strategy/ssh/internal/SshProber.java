package org.iasplatform.strategy.ssh.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.iasplatform.sshsupport.HostKeys;
import org.iasplatform.sshsupport.JschLogger;
import org.iasplatform.sshsupport.SshAuth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;

/**
 * Measures one host as the seed did: one SSH session (jsch), {@code free} then {@code vmstat 1 2} on it, each in an
 * exec channel, read by {@link ProbeParser}. Thread-safe: probes of several hosts may run at once.
 *
 * <p>Credentials: the configured private key (loaded once, when this is made) and/or password; only the methods
 * configured are offered. Host keys: strict against {@code known_hosts_file} when configured, otherwise accept-new in
 * memory ({@link HostKeys}). Time: the TCP connect and each handshake read are bounded by the connect time-out;
 * a probe still running after connect + command time-out is ended by closing its session from a watchdog, which
 * unblocks whatever it waits on. Nothing here writes the password, the passphrase or the key's contents anywhere:
 * messages name the host and the user only.
 */
final class SshProber implements AutoCloseable {
    static final String FREE = "free";
    static final String VMSTAT = "vmstat 1 2";
    /** jsch's own log (see {@link JschLogger}). */
    static final String JSCH_LOG = "org.iasplatform.strategy.ssh.jsch";
    private static final Logger LOG = LoggerFactory.getLogger(SshProber.class);
    /** More output than this is not what {@code free} or {@code vmstat 1 2} print. */
    private static final int MAX_OUTPUT_BYTES = 64 * 1024;
    private static final int MAX_STDERR_BYTES = 4 * 1024;

    private final Settings settings;
    private final JSch jsch = new JSch();
    private final boolean keyLoaded;
    private final String authentications;
    private final HostKeys hostKeys;
    private final ScheduledExecutorService watchdog;
    private final Set<Session> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    SshProber(Settings settings) {
        this.settings = settings;
        jsch.setInstanceLogger(new JschLogger(JSCH_LOG));
        this.keyLoaded = loadKey(settings);
        this.authentications = SshAuth.methods(!settings.privateKeyFile().isEmpty(), keyLoaded,
                !settings.password().isEmpty());
        this.hostKeys = HostKeys.install(jsch, settings.knownHostsFile(), "SSH probe");
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "ias-ssh-probe-watchdog");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        this.watchdog = timer;
    }

    private boolean loadKey(Settings settings) {
        String file = settings.privateKeyFile();
        if (file.isEmpty()) {
            return false;
        }
        try {
            byte[] passphrase = settings.privateKeyPassphrase().isEmpty() ? null
                    : settings.privateKeyPassphrase().getBytes(StandardCharsets.UTF_8);
            jsch.addIdentity(file, passphrase);
            return true;
        } catch (JSchException e) {
            // jsch's messages here name the file or the key format, never the key's contents
            LOG.error("SSH probe: private_key_file {} cannot be used ({}); probes authenticate {}", file,
                    e.getMessage(), settings.password().isEmpty() ? "with nothing and fail" : "by password only");
            return false;
        }
    }

    /**
     * Measures {@code target}'s host.
     *
     * @throws ProbeException why not, naming the host and user (never a secret)
     */
    Measurement probe(HostTarget target) throws ProbeException {
        if (closed) {
            throw new ProbeException(target.address() + ": the strategy is stopping");
        }
        long timeoutMs = settings.connectTimeout().toMillis() + settings.commandTimeout().toMillis();
        Session session;
        try {
            session = jsch.getSession(target.user(), target.host(), target.port());
        } catch (JSchException e) {
            throw new ProbeException(target.address() + ": " + e.getMessage());
        }
        session.setConfig("StrictHostKeyChecking", "yes");
        session.setConfig("PreferredAuthentications", authentications);
        if (!settings.password().isEmpty()) {
            session.setPassword(settings.password());
        }
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> guard;
        try {
            guard = watchdog.schedule(() -> {
                timedOut.set(true);
                session.disconnect();
            }, timeoutMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            throw new ProbeException(target.address() + ": the strategy is stopping");
        }
        open.add(session);
        try {
            if (closed) { // close() either saw this session in open or is seen here
                throw new ProbeException(target.address() + ": the strategy is stopping");
            }
            session.connect((int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()));
            Output free = exec(session, FREE);
            Output vmstat = exec(session, VMSTAT);
            if (timedOut.get()) {
                throw new ProbeException(target.address() + ": no answer within " + timeoutMs + " ms");
            }
            return new Measurement(mem(target, free), cpu(target, vmstat));
        } catch (JSchException e) {
            throw new ProbeException(target.address() + ": "
                    + (timedOut.get() ? "no answer within " + timeoutMs + " ms" : hostKeys.describe(e, authentications)));
        } catch (IOException e) {
            throw new ProbeException(target.address() + ": "
                    + (timedOut.get() ? "no answer within " + timeoutMs + " ms" : e.toString()));
        } finally {
            guard.cancel(false);
            session.disconnect();
            open.remove(session);
        }
    }

    private static double mem(HostTarget target, Output free) throws ProbeException {
        try {
            return ProbeParser.memUsage(free.stdout());
        } catch (ProbeParser.ProbeParseException e) {
            throw new ProbeException(target.address() + ": `" + FREE + "`" + free.status() + ": " + e.getMessage());
        }
    }

    private static double cpu(HostTarget target, Output vmstat) throws ProbeException {
        try {
            return ProbeParser.cpuUsage(vmstat.stdout());
        } catch (ProbeParser.ProbeParseException e) {
            throw new ProbeException(target.address() + ": `" + VMSTAT + "`" + vmstat.status() + ": " + e.getMessage());
        }
    }

    /** What a command printed. */
    private record Output(String stdout, String stderr, int exitStatus) {
        /** Exit status and standard error, when they say something, for a message. */
        String status() {
            return (exitStatus > 0 ? " exited " + exitStatus : "")
                    + (stderr.isBlank() ? "" : " (stderr " + ProbeParser.excerpt(stderr) + ")");
        }
    }

    private Output exec(Session session, String command) throws JSchException, IOException {
        ChannelExec channel = (ChannelExec) session.openChannel("exec");
        try {
            channel.setCommand(command);
            channel.setInputStream(null);
            Limited stderr = new Limited(MAX_STDERR_BYTES, false);
            channel.setErrStream(stderr, true);
            InputStream in = channel.getInputStream();
            channel.connect((int) Math.min(Integer.MAX_VALUE, settings.commandTimeout().toMillis()));
            Limited stdout = new Limited(MAX_OUTPUT_BYTES, true);
            in.transferTo(stdout);
            // stdout's EOF comes after all of stderr; the exit status may follow it (then it is unknown here: -1)
            return new Output(stdout.text(), stderr.text(), channel.getExitStatus());
        } finally {
            channel.disconnect();
        }
    }

    /** A buffer with a bound: past it, it fails (stdout) or drops the rest (stderr, only quoted in messages). */
    private static final class Limited extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final int max;
        private final boolean fail;

        Limited(int max, boolean fail) {
            this.max = max;
            this.fail = fail;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            int room = max - bytes.size();
            if (len > room && fail) {
                throw new IOException("more than " + max + " bytes of output");
            }
            bytes.write(b, off, Math.min(len, room));
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    /** Ends every probe under way and refuses new ones. */
    @Override
    public void close() {
        closed = true;
        watchdog.shutdownNow();
        for (Session session : open) {
            session.disconnect();
        }
    }
}
