package org.iasplatform.provision.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The configuration of node provisioning (PID org.iasplatform.provision, {@code etc/org.iasplatform.provision.cfg}). */
@ObjectClassDefinition(name = "IAS node provisioning",
        description = "Provisioning nodes over SSH (ias:node-provision, POST /nodes/provision): where the node "
                + "distribution comes from, the credentials and host key policy, and what the new nodes are told "
                + "about the platform.")
public @interface ProvisionConfig {
    @AttributeDefinition(name = "Node distribution", required = false,
            description = "Path of the node distribution archive (tar.gz) copied to the hosts. Empty: the one the "
                    + "platform distribution carries, system/org/iasplatform/ias-node-distribution/<version>/.")
    String node__distribution() default "";

    @AttributeDefinition(name = "Remote folder", required = false,
            description = "Where the node goes on a host when the request names no folder: a path relative to the SSH "
                    + "user's home, or absolute. Empty: ias-node-<node id> in the user's home.")
    String remote__dir() default "";

    @AttributeDefinition(name = "Private key file", required = false,
            description = "Path (on the platform's host) of the private key (OpenSSH or PEM format) offered when the "
                    + "request names none.")
    String private__key__file() default "";

    // The secret is named with a leading full stop (".private_key_passphrase"): a private component property, which SCR
    // does not copy into the service's properties, so that service listings never show it.

    @AttributeDefinition(name = "Private key passphrase", type = AttributeType.PASSWORD, required = false,
            description = "Passphrase of the private key, when it is encrypted (property .private_key_passphrase).")
    String _private__key__passphrase() default "";

    @AttributeDefinition(name = "known_hosts file", required = false,
            description = "OpenSSH known_hosts file: when given, host keys are checked strictly against it (an unknown "
                    + "or changed key is rejected). When not, a host's first key is accepted and remembered in memory "
                    + "(accept-new), with a warning.")
    String known__hosts__file() default "";

    @AttributeDefinition(name = "Kafka bootstrap servers for the nodes", required = false,
            description = "The platform's Kafka as the new nodes reach it (their kafka_bootstrap_servers). Empty: the "
                    + "platform's own (which, for the embedded broker, only a node on this machine reaches).")
    String advertised__kafka__bootstrap__servers() default "";

    @AttributeDefinition(name = "MongoDB URI for the nodes", required = false,
            description = "The platform's store as the new nodes reach it (their mongo_uri). Empty: the platform's own.")
    String advertised__mongo__uri() default "";

    @AttributeDefinition(name = "API URL for the nodes",
            description = "The platform's REST API as algorithm instances on the new nodes reach it (their api_url, "
                    + "IAS_API_URL).")
    String api__url() default "http://127.0.0.1:8181/ias/api/v1";

    @AttributeDefinition(name = "Node console port", min = "0",
            description = "The SSH console port of the new node's Karaf (its sshPort); 0: any free port, chosen when "
                    + "the node starts.")
    int node__console__port() default 8102;

    @AttributeDefinition(name = "Java home on the hosts", required = false,
            description = "JAVA_HOME the node is started with on the hosts. Empty: the host's own (JAVA_HOME or java on "
                    + "the PATH of an SSH command).")
    String remote__java__home() default "";

    @AttributeDefinition(name = "Connect time-out (ms)", min = "1",
            description = "Longest TCP connect, and longest wait for each message of the SSH handshake.")
    int connect__timeout__ms() default 10_000;

    @AttributeDefinition(name = "Command time-out (ms)", min = "1",
            description = "Longest time one step on the host may take (copying the archive, unpacking it, starting).")
    int command__timeout__ms() default 300_000;

    @AttributeDefinition(name = "Heartbeat time-out (ms)", min = "1",
            description = "How long after its start the new node has to send its first heartbeat.")
    int heartbeat__timeout__ms() default 180_000;

    @AttributeDefinition(name = "Parallel provisionings", min = "1",
            description = "Most provisionings under way at once; more wait their turn.")
    int max__parallel() default 2;
}
