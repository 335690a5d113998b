package org.iasplatform.provision.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.node.ProvisionRequest;
import org.iasplatform.api.validation.ValidationError;

/**
 * A provisioning request, checked, with the defaults filled in. {@link #toString()} never shows the password.
 *
 * @param host      host name or address (an IPv6 address without brackets)
 * @param user      SSH user
 * @param port      SSH port
 * @param nodeId    the new node's id
 * @param remoteDir the folder on the host, relative to the user's home or absolute
 * @param keyFile   the private key file (on the platform's host), or empty
 * @param password  the password, or empty
 */
record Target(String host, String user, int port, String nodeId, String remoteDir, String keyFile, String password) {
    static final int DEFAULT_PORT = 22;
    /** As {@code ./ias node start NAME} accepts node names. */
    static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:%-]{1,253}");
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._][A-Za-z0-9._-]{0,31}");
    /** Safe in a shell word and in SFTP paths: no spaces, quotes, $, ~ or the like. */
    private static final Pattern DIR = Pattern.compile("[A-Za-z0-9._/+-]{1,1024}");

    /**
     * Checks {@code request}; every problem found is reported at once.
     *
     * @throws IasException INVALID naming each field that is wrong and what is expected
     */
    static Target of(ProvisionRequest request, Settings settings) throws IasException {
        List<ValidationError> errors = new ArrayList<>();
        String host = strip(request.host());
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            errors.add(new ValidationError("host", "missing: the host to provision, a host name or address"));
        } else if (!HOST.matcher(host).matches()) {
            errors.add(new ValidationError("host", "\"" + host + "\" is not a host name or address"));
        }
        String user = strip(request.user());
        if (user.isEmpty()) {
            errors.add(new ValidationError("user", "missing: the SSH user on the host"));
        } else if (!USER.matcher(user).matches()) {
            errors.add(new ValidationError("user", "\"" + user + "\" is not a user name (letters, digits, '.', '_', "
                    + "'-', at most 32)"));
        }
        int port = request.port() == null ? DEFAULT_PORT : request.port();
        if (port < 1 || port > 65_535) {
            errors.add(new ValidationError("port", "expected an SSH port from 1 to 65535, got " + port));
        }
        String nodeId = strip(request.nodeId());
        if (nodeId.isEmpty()) {
            if (NODE_ID.matcher(host).matches()) {
                nodeId = host;
            } else if (!host.isEmpty()) {
                errors.add(new ValidationError("node_id", "missing, and the host \"" + host + "\" is no node id: give "
                        + "one (1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit)"));
            }
        } else if (!NODE_ID.matcher(nodeId).matches()) {
            errors.add(new ValidationError("node_id", "\"" + nodeId + "\" is not a node id: expected 1 to 63 letters, "
                    + "digits, '.', '_' or '-', starting with a letter or digit"));
        }
        String dir = strip(request.remoteDir());
        if (dir.isEmpty()) {
            dir = settings.remoteDir().isEmpty() ? "ias-node-" + nodeId : settings.remoteDir();
        }
        String dirProblem = dirProblem(dir);
        if (dirProblem != null) {
            errors.add(new ValidationError("dir", dirProblem));
        }
        String keyFile = strip(request.keyFile());
        if (keyFile.isEmpty()) {
            keyFile = settings.privateKeyFile();
        } else if (!Files.isRegularFile(Path.of(keyFile)) || !Files.isReadable(Path.of(keyFile))) {
            errors.add(new ValidationError("key_file", "no readable file " + keyFile + " on the platform's host; "
                    + "expected the path of a private key (OpenSSH or PEM format) there"));
        }
        String password = request.password() == null ? "" : request.password();
        if (keyFile.isEmpty() && password.isEmpty()) {
            errors.add(new ValidationError("key_file", "no credentials: give a key file or a password, or set "
                    + "private_key_file in etc/org.iasplatform.provision.cfg"));
        }
        if (!errors.isEmpty()) {
            throw new IasException(ErrorKind.INVALID, errors);
        }
        return new Target(host, user, port, nodeId, dir, keyFile, password);
    }

    /** What is wrong with a remote folder, or null. */
    private static String dirProblem(String dir) {
        String expected = "; expected a folder relative to the user's home, or absolute, of letters, digits and . _ - + /";
        if (!DIR.matcher(dir).matches()) {
            return "\"" + dir + "\" is not a folder this accepts" + expected;
        }
        if (dir.startsWith("-") || List.of(dir.split("/")).contains("..")) {
            return "\"" + dir + "\" may not start with '-' nor contain '..'" + expected;
        }
        String normal = dir.replaceAll("/+", "/").replaceAll("/$", "");
        if (normal.isEmpty() || normal.equals(".") || normal.equals("/")) {
            return "\"" + dir + "\" is no folder of its own" + expected;
        }
        return null;
    }

    /** {@code user@host:port}, for messages (holds no secret). */
    String address() {
        return user + "@" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** Whether the host is this machine's loopback (only there are the platform's loopback endpoints reachable). */
    boolean loopback() {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    private static String strip(String s) {
        return s == null ? "" : s.strip();
    }

    @Override
    public String toString() {
        return nodeId + " on " + address() + ":" + remoteDir + (keyFile.isEmpty() ? "" : ", key " + keyFile)
                + (password.isEmpty() ? "" : ", password (set)");
    }
}
