package org.iasplatform.strategy.ssh.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The strategy's configuration, read and checked. Its {@link #toString()} never shows the password or the key's
 * passphrase, only whether they are set.
 *
 * @param hosts                the host of each node, by node id
 * @param privateKeyFile       path of the private key (OpenSSH or PEM), or empty
 * @param privateKeyPassphrase passphrase of that key, or empty (property {@code .private_key_passphrase})
 * @param password             password, or empty (property {@code .password})
 * @param knownHostsFile       path of a known_hosts file (strict host key checking), or empty (accept-new, in memory)
 * @param connectTimeout       longest TCP connect, and longest wait for each message of the SSH handshake
 * @param commandTimeout       time for the two commands ({@code vmstat 1 2} alone takes a second): a probe still running
 *                             after {@code connectTimeout + commandTimeout} is ended by closing its session
 * @param cacheFor             how long a host's measurement (or failure) is used before the host is probed again
 * @param probeWait            longest time {@code choose} waits for probes in flight
 * @param maxParallelProbes    most probes at the same time
 */
record Settings(Map<String, HostTarget> hosts, String privateKeyFile, String privateKeyPassphrase, String password,
        String knownHostsFile, Duration connectTimeout, Duration commandTimeout, Duration cacheFor, Duration probeWait,
        int maxParallelProbes) {

    Settings {
        hosts = Collections.unmodifiableMap(new LinkedHashMap<>(hosts));
        privateKeyFile = blankToEmpty(privateKeyFile);
        privateKeyPassphrase = privateKeyPassphrase == null ? "" : privateKeyPassphrase;
        password = password == null ? "" : password;
        knownHostsFile = blankToEmpty(knownHostsFile);
        if (maxParallelProbes < 1) {
            throw new IllegalArgumentException("max_parallel_probes must be at least 1");
        }
    }

    /**
     * Reads the component's configuration; a wrong {@code hosts} entry is reported to {@code problems} (its text holds
     * no secret) and left out, so that its node falls back to its heartbeat figures while the others are probed.
     */
    static Settings of(SshProbeStrategy.Config config, Consumer<String> problems) {
        return new Settings(hosts(config.hosts(), problems), config.private__key__file(),
                config._private__key__passphrase(), config._password(), config.known__hosts__file(),
                Duration.ofMillis(Math.max(1, config.connect__timeout__ms())),
                Duration.ofMillis(Math.max(1, config.command__timeout__ms())),
                Duration.ofSeconds(Math.max(0, config.cache__seconds())),
                Duration.ofMillis(Math.max(0, config.probe__wait__ms())),
                Math.max(1, config.max__parallel__probes()));
    }

    /**
     * The {@code hosts} entries: each value may itself hold several entries separated by commas (a {@code .cfg} file
     * gives one string); a node id named twice keeps its first entry.
     */
    static Map<String, HostTarget> hosts(String[] values, Consumer<String> problems) {
        List<String> entries = new ArrayList<>();
        for (String value : values == null ? new String[0] : values) {
            if (value != null) {
                Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(entries::add);
            }
        }
        Map<String, HostTarget> hosts = new LinkedHashMap<>();
        for (String entry : entries) {
            HostTarget target;
            try {
                target = HostTarget.parse(entry);
            } catch (IllegalArgumentException e) {
                problems.accept("hosts: " + e.getMessage() + "; entry ignored");
                continue;
            }
            HostTarget first = hosts.putIfAbsent(target.nodeId(), target);
            if (first != null) {
                problems.accept("hosts: node " + target.nodeId() + " is named twice; " + first + " is used, "
                        + target + " ignored");
            }
        }
        return hosts;
    }

    boolean strictHostKeys() {
        return !knownHostsFile.isEmpty();
    }

    private static String blankToEmpty(String s) {
        return s == null ? "" : s.strip();
    }

    @Override
    public String toString() {
        return "hosts " + hosts.values()
                + ", private_key_file " + (privateKeyFile.isEmpty() ? "(none)" : privateKeyFile)
                + (privateKeyPassphrase.isEmpty() ? "" : " (passphrase set)")
                + ", password " + (password.isEmpty() ? "(none)" : "(set)")
                + ", known_hosts_file " + (knownHostsFile.isEmpty() ? "(none: accept-new in memory)" : knownHostsFile)
                + ", connect time-out " + connectTimeout.toMillis() + " ms"
                + ", command time-out " + commandTimeout.toMillis() + " ms"
                + ", cache " + cacheFor.toSeconds() + " s"
                + ", probe wait " + probeWait.toMillis() + " ms"
                + ", at most " + maxParallelProbes + " probes at once";
    }
}
