package org.iasplatform.strategy.ssh.internal;

/**
 * Where a node's host is probed: one entry of the {@code hosts} configuration, {@code node_id=user@host[:port]}.
 *
 * @param nodeId the node (as in its heartbeats) that runs on that host
 * @param user   the SSH user
 * @param host   host name or address (an IPv6 address without its brackets)
 * @param port   SSH port, 22 unless given
 */
record HostTarget(String nodeId, String user, String host, int port) {
    static final int DEFAULT_PORT = 22;

    /**
     * Reads {@code node_id=user@host[:port]}; an IPv6 address is written in brackets when a port follows
     * ({@code n1=ias@[fd00::5]:2222}).
     *
     * @throws IllegalArgumentException with what is wrong (the entry holds no secret, so it may be quoted)
     */
    static HostTarget parse(String entry) {
        String text = entry == null ? "" : entry.strip();
        int eq = text.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("\"" + text + "\" is not node_id=user@host[:port]");
        }
        String nodeId = text.substring(0, eq).strip();
        String target = text.substring(eq + 1).strip();
        int at = target.lastIndexOf('@');
        if (nodeId.isEmpty() || at <= 0 || at == target.length() - 1) {
            throw new IllegalArgumentException("\"" + text + "\" is not node_id=user@host[:port]");
        }
        String user = target.substring(0, at);
        String hostPort = target.substring(at + 1);
        String host;
        String port = null;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("\"" + text + "\": no ] after the IPv6 address");
            }
            host = hostPort.substring(1, close);
            String rest = hostPort.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("\"" + text + "\": a port is written ]:port");
                }
                port = rest.substring(1);
            }
        } else if (hostPort.indexOf(':') >= 0 && hostPort.indexOf(':') == hostPort.lastIndexOf(':')) {
            host = hostPort.substring(0, hostPort.indexOf(':'));
            port = hostPort.substring(hostPort.indexOf(':') + 1);
        } else {
            host = hostPort; // a host name, or an IPv6 address without a port
        }
        if (host.isEmpty() || containsBlank(nodeId) || containsBlank(user) || containsBlank(host)) {
            throw new IllegalArgumentException("\"" + text + "\" is not node_id=user@host[:port]");
        }
        int portNumber = DEFAULT_PORT;
        if (port != null) {
            try {
                portNumber = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                portNumber = -1;
            }
            if (portNumber < 1 || portNumber > 65_535) {
                throw new IllegalArgumentException("\"" + text + "\": port \"" + port + "\" is not 1..65535");
            }
        }
        return new HostTarget(nodeId, user, host, portNumber);
    }

    private static boolean containsBlank(String s) {
        return s.chars().anyMatch(Character::isWhitespace);
    }

    /** {@code user@host:port}, for messages (holds no secret). */
    String address() {
        return user + "@" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return nodeId + "=" + address();
    }
}
