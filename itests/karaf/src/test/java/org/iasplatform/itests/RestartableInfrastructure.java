package org.iasplatform.itests;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.iasplatform.infra.server.EmbeddedKafka;
import org.iasplatform.infra.server.EmbeddedMongo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real Kafka broker and a real Mongo-wire store started in the test driver's JVM, as {@link ExternalInfrastructure}
 * does, that the tests running inside the container can stop and start again on the same ports with the same data:
 * {@code POST http://127.0.0.1:<control port>/kafka/stop} (or {@code /kafka/start}, {@code /mongo/stop},
 * {@code /mongo/start}) answers 200 once done, 500 with the reason otherwise. Loopback only. Kept in its own class so
 * that the in-container probe never loads the server classes.
 */
final class RestartableInfrastructure {
    private final Path kafkaDir;
    private final Path mongoDir;
    private int kafkaPort;
    private int kafkaControllerPort;
    private int mongoPort;
    private EmbeddedKafka kafka;
    private EmbeddedMongo mongo;

    private RestartableInfrastructure() throws IOException {
        kafkaDir = Files.createTempDirectory("restartable-kafka");
        mongoDir = Files.createTempDirectory("restartable-mongo");
    }

    /** Starts both servers and the control endpoint for the rest of the run; returns {bootstrap servers, mongo URI, control port}. */
    static String[] start() throws Exception {
        RestartableInfrastructure infra = new RestartableInfrastructure();
        infra.startKafka();
        infra.startMongo();
        HttpServer control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        control.createContext("/", infra::handle);
        control.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            control.stop(0);
            infra.stopKafka();
            infra.stopMongo();
        }));
        return new String[] {"127.0.0.1:" + infra.kafkaPort, "mongodb://127.0.0.1:" + infra.mongoPort,
                String.valueOf(control.getAddress().getPort())};
    }

    private void handle(HttpExchange exchange) throws IOException {
        int status = 200;
        String answer;
        try {
            if (!"POST".equals(exchange.getRequestMethod())) {
                throw new IllegalArgumentException("POST expected");
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/kafka/stop" -> stopKafka();
                case "/kafka/start" -> startKafka();
                case "/mongo/stop" -> stopMongo();
                case "/mongo/start" -> startMongo();
                default -> throw new IllegalArgumentException("unknown action " + exchange.getRequestURI().getPath()
                        + "; expected /kafka/stop, /kafka/start, /mongo/stop or /mongo/start");
            }
            answer = "done";
        } catch (Exception e) {
            status = 500;
            answer = e.toString();
        }
        byte[] body = answer.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    /** The first start picks free ports; every later one takes the same ports and data directory. */
    private synchronized void startKafka() throws IOException {
        if (kafka != null) {
            throw new IllegalStateException("Kafka is running");
        }
        EmbeddedKafka k = new EmbeddedKafka(kafkaDir, kafkaPort, kafkaControllerPort);
        k.start();
        kafkaPort = k.port();
        kafkaControllerPort = k.controllerPort();
        kafka = k;
    }

    private synchronized void stopKafka() {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    private synchronized void startMongo() throws IOException {
        if (mongo != null) {
            throw new IllegalStateException("Mongo is running");
        }
        EmbeddedMongo m = new EmbeddedMongo(mongoDir, mongoPort);
        m.start();
        mongoPort = m.port();
        mongo = m;
    }

    private synchronized void stopMongo() {
        if (mongo != null) {
            mongo.close();
            mongo = null;
        }
    }
}
