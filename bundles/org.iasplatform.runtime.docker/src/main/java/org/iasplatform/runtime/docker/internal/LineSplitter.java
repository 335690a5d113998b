package org.iasplatform.runtime.docker.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Cuts one output stream of a container, arriving in frames of any size, into UTF-8 lines (malformed bytes replaced)
 * for a sink. A line longer than the bound is cut there (marked) and the rest of it dropped, so a container writing
 * without newlines cannot exhaust memory. Not thread-safe: one per stream, fed by one thread.
 */
final class LineSplitter {
    static final String CUT_MARK = " …[line cut]";

    private final int maxBytes;
    private final Consumer<String> sink;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean cut;

    LineSplitter(int maxBytes, Consumer<String> sink) {
        this.maxBytes = maxBytes;
        this.sink = sink;
    }

    /** Takes the next bytes of the stream. */
    void feed(byte[] bytes) {
        if (bytes == null) {
            return;
        }
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                append(bytes, start, i - start);
                emit();
                start = i + 1;
            }
        }
        append(bytes, start, bytes.length - start);
    }

    /** The stream ended: an unfinished last line is passed on. */
    void finish() {
        if (line.size() > 0 || cut) {
            emit();
        }
    }

    private void append(byte[] bytes, int offset, int length) {
        int room = maxBytes - line.size();
        if (length > room) {
            cut = true;
            length = Math.max(0, room);
        }
        line.write(bytes, offset, length);
    }

    private void emit() {
        byte[] bytes = line.toByteArray();
        int end = bytes.length;
        if (end > 0 && bytes[end - 1] == '\r') {
            end--;
        }
        String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
        boolean wasCut = cut;
        line.reset();
        cut = false;
        try {
            sink.accept(wasCut ? text + CUT_MARK : text);
        } catch (RuntimeException e) {
            // a failing sink must not stop the following of the log
        }
    }
}
