package org.iasplatform.sshsupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * jsch's own log, into slf4j under a name of the caller's: its DEBUG and INFO messages (every connection's steps) at
 * TRACE, its WARN, ERROR and FATAL at DEBUG — the caller itself reports what goes wrong. jsch never writes passwords or
 * key material into its log.
 */
public final class JschLogger implements com.jcraft.jsch.Logger {
    private final Logger log;

    /** @param name the slf4j logger name, e.g. {@code org.iasplatform.strategy.ssh.jsch} */
    public JschLogger(String name) {
        this.log = LoggerFactory.getLogger(name);
    }

    @Override
    public boolean isEnabled(int level) {
        return level <= INFO ? log.isTraceEnabled() : log.isDebugEnabled();
    }

    @Override
    public void log(int level, String message) {
        if (level <= INFO) {
            log.trace("{}", message);
        } else {
            log.debug("{}", message);
        }
    }

    @Override
    public void log(int level, String message, Throwable cause) {
        if (level <= INFO) {
            log.trace("{}", message, cause);
        } else {
            log.debug("{}", message, cause);
        }
    }
}
