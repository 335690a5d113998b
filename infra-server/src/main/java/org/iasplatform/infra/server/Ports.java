package org.iasplatform.infra.server;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Local TCP port helpers for the embedded servers (all of which bind 127.0.0.1 only). */
final class Ports {
    static final String HOST = "127.0.0.1";

    private Ports() {
    }

    static int checkPort(String what, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + " must be between 0 and 65535 (0: a free port), got " + port);
        }
        return port;
    }

    /** A port that is free on 127.0.0.1 right now, chosen by the operating system. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    /** Fails with a clear message when {@code port} cannot be bound on 127.0.0.1 (typically: it is in use). */
    static void requireFree(String what, int port) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port), 1);
        } catch (BindException e) {
            throw new IOException(what + " port " + port + " on " + HOST + " is not available (" + e.getMessage()
                    + "); is another instance running? choose another port or stop the process that holds it", e);
        }
    }
}
