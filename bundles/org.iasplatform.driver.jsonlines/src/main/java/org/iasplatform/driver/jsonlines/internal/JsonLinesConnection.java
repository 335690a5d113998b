package org.iasplatform.driver.jsonlines.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;

import org.iasplatform.api.sensor.ControlCommand;
import org.iasplatform.api.sensor.SensorConnection;
import org.iasplatform.api.sensor.SensorConnectionContext;
import org.iasplatform.api.sensor.SensorInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

/**
 * One instance's connection to a JSON-lines device: a thread that connects, reads lines and reconnects with exponential
 * back-off until {@link #close()}.
 */
final class JsonLinesConnection implements SensorConnection, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(JsonLinesConnection.class);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private static final long JOIN_MS = 5_000;

    private final SensorConnectionContext context;
    private final Settings settings;
    private final ObjectMapper mapper;
    private final ObjectReader lineReader;
    private final String address;
    private final Consumer<JsonLinesConnection> onClose;
    private final Thread thread;

    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private boolean closed;
    /** The socket being connected or in use; guarded by {@link #lock}. */
    private Socket current;

    private final Object writeLock = new Object();
    /** The connected socket's output, null when not connected; guarded by {@link #writeLock}. */
    private OutputStream out;

    JsonLinesConnection(SensorConnectionContext context, Settings settings, ObjectMapper mapper,
            Consumer<JsonLinesConnection> onClose) {
        this.context = context;
        this.settings = settings;
        this.mapper = mapper;
        this.lineReader = mapper.readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        SensorInstance instance = context.instance();
        this.address = instance.ip() + ":" + instance.port();
        this.onClose = onClose;
        this.thread = new Thread(this, "ias-jsonlines-" + instance.id() + "@" + address);
        this.thread.setDaemon(true);
    }

    JsonLinesConnection start() {
        thread.start();
        return this;
    }

    static boolean isSelfConnection(Socket socket) {
        return socket.getLocalPort() == socket.getPort() && socket.getLocalAddress().equals(socket.getInetAddress());
    }

    @Override
    public void run() {
        SensorInstance instance = context.instance();
        long backoff = settings.backoffInitialMs();
        while (true) {
            Socket socket = new Socket();
            synchronized (lock) {
                if (closed) {
                    break;
                }
                current = socket;
            }
            String reason;
            try {
                socket.connect(new InetSocketAddress(instance.ip(), instance.port()), settings.connectTimeoutMs());
                if (isSelfConnection(socket)) {
                    // Linux TCP "simultaneous open": a connect to a local port in the ephemeral range with no listener can
                    // pick that very port as its own and connect to itself, echoing our writes as "readings" and holding
                    // the device's port so the device cannot come back.
                    throw new IOException("no device listening (the connection attempt met itself)");
                }
                socket.setTcpNoDelay(true);
                socket.setKeepAlive(true);
                synchronized (writeLock) {
                    out = socket.getOutputStream();
                }
            } catch (IOException | RuntimeException e) {
                closeQuietly(socket);
                if (isClosed()) {
                    break;
                }
                LOG.debug("Cannot connect to {} ({}): {}", address, instance.id(), e.toString());
                report(c -> c.disconnected("cannot connect to " + address + ": " + message(e)));
                backoff = pause(backoff);
                continue;
            }
            backoff = settings.backoffInitialMs();
            LOG.info("Connected to device {} ({})", address, instance.id());
            report(SensorConnectionContext::connected);
            try {
                read(socket);
                reason = "device closed the connection";
            } catch (IOException | RuntimeException e) {
                reason = "connection lost: " + message(e);
            } finally {
                synchronized (writeLock) {
                    out = null;
                }
                closeQuietly(socket);
            }
            if (isClosed()) {
                break;
            }
            LOG.info("Device {} ({}) disconnected: {}", address, instance.id(), reason);
            String why = reason;
            report(c -> c.disconnected(why));
            backoff = pause(backoff);
        }
        LOG.debug("Connection thread for {} ({}) ends", address, instance.id());
    }

    private void read(Socket socket) throws IOException {
        LineReader lines = new LineReader(socket.getInputStream(), settings.maxLineBytes());
        LineReader.Line line;
        while ((line = lines.next()) != null && !isClosed()) {
            if (line.overlong()) {
                long length = line.length();
                report(c -> c.invalid("line of " + length + " bytes is longer than " + settings.maxLineBytes()
                        + " bytes; discarded"));
            } else if (!line.text().isBlank()) {
                handle(line.text());
            }
        }
    }

    private void handle(String text) {
        JsonNode node;
        try {
            node = lineReader.readValue(text);
        } catch (JsonProcessingException e) {
            report(c -> c.invalid("not JSON: " + e.getOriginalMessage()));
            return;
        } catch (IOException e) {
            report(c -> c.invalid("not JSON: " + e.getMessage()));
            return;
        }
        if (node == null || !node.isObject()) {
            report(c -> c.invalid("not a JSON object: " + abbreviate(text)));
            return;
        }
        Map<String, Object> data = mapper.convertValue(node, MAP);
        report(c -> c.reading(data));
    }

    /** Calls the context unless closed; a context that throws does not stop the connection. */
    private void report(Consumer<SensorConnectionContext> call) {
        if (isClosed()) {
            return;
        }
        try {
            call.accept(context);
        } catch (RuntimeException e) {
            LOG.warn("Sensor connection context of {} threw", context.instance().id(), e);
        }
    }

    /** Waits {@code backoff} ms unless closed first; returns the next back-off. */
    private long pause(long backoff) {
        long deadline = System.nanoTime() + backoff * 1_000_000L;
        synchronized (lock) {
            long remaining;
            while (!closed && (remaining = deadline - System.nanoTime()) > 0) {
                try {
                    lock.wait(Math.max(1, remaining / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    closed = true;
                }
            }
        }
        return Math.min(backoff * 2, settings.backoffMaxMs());
    }

    @Override
    public void control(ControlCommand command) throws IOException {
        byte[] line = (mapper.writeValueAsString(command) + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (writeLock) {
            if (out == null) {
                throw new IOException("device not connected");
            }
            out.write(line);
            out.flush();
        }
    }

    /** Whether the device is connected now. */
    boolean isConnected() {
        synchronized (writeLock) {
            return out != null;
        }
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    @Override
    public void close() {
        Socket socket;
        synchronized (lock) {
            if (closed && current == null) {
                return;
            }
            closed = true;
            socket = current;
            current = null;
            lock.notifyAll();
        }
        closeQuietly(socket);
        if (Thread.currentThread() != thread && thread.isAlive()) {
            try {
                thread.join(JOIN_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                LOG.warn("Connection thread {} did not end within {} ms", thread.getName(), JOIN_MS);
            }
        }
        onClose.accept(this);
    }

    private static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
