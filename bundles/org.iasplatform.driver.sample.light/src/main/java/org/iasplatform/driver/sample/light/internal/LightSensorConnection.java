package org.iasplatform.driver.sample.light.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;

import org.iasplatform.api.sensor.ControlCommand;
import org.iasplatform.api.sensor.SensorConnection;
import org.iasplatform.api.sensor.SensorConnectionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One light sensor's connection: a thread that connects, reads lines, reports them to the sensor manager through the
 * {@link SensorConnectionContext}, and reconnects with a doubling delay until closed.
 */
final class LightSensorConnection implements SensorConnection {
    private static final Logger LOG = LoggerFactory.getLogger(LightSensorConnection.class);
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final SensorConnectionContext context;
    private final LightSensorDriver.Config config;
    private final Consumer<LightSensorConnection> onClose;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Socket socket;

    LightSensorConnection(SensorConnectionContext context, LightSensorDriver.Config config,
            Consumer<LightSensorConnection> onClose) {
        this.context = context;
        this.config = config;
        this.onClose = onClose;
        this.thread = new Thread(this::run, "ias-light-driver-" + context.instance().id());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        String address = context.instance().ip() + ":" + context.instance().port();
        long delay = config.reconnect__delay__ms();
        while (!closed) {
            try (Socket s = new Socket()) {
                socket = s;
                if (closed) {
                    break; // close() ran before the socket was published
                }
                s.connect(new InetSocketAddress(context.instance().ip(), context.instance().port()),
                        config.connect__timeout__ms());
                if (s.getLocalPort() == s.getPort() && s.getLocalAddress().equals(s.getInetAddress())) {
                    // a connect to a free local port can meet itself (TCP simultaneous open): that is no device
                    throw new IOException("no device listening (the connection attempt met itself)");
                }
                delay = config.reconnect__delay__ms();
                context.connected();
                readLines(s.getInputStream());
                if (!closed) {
                    context.disconnected("device closed the connection");
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    context.disconnected(address + ": " + e.getMessage());
                }
            } finally {
                socket = null;
            }
            sleep(delay);
            delay = Math.min(delay * 2, config.reconnect__max__ms());
        }
    }

    /** Reads lines, never keeping more than max_line_bytes of one line in memory. */
    private void readLines(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean tooLong = false;
        byte[] buffer = new byte[4096];
        int n;
        while (!closed && (n = in.read(buffer)) >= 0) {
            for (int i = 0; i < n && !closed; i++) {
                byte b = buffer[i];
                if (b == '\n') {
                    if (tooLong) {
                        context.invalid("line longer than " + config.max__line__bytes() + " bytes");
                    } else {
                        onLine(line.toString(StandardCharsets.UTF_8).trim());
                    }
                    line.reset();
                    tooLong = false;
                } else if (!tooLong) {
                    if (line.size() >= config.max__line__bytes()) {
                        tooLong = true;
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
            }
        }
    }

    private void onLine(String text) {
        if (text.isEmpty()) {
            return;
        }
        try {
            JsonNode node = MAPPER.readTree(text);
            if (node.isObject()) {
                context.reading(MAPPER.convertValue(node, MAP));
            } else if (node.isIntegralNumber()) {
                context.reading(Map.of("lux", node.intValue())); // a bare number is the lux value
            } else {
                context.invalid("neither a JSON object nor a number: " + text);
            }
        } catch (JsonProcessingException e) {
            context.invalid("not JSON: " + e.getOriginalMessage());
        }
    }

    private void sleep(long ms) {
        synchronized (this) {
            long deadline = System.currentTimeMillis() + ms;
            long left;
            while (!closed && (left = deadline - System.currentTimeMillis()) > 0) {
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void control(ControlCommand command) throws IOException {
        Socket s = socket;
        if (s == null || !s.isConnected() || s.isClosed()) {
            throw new IOException("device not connected");
        }
        byte[] line = (MAPPER.writeValueAsString(command) + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (s) {
            OutputStream out = s.getOutputStream();
            out.write(line);
            out.flush();
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            notifyAll();
        }
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.debug("closing {}", context.instance().id(), e);
            }
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        onClose.accept(this);
    }
}
