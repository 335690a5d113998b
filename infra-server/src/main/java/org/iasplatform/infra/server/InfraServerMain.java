package org.iasplatform.infra.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the embedded Kafka and/or Mongo as a process of its own (the org.iasplatform.infra bundle starts it as a child
 * JVM of Karaf).
 *
 * <pre>
 * java -cp ... org.iasplatform.infra.server.InfraServerMain
 *     [--kafka-dir DIR [--kafka-port N] [--kafka-controller-port N]]
 *     [--mongo-dir DIR [--mongo-port N]]
 *     [--log-file FILE] [--no-stdin-watch]
 * </pre>
 *
 * A server whose options are all absent is not started; ports default to 0 (a free port). When everything asked for
 * is up it prints exactly one line {@value #READY_PREFIX}{@code kafka=<bootstrap or -> mongo=<uri or ->} on stdout.
 * It stops cleanly (closing both servers, so their data is flushed) when its stdin reaches end of file (its parent
 * died or closed the pipe; unless {@code --no-stdin-watch}) or on SIGTERM. Exit codes: 0 after a clean stop, 1 when a
 * server fails to start, 2 for bad arguments; both failures print one line starting with {@value #ERROR_PREFIX} on
 * stderr. The servers' own logs go to {@code --log-file} (default: {@code infra-server-detail.log} next to the first
 * data directory), never to stdout.
 */
public final class InfraServerMain {
    public static final String READY_PREFIX = "IAS-INFRA READY ";
    public static final String ERROR_PREFIX = "IAS-INFRA ERROR ";

    static final String USAGE = "usage: InfraServerMain [--kafka-dir DIR [--kafka-port N] [--kafka-controller-port N]]"
            + " [--mongo-dir DIR [--mongo-port N]] [--log-file FILE] [--no-stdin-watch]";

    private InfraServerMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /** The parsed command line. */
    static final class Options {
        Path kafkaDir;
        int kafkaPort;
        int kafkaControllerPort;
        boolean kafkaAsked;
        Path mongoDir;
        int mongoPort;
        boolean mongoAsked;
        Path logFile;
        boolean watchStdin = true;

        static Options parse(String[] args) {
            Options o = new Options();
            Set<String> seen = new LinkedHashSet<>();
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (name.equals("--no-stdin-watch")) {
                    o.watchStdin = false;
                    continue;
                }
                if (!name.startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument '" + name + "'");
                }
                if (!seen.add(name)) {
                    throw new IllegalArgumentException("option " + name + " given twice");
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + name + " needs a value");
                }
                String value = args[++i];
                switch (name) {
                    case "--kafka-port" -> { o.kafkaPort = port(name, value); o.kafkaAsked = true; }
                    case "--kafka-controller-port" -> { o.kafkaControllerPort = port(name, value); o.kafkaAsked = true; }
                    case "--kafka-dir" -> { o.kafkaDir = dir(name, value); o.kafkaAsked = true; }
                    case "--mongo-port" -> { o.mongoPort = port(name, value); o.mongoAsked = true; }
                    case "--mongo-dir" -> { o.mongoDir = dir(name, value); o.mongoAsked = true; }
                    case "--log-file" -> o.logFile = dir(name, value);
                    default -> throw new IllegalArgumentException("unknown option " + name);
                }
            }
            if (!o.kafkaAsked && !o.mongoAsked) {
                throw new IllegalArgumentException("nothing to start: give the --kafka-* and/or the --mongo-* options");
            }
            if (o.kafkaAsked && o.kafkaDir == null) {
                throw new IllegalArgumentException("--kafka-dir is required to start Kafka");
            }
            if (o.mongoAsked && o.mongoDir == null) {
                throw new IllegalArgumentException("--mongo-dir is required to start Mongo");
            }
            if (o.kafkaAsked && o.kafkaPort != 0 && o.kafkaPort == o.kafkaControllerPort) {
                throw new IllegalArgumentException("--kafka-port and --kafka-controller-port must differ");
            }
            if (o.kafkaAsked && o.mongoAsked && o.mongoPort != 0
                    && (o.mongoPort == o.kafkaPort || o.mongoPort == o.kafkaControllerPort)) {
                throw new IllegalArgumentException("--mongo-port " + o.mongoPort + " is also a Kafka port");
            }
            if (o.logFile == null) {
                Path first = o.kafkaAsked ? o.kafkaDir : o.mongoDir;
                Path parent = first.toAbsolutePath().getParent();
                o.logFile = (parent != null ? parent : first.toAbsolutePath()).resolve("infra-server-detail.log");
            }
            return o;
        }

        private static int port(String name, String value) {
            int port;
            try {
                port = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a port number, got '" + value + "'");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(name + " must be between 0 and 65535 (0: a free port), got " + port);
            }
            return port;
        }

        private static Path dir(String name, String value) {
            if (value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be empty");
            }
            try {
                return Paths.get(value);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(name + " is not a valid path: " + value);
            }
        }
    }

    /** What was started, closed once, newest first, by whichever comes first: stdin EOF, SIGTERM, a failure. */
    static final class Servers {
        private final List<AutoCloseable> started = new ArrayList<>();
        private boolean closed;

        /** Adds a started server; when already closed (a SIGTERM raced the start), closes it right away. */
        synchronized void add(AutoCloseable server) {
            if (closed) {
                closeQuietly(server);
            } else {
                started.add(server);
            }
        }

        synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            for (int i = started.size() - 1; i >= 0; i--) {
                closeQuietly(started.get(i));
            }
            started.clear();
        }

        private static void closeQuietly(AutoCloseable server) {
            try {
                server.close();
            } catch (Exception e) {
                LoggerFactory.getLogger(InfraServerMain.class).warn("Closing {} failed", server, e);
            }
        }
    }

    static int run(String[] args, InputStream stdin, PrintStream stdout, PrintStream stderr) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            stderr.println(ERROR_PREFIX + e.getMessage() + " (" + USAGE + ")");
            stderr.flush();
            return 2;
        }
        try {
            Path parent = options.logFile.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            stderr.println(ERROR_PREFIX + "cannot create the directory of the log file " + options.logFile + ": " + e);
            stderr.flush();
            return 1;
        }
        ServerLogging.configureFile(options.logFile);
        Logger log = LoggerFactory.getLogger(InfraServerMain.class);

        Servers servers = new Servers();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            servers.close();
            stopped.countDown();
        }, "ias-infra-shutdown"));

        String kafka = "-";
        String mongo = "-";
        try {
            if (options.kafkaAsked) {
                EmbeddedKafka k = new EmbeddedKafka(options.kafkaDir, options.kafkaPort, options.kafkaControllerPort);
                servers.add(k); // closing a server that has not started is a no-op
                k.start();
                kafka = k.bootstrapServers();
            }
            if (options.mongoAsked) {
                EmbeddedMongo m = new EmbeddedMongo(options.mongoDir, options.mongoPort);
                servers.add(m);
                m.start();
                mongo = m.connectionString();
            }
        } catch (Exception e) {
            log.error("Embedded infrastructure failed to start", e);
            stderr.println(ERROR_PREFIX + describe(e) + " (details in " + options.logFile + ")");
            stderr.flush();
            servers.close();
            return 1;
        }
        log.info("Embedded infrastructure ready: kafka={} mongo={}", kafka, mongo);
        stdout.println(READY_PREFIX + "kafka=" + kafka + " mongo=" + mongo);
        stdout.flush();

        if (options.watchStdin) {
            drain(stdin);
            log.info("stdin reached end of file (the parent is gone): stopping");
        } else {
            awaitUninterruptibly(stopped);
        }
        servers.close();
        log.info("Embedded infrastructure stopped");
        return 0;
    }

    private static void drain(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // the parent writes nothing; we only wait for end of file
            }
        } catch (IOException e) {
            // a broken pipe means the same as end of file
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean done = false;
        while (!done) {
            try {
                latch.await();
                done = true;
            } catch (InterruptedException e) {
                // keep waiting for SIGTERM
            }
        }
    }

    /** One line: the messages of the cause chain, without repetition. */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        Set<Throwable> seen = new LinkedHashSet<>();
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            String m = t.getMessage();
            if (m == null || m.isBlank()) {
                m = t.getClass().getSimpleName();
            }
            if (sb.indexOf(m) < 0) {
                if (sb.length() > 0) {
                    sb.append(": ");
                }
                sb.append(m);
            }
        }
        return sb.toString().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
