package org.iasplatform.provision.internal;

import java.time.Duration;

/**
 * The provisioning configuration, read. Its {@link #toString()} never shows the key's passphrase, only whether it is
 * set.
 *
 * @param nodeDistribution     the archive's path, or empty for the one the platform distribution carries
 * @param remoteDir            the default folder on the hosts, or empty for {@code ias-node-<node id>}
 * @param privateKeyFile       the default private key, or empty
 * @param privateKeyPassphrase its passphrase, or empty
 * @param knownHostsFile       known_hosts for strict host key checking, or empty (accept-new in memory)
 * @param kafkaBootstrap       the Kafka bootstrap servers the nodes are given, or empty for the platform's own
 * @param mongoUri             the MongoDB URI the nodes are given, or empty for the platform's own
 * @param apiUrl               the API URL the nodes are given
 * @param consolePort          the nodes' Karaf console port (0: any free one)
 * @param remoteJavaHome       JAVA_HOME on the hosts, or empty
 * @param connectTimeout       TCP connect and each handshake message
 * @param commandTimeout       one step on the host
 * @param heartbeatTimeout     from the node's start to its first heartbeat
 * @param maxParallel          provisionings under way at once
 */
record Settings(String nodeDistribution, String remoteDir, String privateKeyFile, String privateKeyPassphrase,
        String knownHostsFile, String kafkaBootstrap, String mongoUri, String apiUrl, int consolePort,
        String remoteJavaHome, Duration connectTimeout, Duration commandTimeout, Duration heartbeatTimeout,
        int maxParallel) {

    Settings {
        nodeDistribution = strip(nodeDistribution);
        remoteDir = strip(remoteDir);
        privateKeyFile = strip(privateKeyFile);
        privateKeyPassphrase = privateKeyPassphrase == null ? "" : privateKeyPassphrase;
        knownHostsFile = strip(knownHostsFile);
        kafkaBootstrap = strip(kafkaBootstrap);
        mongoUri = strip(mongoUri);
        apiUrl = strip(apiUrl);
        remoteJavaHome = strip(remoteJavaHome);
    }

    static Settings of(ProvisionConfig c) {
        return new Settings(c.node__distribution(), c.remote__dir(), c.private__key__file(),
                c._private__key__passphrase(), c.known__hosts__file(), c.advertised__kafka__bootstrap__servers(),
                c.advertised__mongo__uri(), c.api__url(), Math.max(0, Math.min(65_535, c.node__console__port())),
                c.remote__java__home(), Duration.ofMillis(Math.max(1, c.connect__timeout__ms())),
                Duration.ofMillis(Math.max(1, c.command__timeout__ms())),
                Duration.ofMillis(Math.max(1, c.heartbeat__timeout__ms())), Math.max(1, c.max__parallel()));
    }

    /** A connection string with the password of its user info (if any) masked, for messages. */
    static String withoutPassword(String uri) {
        return uri.replaceAll("(://[^:/@]*):[^@/]*@", "$1:***@");
    }

    private static String strip(String s) {
        return s == null ? "" : s.strip();
    }

    @Override
    public String toString() {
        return "node distribution " + (nodeDistribution.isEmpty() ? "(the platform distribution's)" : nodeDistribution)
                + ", remote dir " + (remoteDir.isEmpty() ? "(ias-node-<node id>)" : remoteDir)
                + ", private_key_file " + (privateKeyFile.isEmpty() ? "(none)" : privateKeyFile)
                + (privateKeyPassphrase.isEmpty() ? "" : " (passphrase set)")
                + ", known_hosts_file " + (knownHostsFile.isEmpty() ? "(none: accept-new in memory)" : knownHostsFile)
                + ", nodes get Kafka " + (kafkaBootstrap.isEmpty() ? "(the platform's)" : kafkaBootstrap)
                + ", MongoDB " + (mongoUri.isEmpty() ? "(the platform's)" : withoutPassword(mongoUri))
                + ", API " + apiUrl
                + ", console port " + (consolePort == 0 ? "(any)" : consolePort)
                + ", connect time-out " + connectTimeout.toMillis() + " ms"
                + ", command time-out " + commandTimeout.toMillis() + " ms"
                + ", heartbeat time-out " + heartbeatTimeout.toMillis() + " ms"
                + ", at most " + maxParallel + " at once";
    }
}
