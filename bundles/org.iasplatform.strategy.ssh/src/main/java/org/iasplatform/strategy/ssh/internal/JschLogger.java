package org.iasplatform.strategy.ssh.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * jsch's own log, into slf4j under {@code org.iasplatform.strategy.ssh.jsch}: its DEBUG and INFO messages (every
 * connection's steps) at TRACE, its WARN, ERROR and FATAL at DEBUG — the strategy itself reports what goes wrong.
 * jsch never writes passwords or key material into its log.
 */
final class JschLogger implements com.jcraft.jsch.Logger {
    static final String NAME = "org.iasplatform.strategy.ssh.jsch";
    private static final Logger LOG = LoggerFactory.getLogger(NAME);

    @Override
    public boolean isEnabled(int level) {
        return level <= INFO ? LOG.isTraceEnabled() : LOG.isDebugEnabled();
    }

    @Override
    public void log(int level, String message) {
        if (level <= INFO) {
            LOG.trace("{}", message);
        } else {
            LOG.debug("{}", message);
        }
    }

    @Override
    public void log(int level, String message, Throwable cause) {
        if (level <= INFO) {
            LOG.trace("{}", message, cause);
        } else {
            LOG.debug("{}", message, cause);
        }
    }
}
