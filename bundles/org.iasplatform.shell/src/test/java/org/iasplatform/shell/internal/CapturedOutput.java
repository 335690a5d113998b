package org.iasplatform.shell.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What commands print, captured for the tests: {@link #wire} a command, then read {@link #out()} and {@link #err()}. */
final class CapturedOutput {
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    <T extends IasAction> T wire(T action) {
        action.out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        action.err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        return action;
    }

    String out() {
        return outBytes.toString(StandardCharsets.UTF_8).replace("\r", "");
    }

    String err() {
        return errBytes.toString(StandardCharsets.UTF_8).replace("\r", "");
    }
}
