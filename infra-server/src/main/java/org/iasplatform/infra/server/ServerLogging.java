package org.iasplatform.infra.server;

import java.nio.file.Path;

import org.apache.log4j.ConsoleAppender;
import org.apache.log4j.Level;
import org.apache.log4j.LogManager;
import org.apache.log4j.PatternLayout;
import org.apache.log4j.RollingFileAppender;
import org.slf4j.LoggerFactory;

/**
 * Logging of the embedded servers. Kafka 3.9 logs through slf4j bound to reload4j (log4j 1.x API); the servers' logs
 * go to a rolling file, never to stdout (stdout carries the READY line to the parent).
 */
final class ServerLogging {
    private static final String PATTERN = "%d{ISO8601} %-5p [%t] %c - %m%n";

    private ServerLogging() {
    }

    /** Sends all server logging to {@code logFile} (rolled at 10 MB, 5 kept), replacing any other configuration. */
    static void configureFile(Path logFile) {
        LogManager.resetConfiguration();
        RollingFileAppender file = new RollingFileAppender();
        file.setName("ias-infra-file");
        file.setFile(logFile.toAbsolutePath().toString());
        file.setAppend(true);
        file.setMaxFileSize("10MB");
        file.setMaxBackupIndex(5);
        file.setLayout(new PatternLayout(PATTERN));
        file.activateOptions();
        org.apache.log4j.Logger root = LogManager.getRootLogger();
        root.addAppender(file);
        root.setLevel(Level.INFO);
        LogManager.getLogger("state.change.logger").setLevel(Level.WARN);
        LogManager.getLogger("kafka.request.logger").setLevel(Level.WARN);
        LogManager.getLogger("org.apache.zookeeper").setLevel(Level.WARN);
        LogManager.getLogger("io.netty").setLevel(Level.WARN);
        LogManager.getLogger("de.bwaldvogel").setLevel(Level.WARN);
    }

    /**
     * When reload4j is the slf4j binding and nobody configured it (no appender on the root logger, e.g. in another
     * module's tests), logs warnings and errors to stderr instead of dropping everything at DEBUG cost.
     */
    static void ensureConfigured() {
        try {
            if (!LoggerFactory.getILoggerFactory().getClass().getName().startsWith("org.slf4j.impl.Reload4j")) {
                return;
            }
            org.apache.log4j.Logger root = LogManager.getRootLogger();
            if (root.getAllAppenders().hasMoreElements()) {
                return;
            }
            ConsoleAppender console = new ConsoleAppender(new PatternLayout(PATTERN), ConsoleAppender.SYSTEM_ERR);
            console.setName("ias-infra-default");
            root.addAppender(console);
            root.setLevel(Level.WARN);
        } catch (LinkageError e) {
            // reload4j is not on the class path: whatever binding is there decides
        }
    }
}
