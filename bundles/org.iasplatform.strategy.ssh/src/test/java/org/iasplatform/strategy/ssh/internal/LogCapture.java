package org.iasplatform.strategy.ssh.internal;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.helpers.FormattingTuple;
import org.slf4j.helpers.MarkerIgnoringBase;
import org.slf4j.helpers.MessageFormatter;

/**
 * What the code under test logged (through the test slf4j binding, {@code org.slf4j.impl.StaticLoggerBinder}): every
 * event of the platform's loggers and of jsch's, at every level, with its throwable's stack trace; other libraries'
 * (the SSH server's) from INFO. WARN and ERROR are also printed, for the test output.
 */
public final class LogCapture {
    /** A logged event, its message formatted and its throwable (with causes) rendered. */
    public record Event(String level, String logger, String message, String throwable) {
        /** Everything the event holds, as text. */
        public String text() {
            return level + " " + logger + " " + message + (throwable == null ? "" : "\n" + throwable);
        }
    }

    private static final List<Event> EVENTS = new ArrayList<>();
    private static final Map<String, Logger> LOGGERS = new ConcurrentHashMap<>();

    private LogCapture() {
    }

    public static Logger logger(String name) {
        return LOGGERS.computeIfAbsent(name, CapturingLogger::new);
    }

    public static void clear() {
        synchronized (EVENTS) {
            EVENTS.clear();
        }
    }

    public static List<Event> events() {
        synchronized (EVENTS) {
            return List.copyOf(EVENTS);
        }
    }

    public static List<Event> events(Predicate<Event> which) {
        return events().stream().filter(which).toList();
    }

    /**
     * Waits until an event that {@code which} accepts has been logged (woken by each new event, not polling).
     *
     * @return that event, or null when none came within {@code timeoutMillis}
     */
    public static Event await(Predicate<Event> which, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        synchronized (EVENTS) {
            while (true) {
                for (Event event : EVENTS) {
                    if (which.test(event)) {
                        return event;
                    }
                }
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return null;
                }
                EVENTS.wait(left);
            }
        }
    }

    /** All captured text, one event per line (and stack traces). */
    public static String all() {
        StringBuilder text = new StringBuilder();
        events().forEach(e -> text.append(e.text()).append('\n'));
        return text.toString();
    }

    private static void add(String level, String logger, FormattingTuple tuple) {
        String throwable = null;
        if (tuple.getThrowable() != null) {
            StringWriter trace = new StringWriter();
            tuple.getThrowable().printStackTrace(new PrintWriter(trace));
            throwable = trace.toString();
        }
        Event event = new Event(level, logger, tuple.getMessage(), throwable);
        synchronized (EVENTS) {
            EVENTS.add(event);
            EVENTS.notifyAll();
        }
        if (level.equals("WARN") || level.equals("ERROR")) {
            System.out.println("[" + Thread.currentThread().getName() + "] " + event.text());
        }
    }

    private static final class CapturingLogger extends MarkerIgnoringBase {
        private static final long serialVersionUID = 1L;
        private final boolean everything;

        CapturingLogger(String name) {
            this.name = name;
            this.everything = name.startsWith("org.iasplatform");
        }

        private void log(String level, String format, Object... args) {
            add(level, name, MessageFormatter.arrayFormat(format, args));
        }

        @Override public boolean isTraceEnabled() { return everything; }
        @Override public void trace(String msg) { if (everything) log("TRACE", msg); }
        @Override public void trace(String format, Object arg) { if (everything) log("TRACE", format, arg); }
        @Override public void trace(String format, Object a, Object b) { if (everything) log("TRACE", format, a, b); }
        @Override public void trace(String format, Object... args) { if (everything) log("TRACE", format, args); }
        @Override public void trace(String msg, Throwable t) { if (everything) log("TRACE", msg, t); }

        @Override public boolean isDebugEnabled() { return everything; }
        @Override public void debug(String msg) { if (everything) log("DEBUG", msg); }
        @Override public void debug(String format, Object arg) { if (everything) log("DEBUG", format, arg); }
        @Override public void debug(String format, Object a, Object b) { if (everything) log("DEBUG", format, a, b); }
        @Override public void debug(String format, Object... args) { if (everything) log("DEBUG", format, args); }
        @Override public void debug(String msg, Throwable t) { if (everything) log("DEBUG", msg, t); }

        @Override public boolean isInfoEnabled() { return true; }
        @Override public void info(String msg) { log("INFO", msg); }
        @Override public void info(String format, Object arg) { log("INFO", format, arg); }
        @Override public void info(String format, Object a, Object b) { log("INFO", format, a, b); }
        @Override public void info(String format, Object... args) { log("INFO", format, args); }
        @Override public void info(String msg, Throwable t) { log("INFO", msg, t); }

        @Override public boolean isWarnEnabled() { return true; }
        @Override public void warn(String msg) { log("WARN", msg); }
        @Override public void warn(String format, Object arg) { log("WARN", format, arg); }
        @Override public void warn(String format, Object a, Object b) { log("WARN", format, a, b); }
        @Override public void warn(String format, Object... args) { log("WARN", format, args); }
        @Override public void warn(String msg, Throwable t) { log("WARN", msg, t); }

        @Override public boolean isErrorEnabled() { return true; }
        @Override public void error(String msg) { log("ERROR", msg); }
        @Override public void error(String format, Object arg) { log("ERROR", format, arg); }
        @Override public void error(String format, Object a, Object b) { log("ERROR", format, a, b); }
        @Override public void error(String format, Object... args) { log("ERROR", format, args); }
        @Override public void error(String msg, Throwable t) { log("ERROR", msg, t); }
    }
}
