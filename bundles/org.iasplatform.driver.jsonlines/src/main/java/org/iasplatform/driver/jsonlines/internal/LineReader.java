package org.iasplatform.driver.jsonlines.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a byte stream into lines without ever buffering more than {@code maxLineBytes} of one line: a longer line is
 * discarded up to its newline and reported as {@link Line#overlong() overlong}.
 */
final class LineReader {
    /** One line (terminator and a trailing CR removed), or an overlong line that was skipped. */
    record Line(String text, boolean overlong, long length) {
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] chunk = new byte[8192];
    private int pos;
    private int limit;
    private byte[] line = new byte[256];
    private int lineLength;

    LineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next line, or {@code null} at the end of the stream. */
    Line next() throws IOException {
        lineLength = 0;
        long skipped = 0; // > 0 once the line is over the limit: its bytes are counted, not kept
        while (true) {
            if (pos == limit) {
                limit = in.read(chunk);
                pos = 0;
                if (limit < 0) {
                    limit = 0;
                    if (skipped > 0) {
                        return new Line(null, true, skipped);
                    }
                    return lineLength == 0 ? null : toLine();
                }
            }
            int start = pos;
            int newline = -1;
            for (int i = pos; i < limit; i++) {
                if (chunk[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int end = newline < 0 ? limit : newline;
            int n = end - start;
            pos = newline < 0 ? limit : newline + 1;
            if (skipped > 0) {
                skipped += n;
            } else if (lineLength + n > maxLineBytes) {
                skipped = lineLength + (long) n;
                lineLength = 0;
            } else {
                append(start, n);
            }
            if (newline >= 0) {
                return skipped > 0 ? new Line(null, true, skipped) : toLine();
            }
        }
    }

    private void append(int start, int n) {
        if (lineLength + n > line.length) {
            line = Arrays.copyOf(line, Math.min(maxLineBytes, Math.max(line.length * 2, lineLength + n)));
        }
        System.arraycopy(chunk, start, line, lineLength, n);
        lineLength += n;
    }

    private Line toLine() {
        int n = lineLength;
        if (n > 0 && line[n - 1] == '\r') {
            n--;
        }
        return new Line(new String(line, 0, n, StandardCharsets.UTF_8), false, lineLength);
    }
}
