package org.iasplatform.runtime.docker.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

/**
 * The Docker engine, through two docker-java clients on the same {@code docker_host}: one for short calls (ping,
 * inspect, create, remove), which time out; one without a response time-out for what lasts as long as a container or a
 * build does (following a log, waiting for an exit, building, stopping with a grace period).
 */
final class Engine implements AutoCloseable {
    private final String host;
    private final Duration connectTimeout;
    private final DockerClient calls;
    private final DockerClient streams;

    Engine(Settings settings) {
        this.host = settings.dockerHost();
        this.connectTimeout = settings.connectTimeout();
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(settings.dockerHost()).withDockerTlsVerify(false).build();
        this.calls = client(config, settings.connectTimeout(), settings.callTimeout());
        this.streams = client(config, settings.connectTimeout(), null);
    }

    private static DockerClient client(DefaultDockerClientConfig config, Duration connect, Duration response) {
        ZerodepDockerHttpClient.Builder http = new ZerodepDockerHttpClient.Builder().dockerHost(URI.create(
                config.getDockerHost().toString())).connectionTimeout(connect).maxConnections(64);
        if (response != null) {
            http.responseTimeout(response);
        }
        return DockerClientImpl.getInstance(config, http.build());
    }

    /** Short calls (they time out). */
    DockerClient calls() {
        return calls;
    }

    /** Long calls: log following, waiting, building, stopping. */
    DockerClient streams() {
        return streams;
    }

    String host() {
        return host;
    }

    /**
     * Asks the engine who it is.
     *
     * @return e.g. "Docker 20.10.24 (API 1.41)"
     * @throws RuntimeException when it does not answer
     */
    String ping() {
        connect();
        calls.pingCmd().exec();
        Version version = calls.versionCmd().exec();
        return "Docker " + version.getVersion() + " (API " + version.getApiVersion() + ")";
    }

    /** Whether the engine's socket takes a connection (nothing is asked of it). */
    boolean reachable() {
        try {
            connect();
            return true;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /**
     * Opens (and closes) a connection to the engine's socket: an engine that is not there is told apart quickly and
     * quietly (the HTTP client would log each of its retries), with the system's reason ("No such file or directory",
     * "Connection refused").
     */
    private void connect() {
        URI uri = URI.create(host);
        try {
            if ("unix".equalsIgnoreCase(uri.getScheme())) {
                try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    channel.connect(UnixDomainSocketAddress.of(Path.of(uri.getPath())));
                }
            } else {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 2375 : uri.getPort()),
                            (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (DockerClient client : new DockerClient[] { calls, streams }) {
            try {
                client.close();
            } catch (IOException | RuntimeException e) {
                // nothing left to release
            }
        }
    }
}
