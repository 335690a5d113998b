package org.iasplatform.runtime.process.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.iasplatform.api.node.InstanceLaunch;
import org.iasplatform.api.node.RunningInstance;
import org.iasplatform.testsupport.RecordingInstanceListener;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The process runtime with real child processes (bash, python3): output, environment, exit, stop of the whole tree. */
public class ProcessRuntimeTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private static final String ID = "65f0c0ffee0000000000beef";
    private Path app;
    private Path sdk;
    private ProcessRuntime runtime;
    private final Listener listener = new Listener();

    /** Records what the runtime reports. */
    static final class Listener extends RecordingInstanceListener {
    }

    @Before
    public void setUp() throws Exception {
        app = tmp.newFolder("app").toPath();
        sdk = tmp.getRoot().toPath().resolve("sdk");
        assertTrue("platform_lib.py is shipped in the bundle", ProcessRuntime.installSdk(sdk));
        runtime = new ProcessRuntime(settings(8192));
    }

    @After
    public void tearDown() {
        runtime.close(Duration.ofSeconds(1));
    }

    private Settings settings(int maxLine) {
        return new Settings(Settings.commands(Settings.DEFAULT_INTERPRETERS), Settings.pairs(Settings.DEFAULT_EXTENSIONS),
                sdk, maxLine, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMillis(100));
    }

    private InstanceLaunch launch(String entry, String lang) {
        return new InstanceLaunch(ID, "job-1", "App", "algo", app, entry, lang,
                Map.of(InstanceLaunch.ENV_API_URL, "http://127.0.0.1:8181/ias/api/v1", InstanceLaunch.ENV_INSTANCE_ID, ID,
                        InstanceLaunch.ENV_TOKEN, "secret-token"),
                List.of(), Map.of());
    }

    private void script(String name, String text) throws Exception {
        Files.writeString(app.resolve(name), text);
    }

    @Test
    public void aBashScriptGetsItsArgumentAndEnvironmentAndStopEndsItAndItsChild() throws Exception {
        script("algo.sh", """
                echo "arg=$1"
                echo "instance=$IAS_INSTANCE_ID"
                echo "api=$IAS_API_URL"
                echo "token=$IAS_TOKEN"
                echo "pythonpath=$PYTHONPATH"
                echo "cwd=$(pwd)"
                echo "oops" >&2
                sleep 300 &
                echo "child=$!"
                wait
                """);
        RunningInstance instance = runtime.start(launch("algo.sh", "bash"), listener);
        await("the child's pid", () -> listener.line("stdout:child=") != null);
        long child = Long.parseLong(listener.line("stdout:child=").substring("stdout:child=".length()));
        long main = ((ProcessInstance) instance).pid();
        assertTrue(alive(child) && alive(main) && instance.isAlive());
        assertTrue(instance.describe(), instance.describe().contains("bash " + app.resolve("algo.sh") + " " + ID));

        assertEquals("stdout:arg=" + ID, listener.line("stdout:arg="));
        assertEquals("stdout:instance=" + ID, listener.line("stdout:instance="));
        assertEquals("stdout:api=http://127.0.0.1:8181/ias/api/v1", listener.line("stdout:api="));
        assertEquals("stdout:token=secret-token", listener.line("stdout:token="));
        assertTrue(listener.line("stdout:pythonpath=").startsWith("stdout:pythonpath=" + sdk));
        assertEquals("stdout:cwd=" + app.toRealPath(), listener.line("stdout:cwd="));
        await("stderr", () -> listener.lines.contains("stderr:oops"));

        instance.stop(Duration.ofSeconds(5));
        assertFalse("the script is gone", alive(main));
        assertFalse("its child is gone too", alive(child));
        assertFalse(instance.isAlive());
        assertTrue("no exit is reported after stop", listener.exits.isEmpty());
        assertEquals(0, runtime.running());
        instance.stop(Duration.ofSeconds(5)); // idempotent
    }

    @Test
    public void processesLeftByAKilledPredecessorAreKilledWhenTheRuntimeStartsAgain() throws Exception {
        script("algo.sh", "sleep 300 &\necho \"child=$!\"\nwait\n");
        String owner = tmp.newFolder("node-data").getAbsolutePath();
        // a runtime whose JVM "dies": it is never closed, its processes stay behind
        ProcessRuntime killed = new ProcessRuntime(settings(8192), owner);
        RunningInstance abandoned = killed.start(launch("algo.sh", "bash"), listener);
        await("the child's pid", () -> listener.line("stdout:child=") != null);
        long child = Long.parseLong(listener.line("stdout:child=").substring("stdout:child=".length()));
        long main = ((ProcessInstance) abandoned).pid();
        assertTrue(alive(main) && alive(child));
        assertEquals("a runtime of another owner leaves them alone", 0, new ProcessRuntime(settings(8192),
                tmp.newFolder("other-node").getAbsolutePath()).killLeftovers());
        assertTrue(alive(main) && alive(child));

        ProcessRuntime again = new ProcessRuntime(settings(8192), owner);
        try {
            assertEquals("the script and its child", 2, again.killLeftovers());
            assertFalse(alive(main));
            assertFalse(alive(child));
        } finally {
            again.close(Duration.ofSeconds(1));
            killed.close(Duration.ofSeconds(1));
        }
    }

    @Test
    public void whatIgnoresSigtermIsKilledAfterTheGrace() throws Exception {
        script("stubborn.sh", """
                trap '' TERM
                sleep 300 &
                echo "child=$!"
                while true; do sleep 0.2; done
                """);
        RunningInstance instance = runtime.start(launch("stubborn.sh", ""), listener);
        await("the child's pid", () -> listener.line("stdout:child=") != null);
        long child = Long.parseLong(listener.line("stdout:child=").substring("stdout:child=".length()));
        long main = ((ProcessInstance) instance).pid();
        long start = System.nanoTime();
        instance.stop(Duration.ofMillis(500));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue("waited for the grace: " + ms + " ms", ms >= 450);
        assertFalse(alive(main));
        assertFalse(alive(child));
        assertTrue(ProcessHandle.current().descendants().filter(ProcessTree::alive)
                .noneMatch(p -> p.info().arguments().map(a -> List.of(a).contains(ID)).orElse(false)));
    }

    @Test
    public void theExitCodeIsReportedAfterTheLastLines() throws Exception {
        script("fails.sh", "echo bye\nexit 3\n");
        runtime.start(launch("fails.sh", "sh"), listener);
        await("the exit", () -> !listener.exits.isEmpty());
        assertEquals(List.of("3 exit 3"), listener.exits);
        assertTrue(listener.lines.contains("stdout:bye"));
        assertEquals(0, runtime.running());

        Listener second = new Listener();
        script("ok.sh", "echo done\n");
        runtime.start(launch("ok.sh", "bash"), second);
        await("the exit", () -> !second.exits.isEmpty());
        assertEquals(List.of("0 exit 0"), second.exits);
        assertEquals(List.of("stdout:done"), second.lines);
    }

    @Test
    public void whatAScriptLeavesRunningWhenItExitsIsEndedToo() throws Exception {
        script("orphan.sh", """
                sleep 300 &
                echo "child=$!"
                exit 0
                """);
        runtime.start(launch("orphan.sh", "bash"), listener);
        await("the exit", () -> !listener.exits.isEmpty());
        assertEquals(List.of("0 exit 0"), listener.exits);
        long child = Long.parseLong(listener.line("stdout:child=").substring("stdout:child=".length()));
        assertFalse("the orphaned child is gone", alive(child));
    }

    @Test
    public void aPythonScriptRunsUnbufferedWithTheSdkOnItsPath() throws Exception {
        script("algo.py", """
                import os, sys, time
                import platform_lib
                print("arg=" + sys.argv[1])
                print("sdk=" + os.path.dirname(os.path.abspath(platform_lib.__file__)))
                print("token=" + os.environ["IAS_TOKEN"])
                sys.stderr.write("warn\\n")
                time.sleep(300)
                """);
        RunningInstance instance = runtime.start(launch("algo.py", ""), listener);
        await("the lines of a still running script", () -> listener.line("stdout:token=") != null
                && listener.lines.contains("stderr:warn"));
        assertEquals("stdout:arg=" + ID, listener.line("stdout:arg="));
        assertEquals("stdout:sdk=" + sdk.toRealPath(), listener.line("stdout:sdk="));
        assertTrue(instance.describe(), instance.describe().contains("python3 -u "));
        long main = ((ProcessInstance) instance).pid();
        instance.stop(Duration.ofSeconds(5));
        assertFalse(alive(main));

        Listener exits = new Listener();
        script("exits.py", "import sys\nprint('x')\nsys.exit(4)\n");
        runtime.start(launch("exits.py", "python"), exits);
        await("the exit", () -> !exits.exits.isEmpty());
        assertEquals(List.of("4 exit 4"), exits.exits);
    }

    @Test
    public void longLinesAreCut() throws Exception {
        runtime.close(Duration.ofSeconds(1));
        runtime = new ProcessRuntime(settings(100));
        script("long.sh", "head -c 20000 /dev/zero | tr '\\0' 'a'; echo; echo next\n");
        runtime.start(launch("long.sh", "bash"), listener);
        await("the exit", () -> !listener.exits.isEmpty());
        assertEquals(List.of("stdout:" + "a".repeat(100) + OutputPump.CUT_MARK, "stdout:next"), listener.lines);
    }

    @Test
    public void closingTheRuntimeStopsEverything() throws Exception {
        script("a.sh", "echo up\nsleep 300\n");
        RunningInstance a = runtime.start(launch("a.sh", "bash"), listener);
        Listener other = new Listener();
        RunningInstance b = runtime.start(launch("a.sh", "bash"), other);
        await("both up", () -> listener.lines.contains("stdout:up") && other.lines.contains("stdout:up"));
        runtime.close(Duration.ofSeconds(2));
        assertFalse(a.isAlive() || b.isAlive());
        assertEquals(0, runtime.running());
        try {
            runtime.start(launch("a.sh", "bash"), listener);
            fail("a closed runtime starts nothing");
        } catch (IllegalStateException expected) {
            // stopping
        }
    }

    @Test
    public void theCommandComesFromTheLangTheExtensionOrTheFileItself() throws Exception {
        Settings s = settings(8192);
        script("x.py", "");
        script("x.rb", "");
        script("tool", "#!/bin/sh\necho hi\n");
        script("plain", "");
        Path py = app.resolve("x.py");
        assertEquals(List.of("python3", "-u", py.toString(), ID), Commands.commandFor(launch("x.py", "Python"), s));
        assertEquals(List.of("python3", "-u", py.toString(), ID), Commands.commandFor(launch("x.py", ""), s));
        assertEquals(List.of("bash", py.toString(), ID), Commands.commandFor(launch("x.py", "bash"), s));
        assertEquals(List.of("ruby", app.resolve("x.rb").toString(), ID), Commands.commandFor(launch("x.rb", null), s));
        assertTrue(app.resolve("tool").toFile().setExecutable(true));
        assertEquals(List.of(app.resolve("tool").toString(), ID), Commands.commandFor(launch("tool", ""), s));
        refused(() -> Commands.commandFor(launch("x.py", "cobol"), s), "unknown lang \"cobol\"");
        refused(() -> Commands.commandFor(launch("plain", ""), s), "cannot tell how to run \"plain\"");
        refused(() -> Commands.commandFor(launch("../outside.sh", "bash"), s), "not a file inside");
        try {
            Commands.commandFor(launch("missing.py", ""), s);
            fail();
        } catch (FileNotFoundException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("missing.py"));
        }

        Settings custom = new Settings(Settings.commands(new String[] { "lua=lua5.4 -W" }), Settings.pairs(
                new String[] { ".lua=LUA" }), sdk, 100, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
        script("x.lua", "");
        assertEquals(List.of("lua5.4", "-W", app.resolve("x.lua").toString(), ID),
                Commands.commandFor(launch("x.lua", ""), custom));
    }

    @Test
    public void configuredMappingsOverrideTheBuiltInOnesAndMayBeCommaSeparated() throws Exception {
        Map<String, List<String>> commands = Settings.commands(Settings.DEFAULT_INTERPRETERS,
                new String[] { "python=/opt/py/bin/python3 -u, lua = lua5.4" });
        assertEquals(List.of("/opt/py/bin/python3", "-u"), commands.get("python"));
        assertEquals(List.of("lua5.4"), commands.get("lua"));
        assertEquals(List.of("bash"), commands.get("bash"));
        assertEquals("lua", Settings.pairs(Settings.DEFAULT_EXTENSIONS, new String[] { ".LUA=Lua" }).get("lua"));
        try {
            Settings.commands(new String[] { "python" });
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("lang=command"));
        }
        assertEquals("the metatype defaults are the built-in ones", List.of(Settings.DEFAULT_INTERPRETERS),
                List.of((String[]) ProcessRuntimeComponent.Config.class.getMethod("interpreters").getDefaultValue()));
        assertEquals(List.of(Settings.DEFAULT_EXTENSIONS),
                List.of((String[]) ProcessRuntimeComponent.Config.class.getMethod("extensions").getDefaultValue()));
    }

    @Test
    public void aMissingInterpreterFailsTheStart() throws Exception {
        runtime.close(Duration.ofSeconds(1));
        runtime = new ProcessRuntime(new Settings(Settings.commands(new String[] { "x=no-such-interpreter-ias" }),
                Map.of(), sdk, 100, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1)));
        script("a.x", "");
        try {
            runtime.start(launch("a.x", "x"), listener);
            fail();
        } catch (java.io.IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("no-such-interpreter-ias"));
        }
        assertEquals(0, runtime.running());
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void refused(Call call, String message) throws Exception {
        try {
            call.run();
            fail("accepted: " + message);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(message));
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessTree::alive).orElse(false);
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
