package org.iasplatform.shell.internal;

import java.io.PrintStream;

import org.apache.karaf.shell.api.action.Action;
import org.iasplatform.api.IasException;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Base of the ias: commands: a refusal is printed as {@code path: message} lines, never as a stack trace. */
abstract class IasAction implements Action {
    final ObjectMapper mapper = Shell.mapper();
    /** System.out/err: in Karaf, gogo's ThreadIO routes them to the session running the command. */
    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public final Object execute() throws Exception {
        try {
            run();
        } catch (IasException e) {
            Shell.printErrors(e, err);
        }
        return null;
    }

    abstract void run() throws Exception;
}
