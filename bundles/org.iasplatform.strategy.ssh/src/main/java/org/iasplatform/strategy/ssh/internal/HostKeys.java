package org.iasplatform.strategy.ssh.internal;

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
 * host's first key of a type is accepted and remembered in memory, as long as the configuration lasts, and logged with
 * its fingerprint; a different key of that type afterwards is {@link #CHANGED}, refused.</li>
 * </ul>
 * The key a host offered when it was refused is kept (by host) so that the failure can name its fingerprint, which the
 * operator checks before adding it to the known_hosts file.
 */
final class HostKeys implements HostKeyRepository {
    private static final Logger LOG = LoggerFactory.getLogger(HostKeys.class);
    private final HostKeyRepository known;
    private final JSch jsch;
    private final boolean acceptNew;
    private final Map<String, String> refused = new ConcurrentHashMap<>();

    /**
     * @param known     the known_hosts file's keys, or (accept-new) an empty in-memory repository; both from
     *                  {@code JSch.setKnownHosts}
     * @param acceptNew whether a host's first key is accepted
     */
    HostKeys(HostKeyRepository known, JSch jsch, boolean acceptNew) {
        this.known = known;
        this.jsch = jsch;
        this.acceptNew = acceptNew;
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
    String refusedKey(String host) {
        return refused.get(host);
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
