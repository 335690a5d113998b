package org.iasplatform.sample.simulator;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A simulated device: a TCP server on 127.0.0.1 speaking the JSON-lines protocol. Every client gets one JSON reading per
 * line (every {@linkplain #setPeriodMillis(long) period}, or as fast as it reads in {@linkplain #setFlood(boolean) flood
 * mode}); each line a client writes is a control command {@code {"function": NAME, "params": {...}}}. Several clients may
 * be connected; one going away never stops the device.
 * <p>
 * Readings by type: {@code gps-sensor} {placeholder, x, y} moving along a route ({@code placeholder} from the tags, the
 * {@code admin} one stays near the depot), {@code biometric-sensor} {person_id, event} boarding and alighting,
 * {@code light-sensor} {lux} fading below 40 like dusk ({@code switchOnLight {level}} lights it to at least 40),
 * {@code temp-sensor} {temperature} ({@code switchOnAC {time}} cools it for that many minutes); any other type
 * {value}.
 */
public final class SimulatedDevice implements AutoCloseable {
    /**
     * A control command received from a client.
     *
     * @param function the command's {@code function}
     * @param params   its {@code params} (integral numbers as Long)
     * @param raw      the line as received
     */
    public record Command(String function, Map<String, Object> params, String raw) {
        public Command {
            params = params == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }
    }

    private static final int MAX_LINE_BYTES = 64 * 1024;
    private static final int OUTBOX_CAPACITY = 10_000;

    private final String sensorType;
    private final int requestedPort;
    private final String name;
    private final Behaviour behaviour;
    private final List<Client> clients = new CopyOnWriteArrayList<>();
    private final List<Command> commands = new CopyOnWriteArrayList<>();
    private final AtomicLong readingsSent = new AtomicLong();
    private final Object lock = new Object();
    private volatile long periodMillis = 1000;
    private volatile boolean flood;
    private volatile boolean running;
    private volatile Consumer<String> log = System.out::println;
    private ServerSocket server;
    private Thread acceptor;
    private Thread ticker;

    /** A device of {@code sensorType} listening on {@code port} (0 for any free port) once started. */
    public SimulatedDevice(String sensorType, int port) {
        this(sensorType, port, Map.of());
    }

    /**
     * @param tags the instance's tags, as in sensorInstance.json (a GPS device reports its {@code placeholder})
     */
    public SimulatedDevice(String sensorType, int port, Map<String, String> tags) {
        this.sensorType = Objects.requireNonNull(sensorType, "sensorType");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        this.requestedPort = port;
        this.name = sensorType + "@" + port;
        this.behaviour = Behaviour.forType(sensorType, tags == null ? Map.of() : tags, new Random(port * 31L + 7),
                System::currentTimeMillis);
    }

    public String sensorType() {
        return sensorType;
    }

    /** {@code type@port}, as printed. */
    public String name() {
        return running && requestedPort == 0 ? sensorType + "@" + port() : name;
    }

    /** Starts listening on 127.0.0.1 and sending readings. */
    public SimulatedDevice start() throws IOException {
        synchronized (lock) {
            if (running) {
                return this;
            }
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            try {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort));
            } catch (IOException e) {
                socket.close();
                throw new IOException(name + ": cannot listen on 127.0.0.1:" + requestedPort + ": " + e.getMessage(), e);
            }
            server = socket;
            running = true;
            acceptor = thread(this::accept, "accept");
            ticker = thread(this::tick, "ticker");
        }
        return this;
    }

    private Thread thread(Runnable body, String role) {
        Thread thread = new Thread(body, "simulator-" + sensorType + "@" + port() + "-" + role);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** The port listened on (the actual one when started with port 0). */
    public int port() {
        ServerSocket s = server;
        return s != null && s.getLocalPort() > 0 ? s.getLocalPort() : requestedPort;
    }

    public boolean isRunning() {
        return running;
    }

    /** Sets the time between two readings (at least 1 ms). */
    public void setPeriodMillis(long periodMillis) {
        this.periodMillis = Math.max(1, periodMillis);
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    public long periodMillis() {
        return periodMillis;
    }

    /** In flood mode every client is sent readings as fast as it reads them (for benchmarks). */
    public void setFlood(boolean flood) {
        this.flood = flood;
    }

    public boolean isFlood() {
        return flood;
    }

    /** Where the device prints what it does (default: standard output). */
    public void setLog(Consumer<String> log) {
        this.log = log == null ? line -> { } : log;
    }

    /** Every control command received so far, oldest first. */
    public List<Command> receivedCommands() {
        return List.copyOf(commands);
    }

    /** The reading the device would send now. */
    public Map<String, Object> currentState() {
        synchronized (behaviour) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(behaviour.current()));
        }
    }

    /** Sends one line as is to every connected client (e.g. garbage, to test the platform's tolerance). */
    public void sendRaw(String line) {
        for (Client client : clients) {
            client.enqueue(line);
        }
    }

    public int connectedClients() {
        return clients.size();
    }

    /** Readings written to clients so far (each client counted). */
    public long readingsSent() {
        return readingsSent.get();
    }

    /** Stops listening and disconnects every client. */
    @Override
    public void close() {
        synchronized (lock) {
            if (!running) {
                return;
            }
            running = false;
            lock.notifyAll();
        }
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Client client : clients) {
            client.close();
        }
        for (Thread thread : new Thread[] {acceptor, ticker}) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return name();
    }

    // ---------------------------------------------------------------- internals

    private void accept() {
        while (running) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                Client client = new Client(socket);
                clients.add(client);
                log.accept(name() + ": client " + client.peer + " connected");
                client.start();
            } catch (IOException e) {
                if (running) {
                    log.accept(name() + ": accept failed: " + e.getMessage());
                }
            }
        }
    }

    private void tick() {
        while (running) {
            synchronized (lock) {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(periodMillis);
                long left;
                while (running && (left = deadline - System.nanoTime()) > 0) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(lock, left);
                    } catch (InterruptedException e) {
                        return;
                    }
                    deadline = Math.min(deadline, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(periodMillis));
                }
            }
            if (running && !flood) {
                String line = nextReadingLine();
                for (Client client : clients) {
                    client.enqueueReading(line);
                }
            }
        }
    }

    private String nextReadingLine() {
        synchronized (behaviour) {
            return Json.write(behaviour.next());
        }
    }

    private void onLine(Client client, String line) {
        if (line.isBlank()) {
            return;
        }
        Object parsed;
        try {
            parsed = Json.parse(line);
        } catch (IllegalArgumentException e) {
            log.accept(name() + ": ignoring a line that is not JSON (" + e.getMessage() + "): " + abbreviate(line));
            return;
        }
        if (!(parsed instanceof Map<?, ?> map) || !(map.get("function") instanceof String function)) {
            log.accept(name() + ": ignoring a line that is not a command: " + abbreviate(line));
            return;
        }
        Map<String, Object> params = new LinkedHashMap<>();
        if (map.get("params") instanceof Map<?, ?> p) {
            p.forEach((k, v) -> params.put(String.valueOf(k), v));
        }
        commands.add(new Command(function, params, line));
        String outcome;
        String reading;
        synchronized (behaviour) {
            outcome = behaviour.control(function, params);
            reading = Json.write(behaviour.current());
        }
        if (outcome == null) {
            log.accept(name() + ": unknown command " + function + " " + Json.write(params) + " ignored");
            return;
        }
        log.accept(name() + ": " + outcome);
        if (!flood) {
            for (Client c : clients) {
                c.enqueueReading(reading); // show the new state at once
            }
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 100 ? text : text.substring(0, 97) + "...";
    }

    /** A line to send to a client; readings are counted. */
    private record Line(String text, boolean reading) {
    }

    /** One connected client: a reader thread for its commands, a writer thread for what it is sent. */
    private final class Client {
        private final Socket socket;
        private final String peer;
        private final BlockingQueue<Line> outbox = new ArrayBlockingQueue<>(OUTBOX_CAPACITY);
        private volatile boolean open = true;

        Client(Socket socket) {
            this.socket = socket;
            this.peer = socket.getInetAddress().getHostAddress() + ":" + socket.getPort();
        }

        void start() {
            thread(this::read, "client-" + socket.getPort() + "-in");
            thread(this::write, "client-" + socket.getPort() + "-out");
        }

        void enqueue(String line) {
            outbox.offer(new Line(line, false)); // a client that does not keep up loses lines rather than stalling the device
        }

        void enqueueReading(String line) {
            outbox.offer(new Line(line, true));
        }

        private void read() {
            try {
                InputStream in = socket.getInputStream();
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                boolean tooLong = false;
                byte[] buffer = new byte[4096];
                int n;
                while (open && (n = in.read(buffer)) >= 0) {
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] == '\n') {
                            if (tooLong) {
                                log.accept(name() + ": ignoring a line longer than " + MAX_LINE_BYTES + " bytes");
                            } else {
                                onLine(this, line.toString(StandardCharsets.UTF_8).strip());
                            }
                            line.reset();
                            tooLong = false;
                        } else if (!tooLong) {
                            if (line.size() >= MAX_LINE_BYTES) {
                                tooLong = true;
                                line.reset();
                            } else {
                                line.write(buffer[i]);
                            }
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the client went away
            } finally {
                close();
            }
        }

        private void write() {
            try {
                OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
                int unflushed = 0;
                while (open) {
                    Line line;
                    if (flood) {
                        line = outbox.poll();
                        if (line == null) {
                            line = new Line(nextReadingLine(), true);
                        }
                    } else {
                        line = outbox.poll(100, TimeUnit.MILLISECONDS);
                        if (line == null) {
                            continue;
                        }
                    }
                    out.write(line.text().getBytes(StandardCharsets.UTF_8));
                    out.write('\n');
                    if (line.reading()) {
                        readingsSent.incrementAndGet();
                    }
                    if (++unflushed >= 256 || (outbox.isEmpty() && !flood)) {
                        out.flush();
                        unflushed = 0;
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the client went away, or the device closes
            } finally {
                close();
            }
        }

        void close() {
            if (!open) {
                return;
            }
            open = false;
            clients.remove(this);
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
            if (running) {
                log.accept(name() + ": client " + peer + " disconnected");
            }
        }
    }

    /** The devices of a sensorInstance.json document, unstarted (see {@link DeviceSimulator#devices(String)}). */
    static List<SimulatedDevice> fromInstances(List<Map<String, Object>> instances) {
        List<SimulatedDevice> devices = new ArrayList<>();
        for (Map<String, Object> instance : instances) {
            Object type = instance.get("sensor_type");
            Object port = instance.get("port");
            if (!(type instanceof String) || port == null) {
                throw new IllegalArgumentException("a sensor instance needs sensor_type and port: " + Json.write(instance));
            }
            int number;
            try {
                number = Integer.parseInt(port.toString().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("port is not a number: " + Json.write(instance));
            }
            Map<String, String> tags = new LinkedHashMap<>();
            instance.forEach((k, v) -> {
                if (!List.of("sensor_type", "ip", "port", "no_of_fields", "id").contains(k) && v != null
                        && !(v instanceof Map) && !(v instanceof List)) {
                    tags.put(k, v.toString());
                }
            });
            devices.add(new SimulatedDevice((String) type, number, tags));
        }
        return devices;
    }
}
