package org.slf4j.impl;

import org.iasplatform.strategy.ssh.internal.LogCapture;
import org.slf4j.ILoggerFactory;
import org.slf4j.spi.LoggerFactoryBinder;

/** The tests' slf4j 1.7 binding: every logger writes into {@link LogCapture}, so tests can read what was logged. */
public final class StaticLoggerBinder implements LoggerFactoryBinder {
    /** Read by slf4j. */
    public static String REQUESTED_API_VERSION = "1.6.99"; // NOPMD: slf4j reads this field

    private static final StaticLoggerBinder SINGLETON = new StaticLoggerBinder();

    public static StaticLoggerBinder getSingleton() {
        return SINGLETON;
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return LogCapture::logger;
    }

    @Override
    public String getLoggerFactoryClassStr() {
        return LogCapture.class.getName();
    }
}
