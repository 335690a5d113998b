package org.iasplatform.runtime.docker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.iasplatform.api.node.InstanceLaunch;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The generated Dockerfile, build context and image tag of an algorithm (no engine needed). */
public class ImageRecipeTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private static final byte[] SDK = "# platform_lib\n".getBytes(StandardCharsets.UTF_8);
    private Path app;

    static Settings settings(String base) {
        return new Settings("unix:///nowhere/docker.sock", base, "host", "",
                Settings.interpreters(Settings.DEFAULT_INTERPRETERS), Settings.extensions(Settings.DEFAULT_EXTENSIONS),
                true, "test-owner", 8192, Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(60),
                Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    private InstanceLaunch launch(String entry, String lang) {
        return new InstanceLaunch("65f0c0ffee00000000000001", "job-1", "Bus_management", "lightControl", app, entry, lang,
                Map.of(), List.of(), Map.of());
    }

    @Before
    public void setUp() throws Exception {
        app = tmp.newFolder("app").toPath();
        Files.writeString(app.resolve("appConfig.json"), "{\"application_name\": \"Bus_management\"}");
        Files.writeString(app.resolve("algo.sh"), "echo hi\n");
        Files.createDirectories(app.resolve("lib"));
        Files.writeString(app.resolve("lib/helper.py"), "X = 1\n");
    }

    @Test
    public void aShellAlgorithmIsTheAppOnTheBaseImageRunWithItsInterpreterAndTheInstanceIdAsCommand() throws Exception {
        ImageRecipe recipe = ImageRecipe.of(launch("algo.sh", "sh"), settings("ias/busybox-base:test"), SDK);
        String dockerfile = recipe.dockerfile();
        assertTrue(dockerfile, dockerfile.contains("\nFROM ias/busybox-base:test\n"));
        assertTrue(dockerfile, dockerfile.contains("\nCOPY app/ /app/\n"));
        assertTrue(dockerfile, dockerfile.contains("\nWORKDIR /app\n"));
        assertTrue(dockerfile, dockerfile.contains("\nENTRYPOINT [\"sh\",\"/app/algo.sh\"]\n"));
        assertFalse("no SDK in a shell image: " + dockerfile, dockerfile.contains("platform_lib"));
        assertEquals(List.of("sh", "/app/algo.sh"), recipe.entrypoint());
        assertTrue(recipe.image(), recipe.image().matches("ias/bus-management-lightcontrol:[0-9a-f]{16}"));

        Path context = tmp.getRoot().toPath().resolve("context");
        recipe.writeContext(context);
        assertEquals(dockerfile, Files.readString(context.resolve("Dockerfile")));
        assertEquals("echo hi\n", Files.readString(context.resolve("app/algo.sh")));
        assertEquals("X = 1\n", Files.readString(context.resolve("app/lib/helper.py")));
        assertTrue(Files.isRegularFile(context.resolve("app/appConfig.json")));
        assertFalse(Files.exists(context.resolve(ImageRecipe.CONTEXT_SDK)));
    }

    @Test
    public void withoutALangTheExtensionDecidesAndShScriptsRunWithSh() throws Exception {
        assertEquals(List.of("sh", "/app/algo.sh"),
                ImageRecipe.of(launch("algo.sh", ""), settings("b:1"), SDK).entrypoint());
        assertEquals(List.of("python3", "-u", "/app/lib/helper.py"),
                ImageRecipe.of(launch("lib/helper.py", ""), settings("b:1"), SDK).entrypoint());
    }

    @Test
    public void aPythonAlgorithmGetsTheSdkOnItsPathAndTheAppsDependenciesInstalledWithPip() throws Exception {
        Files.writeString(app.resolve("appConfig.json"), """
                {"application_name": "Bus_management",
                 "environment": {"os": "Linux", "modules": ["pandas", "numpy"],
                                 "dependencies": [["requests", ""], ["kafka-python", "2.0.2"], "numpy"]}}
                """);
        Files.writeString(app.resolve("lightControl.py"), "print('hi')\n");
        ImageRecipe recipe = ImageRecipe.of(launch("lightControl.py", "python"), settings("python:3-slim"), SDK);
        String dockerfile = recipe.dockerfile();
        assertTrue(dockerfile, dockerfile.contains("\nFROM python:3-slim\n"));
        assertTrue(dockerfile, dockerfile.contains("\nCOPY ias-sdk/platform_lib.py /opt/ias/sdk/platform_lib.py\n"));
        assertTrue(dockerfile, dockerfile.contains("\nENV PYTHONPATH=/opt/ias/sdk PYTHONUNBUFFERED=1\n"));
        assertTrue(dockerfile, dockerfile.contains("\nRUN pip install --no-cache-dir -r /opt/ias/requirements.txt\n"));
        assertTrue(dockerfile, dockerfile.contains("\nENTRYPOINT [\"python3\",\"-u\",\"/app/lightControl.py\"]\n"));
        assertEquals(List.of("pandas", "numpy", "requests", "kafka-python==2.0.2"), recipe.requirements());

        Path context = tmp.getRoot().toPath().resolve("context");
        recipe.writeContext(context);
        assertEquals("# platform_lib\n", Files.readString(context.resolve("ias-sdk/platform_lib.py")));
        assertEquals("pandas\nnumpy\nrequests\nkafka-python==2.0.2\n",
                Files.readString(context.resolve(ImageRecipe.CONTEXT_REQUIREMENTS)));
    }

    @Test
    public void theTagIsTheSameForTheSameFilesAndChangesWithAnyOfThemOrTheBaseImage() throws Exception {
        String first = ImageRecipe.of(launch("algo.sh", "sh"), settings("b:1"), SDK).image();
        assertEquals(first, ImageRecipe.of(launch("algo.sh", "sh"), settings("b:1"), SDK).image());
        assertNotEquals(ImageRecipe.of(launch("algo.sh", "sh"), settings("b:2"), SDK).image(), first);
        Files.writeString(app.resolve("lib/helper.py"), "X = 2\n");
        assertNotEquals(ImageRecipe.of(launch("algo.sh", "sh"), settings("b:1"), SDK).image(), first);
    }

    @Test
    public void whatCannotBeRunIsRefusedSayingWhy() throws Exception {
        IllegalArgumentException lang = assertThrows(IllegalArgumentException.class,
                () -> ImageRecipe.of(launch("algo.sh", "cobol"), settings("b:1"), SDK));
        assertTrue(lang.getMessage(), lang.getMessage().contains("unknown lang \"cobol\"")
                && lang.getMessage().contains("sh"));
        assertThrows(FileNotFoundException.class, () -> ImageRecipe.of(launch("missing.sh", "sh"), settings("b:1"), SDK));
        Files.writeString(app.getParent().resolve("outside.sh"), "echo out\n");
        FileNotFoundException outside = assertThrows(FileNotFoundException.class,
                () -> ImageRecipe.of(launch("../outside.sh", "sh"), settings("b:1"), SDK));
        assertTrue(outside.getMessage(), outside.getMessage().contains("\"../outside.sh\" is not a file of the app"));
        Files.writeString(app.resolve("data.bin"), "x");
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> ImageRecipe.of(launch("data.bin", ""), settings("b:1"), SDK));
        assertTrue(unknown.getMessage(), unknown.getMessage().contains("cannot tell how to run \"data.bin\""));
    }

    @Test
    public void aDependencyThatIsAPipOptionOrNotARequirementIsRefusedNamingIt() throws Exception {
        Files.writeString(app.resolve("p.py"), "pass\n");
        for (String bad : List.of("\"-e git+https://example.invalid/x.git\"", "\"--index-url=http://x\"", "42",
                "[\"requests\", \"1.0; rm -rf /\"]", "\"numpy\\nRUN evil\"")) {
            Files.writeString(app.resolve("appConfig.json"), "{\"environment\": {\"modules\": [" + bad + "]}}");
            IllegalArgumentException e = assertThrows(bad, IllegalArgumentException.class,
                    () -> ImageRecipe.of(launch("p.py", "python"), settings("b:1"), SDK));
            assertTrue(e.getMessage(), e.getMessage().startsWith("appConfig.json /environment/modules/0: "));
        }
    }

    @Test
    public void imageNamesAreValidDockerRepositoryNames() {
        assertEquals("bus-management", ImageRecipe.slug("Bus_management"));
        assertEquals("a-b", ImageRecipe.slug("--A..b--"));
        assertEquals("x", ImageRecipe.slug("___"));
        assertEquals(60, ImageRecipe.slug("a".repeat(100)).length());
    }

    @Test
    public void settingsRefuseWhatIsNotAnEngineAddressAnImageOrANetwork() {
        assertThrows(IllegalArgumentException.class, () -> new Settings("http://x", "b:1", "host", "", Map.of(), Map.of(),
                true, "o", 100, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO));
        IllegalArgumentException image = assertThrows(IllegalArgumentException.class, () -> new Settings(
                "unix:///x.sock", "base\nRUN evil", "host", "", Map.of(), Map.of(), true, "o", 100, Duration.ZERO,
                Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO));
        assertTrue(image.getMessage(), image.getMessage().startsWith("base_image"));
        assertThrows(IllegalArgumentException.class, () -> new Settings("tcp://127.0.0.1:2375", "b:1", "host; x", "",
                Map.of(), Map.of(), true, "o", 100, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO,
                Duration.ZERO));
        assertEquals(Map.of("python", List.of("python3.12", "-u"), "sh", List.of("sh")),
                Settings.interpreters(new String[] { "python=python3 -u, sh=sh" }, new String[] { "python=python3.12 -u" }));
        assertThrows(IllegalArgumentException.class, () -> Settings.interpreters(new String[] { "python" }));
    }
}
