package org.iasplatform.provision.internal;

import java.util.Locale;

/** The steps of a provisioning, in order. */
enum Step {
    /** SSH connection, host key, authentication. */
    CONNECT,
    /** The host has what it takes (tar, java, room), and nothing runs in the folder. */
    CHECK,
    /** The node distribution archive, over SFTP. */
    COPY,
    /** Unpacked into the folder. */
    UNPACK,
    /** Its etc/: node id, the platform's Kafka, store and API, its console port. */
    CONFIGURE,
    /** bin/start. */
    START,
    /** Its first heartbeat reached the platform. */
    HEARTBEAT;

    /** The name the progress and the errors use: connect, check, copy, … */
    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
