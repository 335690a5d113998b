package org.iasplatform.sshsupport;

import java.io.ByteArrayInputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.UserInfo;

/**
 * The host keys jsch checks against (with {@code StrictHostKeyChecking=yes}, which refuses whatever this does not
 * answer {@link #OK}):
 * <ul>
 * <li>strict: the configured {@code known_hosts_file}; an unknown or changed key is refused;</li>
 * <li>accept-new (no {@code known_hosts_file}; OpenSSH's {@code StrictHostKeyChecking=accept-new}, which jsch lacks): a
 * host's first key of a type is accepted and remembered in memory, as long as this object lasts, and logged with its
 * fingerprint; a different key of that type afterwards is {@link #CHANGED}, refused.</li>
 * </ul>
 * The key a host offered when it was refused is kept (by host) so that the failure can name its fingerprint, which the
 * operator checks before adding it to the known_hosts file ({@link #describe}).
 */
public final class HostKeys implements HostKeyRepository {
    private static final Logger LOG = LoggerFactory.getLogger(HostKeys.class);
    private final HostKeyRepository known;
    private final JSch jsch;
    private final boolean acceptNew;
    private final String knownHostsFile;
    private final Map<String, String> refused = new ConcurrentHashMap<>();

    private HostKeys(HostKeyRepository known, JSch jsch, String knownHostsFile) {
        this.known = known;
        this.jsch = jsch;
        this.knownHostsFile = knownHostsFile;
        this.acceptNew = knownHostsFile.isEmpty();
    }

    /**
     * Sets up {@code jsch}'s host key checking: strict against {@code knownHostsFile} (read now), or accept-new in memory
     * when it is empty. A file that cannot be read makes every key refused (and is logged, {@code who} naming the
     * caller in the message).
     */
    public static HostKeys install(JSch jsch, String knownHostsFile, String who) {
        String file = knownHostsFile == null ? "" : knownHostsFile.strip();
        try {
            if (!file.isEmpty()) {
                if (!Files.isReadable(Path.of(file))) {
                    LOG.warn("{}: known_hosts_file {} is not readable: every host key is rejected until it is (the file "
                            + "is read when the configuration is applied)", who, file);
                }
                jsch.setKnownHosts(file);
            } else {
                jsch.setKnownHosts(new ByteArrayInputStream(new byte[0]));
            }
        } catch (JSchException e) {
            LOG.error("{}: known_hosts_file {} cannot be read ({}); every host key is rejected", who, file,
                    e.getMessage());
            try { // an empty repository: with StrictHostKeyChecking=yes nothing is accepted
                jsch.setKnownHosts(new ByteArrayInputStream(new byte[0]));
            } catch (JSchException ignored) {
                // an empty stream is always read
            }
        }
        HostKeys keys = new HostKeys(jsch.getHostKeyRepository(), jsch, file);
        jsch.setHostKeyRepository(keys);
        return keys;
    }

    /** Whether keys are checked against a known_hosts file (else accept-new, in memory). */
    public boolean strict() {
        return !acceptNew;
    }

    @Override
    public synchronized int check(String host, byte[] key) {
        int result = known.check(host, key);
        if (result == OK) {
            refused.remove(host);
            return OK;
        }
        HostKey offered;
        try {
            offered = new HostKey(host, key);
        } catch (JSchException e) {
            refused.put(host, "a key jsch does not understand (" + e.getMessage() + ")");
            return result;
        }
        String described = offered.getType() + " key " + offered.getFingerPrint(jsch);
        if (result == NOT_INCLUDED && acceptNew) {
            known.add(offered, null);
            LOG.info("Accepted the {} host key of {} on first use (fingerprint {}); no known_hosts_file is configured, "
                    + "so it is remembered in memory only", offered.getType(), host, offered.getFingerPrint(jsch));
            return OK;
        }
        refused.put(host, described);
        return result;
    }

    /** The key {@code host} (as jsch names it: {@code [host]:port} unless port 22) offered when last refused, or null. */
    public String refusedKey(String host) {
        return refused.get(host);
    }

    /**
     * jsch's failure to connect, said plainly (jsch 0.2's messages with {@code StrictHostKeyChecking=yes}). Its messages
     * hold host names, key types, fingerprints and method names, never secrets.
     *
     * @param authentications the methods offered, for an authentication failure
     */
    public String describe(JSchException e, String authentications) {
        String message = String.valueOf(e.getMessage());
        Throwable cause = e.getCause();
        if (message.startsWith("reject HostKey: ")) { // StrictHostKeyChecking=yes: NOT_INCLUDED
            return "host key " + offered(message) + " not in known_hosts_file " + knownHostsFile
                    + ", rejected; check its fingerprint, then add it there (ssh-keyscan)";
        }
        if (message.startsWith("HostKey has been changed: ")) { // StrictHostKeyChecking=yes: CHANGED
            return "HOST KEY CHANGED, rejected: the key " + offered(message) + " differs from the one "
                    + (acceptNew ? "accepted first (accept-new, no known_hosts_file)"
                            : "in known_hosts_file " + knownHostsFile);
        }
        if (message.startsWith("Auth fail") || message.startsWith("Auth cancel")) {
            return "authentication failed (offered " + authentications + ")";
        }
        if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
                || cause instanceof UnknownHostException || cause instanceof SocketTimeoutException) {
            return "cannot connect: " + cause;
        }
        return message;
    }

    /** The key named in jsch's refusal ("reject HostKey: [host]:port"), as the host offered it. */
    private String offered(String message) {
        String host = message.substring(message.indexOf(": ") + 2).strip();
        String key = refusedKey(host);
        return key == null ? "of " + host : "of " + host + " (" + key + ")";
    }

    @Override
    public synchronized void add(HostKey hostkey, UserInfo ui) {
        known.add(hostkey, null); // never writes the known_hosts file (no UserInfo)
    }

    @Override
    public synchronized void remove(String host, String type) {
        known.remove(host, type);
    }

    @Override
    public synchronized void remove(String host, String type, byte[] key) {
        known.remove(host, type, key);
    }

    @Override
    public String getKnownHostsRepositoryID() {
        return acceptNew ? "accept-new (in memory)" : known.getKnownHostsRepositoryID();
    }

    @Override
    public synchronized HostKey[] getHostKey() {
        return known.getHostKey();
    }

    @Override
    public synchronized HostKey[] getHostKey(String host, String type) {
        return known.getHostKey(host, type);
    }
}
