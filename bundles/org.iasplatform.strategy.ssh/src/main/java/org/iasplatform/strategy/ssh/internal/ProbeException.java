package org.iasplatform.strategy.ssh.internal;

/** A probe of a host did not give figures; the message names the host and user and says why, never a secret. */
final class ProbeException extends Exception {
    private static final long serialVersionUID = 1L;

    ProbeException(String message) {
        super(message);
    }
}
