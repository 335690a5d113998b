package org.iasplatform.api.node;

/**
 * Where and how to provision a node. Every field but {@code host} and {@code user} may be null for the provisioning
 * service's default. {@link #toString()} never shows the password.
 *
 * @param host      the host to install the node on (name or address, as the platform reaches it)
 * @param user      the SSH user there
 * @param port      the SSH port (null: 22)
 * @param nodeId    the new node's id (null: the host name, when it is a valid node id)
 * @param remoteDir where the node distribution goes on that host (null: {@code ias-node-<node id>} in the user's home)
 * @param keyFile   a private key file on the platform's host (null: the configured one)
 * @param password  a password (null: key authentication only); never logged, stored or shown
 * @since 1.1
 */
public record ProvisionRequest(String host, String user, Integer port, String nodeId, String remoteDir, String keyFile,
        String password) {

    @Override
    public String toString() {
        return "ProvisionRequest[host=" + host + ", user=" + user + ", port=" + port + ", nodeId=" + nodeId
                + ", remoteDir=" + remoteDir + ", keyFile=" + keyFile + ", password="
                + (password == null ? "(none)" : "(set)") + "]";
    }
}
