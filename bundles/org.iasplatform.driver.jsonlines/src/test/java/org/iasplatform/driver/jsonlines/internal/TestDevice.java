package org.iasplatform.driver.jsonlines.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A device for tests: a real TCP server on 127.0.0.1 that records what clients write and sends what it is told. */
final class TestDevice implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();

    TestDevice(int port) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        Thread acceptor = new Thread(this::accept, "test-device-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * A device on a port that was just released: binding again may fail for a moment (the kernel may still hold it), so
     * this retries until {@code timeoutMs}, then fails saying so.
     */
    static TestDevice rebind(int port, long timeoutMs) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            try {
                return new TestDevice(port);
            } catch (java.net.BindException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("port " + port + " still not free after " + timeoutMs + " ms", e);
                }
                Thread.sleep(20); // retry interval of a bind, not synchronisation: the bind itself decides
            }
        }
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        try {
            while (true) {
                Socket client = server.accept();
                clients.add(client);
                accepted.add(client);
                Thread reader = new Thread(() -> read(client), "test-device-client");
                reader.setDaemon(true);
                reader.start();
            }
        } catch (IOException e) {
            // server closed
        }
    }

    private void read(Socket client) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                received.add(line);
            }
            received.add("<EOF>");
        } catch (IOException e) {
            received.add("<EOF>");
        }
    }

    /** Waits for a client and returns it. */
    Socket awaitClient(long timeoutMs) throws InterruptedException {
        Socket client = accepted.poll(timeoutMs, TimeUnit.MILLISECONDS);
        if (client == null) {
            throw new AssertionError("no client connected within " + timeoutMs + " ms");
        }
        return client;
    }

    /** Sends raw bytes to every connected client. */
    void send(String text) throws IOException {
        for (Socket client : clients) {
            if (!client.isClosed()) {
                try {
                    OutputStream out = client.getOutputStream();
                    out.write(text.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (SocketException e) {
                    clients.remove(client);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket client : clients) {
            client.close();
        }
    }
}
