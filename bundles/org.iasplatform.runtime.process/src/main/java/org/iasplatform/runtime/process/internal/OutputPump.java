package org.iasplatform.runtime.process.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reads a process's output as UTF-8 lines (malformed bytes replaced) and hands each to a sink; a line longer than the
 * bound is cut there (marked) and the rest of it is dropped, so a process writing without newlines cannot exhaust memory.
 */
final class OutputPump implements Runnable {
    static final String CUT_MARK = " …[line cut]";

    private final InputStream in;
    private final int maxLength;
    private final Consumer<String> sink;

    OutputPump(InputStream in, int maxLength, Consumer<String> sink) {
        this.in = in;
        this.maxLength = maxLength;
        this.sink = sink;
    }

    @Override
    public void run() {
        StringBuilder line = new StringBuilder();
        boolean cut = false;
        char[] buffer = new char[8192];
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            int n;
            while ((n = reader.read(buffer)) >= 0) {
                for (int i = 0; i < n; i++) {
                    char c = buffer[i];
                    if (c == '\n') {
                        emit(line, cut);
                        line.setLength(0);
                        cut = false;
                    } else if (line.length() < maxLength) {
                        line.append(c);
                    } else {
                        cut = true;
                    }
                }
            }
        } catch (IOException e) {
            // the stream was closed: the process is gone
        }
        if (line.length() > 0 || cut) {
            emit(line, cut);
        }
    }

    private void emit(StringBuilder line, boolean cut) {
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
            end--;
        }
        String text = line.substring(0, end);
        try {
            sink.accept(cut ? text + CUT_MARK : text);
        } catch (RuntimeException e) {
            // a failing sink must not stop the draining of the pipe (the process would block on a full pipe)
        }
    }
}
