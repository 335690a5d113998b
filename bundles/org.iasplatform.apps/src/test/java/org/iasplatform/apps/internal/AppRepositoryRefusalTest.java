package org.iasplatform.apps.internal;

import static org.iasplatform.apps.internal.Support.FARE;
import static org.iasplatform.apps.internal.Support.LIGHT;
import static org.iasplatform.apps.internal.Support.appConfigKind;
import static org.iasplatform.apps.internal.Support.busApp;
import static org.iasplatform.apps.internal.Support.busAppConfig;
import static org.iasplatform.apps.internal.Support.busSensors;
import static org.iasplatform.apps.internal.Support.config;
import static org.iasplatform.apps.internal.Support.defaults;
import static org.iasplatform.apps.internal.Support.errorAt;
import static org.iasplatform.apps.internal.Support.json;
import static org.iasplatform.apps.internal.Support.limits;
import static org.iasplatform.apps.internal.Support.refused;
import static org.iasplatform.apps.internal.Support.stream;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorType;
import org.iasplatform.api.validation.ConfigKind;
import org.iasplatform.api.validation.ConfigValidator;
import org.iasplatform.api.validation.ValidationError;
import org.iasplatform.validation.internal.AppConfigValidator;
import org.junit.Rule;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Refused uploads: every bad input is refused with the right kind and clear messages, and leaves nothing in app_repo (no
 * GridFS file, no chunk, no version document).
 */
public class AppRepositoryRefusalTest {
    @Rule
    public final Support.Mongo mongo = new Support.Mongo();

    private AppRepositoryComponent repository(Map<String, Object> overrides, SensorRegistry sensors) {
        AppRepositoryComponent repository = new AppRepositoryComponent(mongo.client(), sensors, config(overrides));
        repository.addValidator(new AppConfigValidator(), appConfigKind());
        repository.addValidator(new Support.DeveloperRequired(), appConfigKind());
        return repository;
    }

    private IasException refuse(ErrorKind kind, byte[] zip) throws Exception {
        return refuse(kind, repository(Map.of(), busSensors()), zip);
    }

    private IasException refuse(ErrorKind kind, AppRepositoryComponent repository, byte[] zip) throws Exception {
        IasException e = refused(kind, () -> repository.upload(stream(zip), null, "dev"));
        mongo.assertNothingStored();
        return e;
    }

    private static String onlyMessage(IasException e) {
        assertEquals(e.errors().toString(), 1, e.errors().size());
        return e.errors().get(0).message();
    }

    // ---- not a (plain) zip

    @Test
    public void somethingElseThanAZipIsInvalid() throws Exception {
        String message = onlyMessage(refuse(ErrorKind.INVALID, "name,value\nx,1\n".getBytes(StandardCharsets.UTF_8)));
        assertTrue(message, message.contains("not a readable zip archive"));
        refuse(ErrorKind.INVALID, new byte[0]);
        refuse(ErrorKind.INVALID, new byte[4096]);
    }

    @Test
    public void aTruncatedZipIsInvalid() throws Exception {
        byte[] zip = busApp().bytes();
        refuse(ErrorKind.INVALID, Arrays.copyOf(zip, zip.length - 10));
        refuse(ErrorKind.INVALID, Arrays.copyOf(zip, zip.length / 2));
    }

    @Test
    public void dataBeforeTheArchiveIsInvalid() throws Exception {
        byte[] zip = busApp().bytes();
        byte[] prefixed = new byte[zip.length + 64];
        System.arraycopy(zip, 0, prefixed, 64, zip.length);
        String message = onlyMessage(refuse(ErrorKind.INVALID, prefixed));
        assertTrue(message, message.contains("plain zip"));
    }

    @Test
    public void aDamagedEntryIsInvalid() throws Exception {
        byte[] zip = busApp().file("notes.txt", "some notes that deflate to a few bytes, some notes, some notes").bytes();
        int data = dataOffset(zip, "notes.txt");
        zip[data + 3] ^= 0x5A;
        String message = errorAt(refuse(ErrorKind.INVALID, zip), "notes.txt").message();
        assertTrue(message, message.contains("\"notes.txt\""));
    }

    // ---- unsafe entries

    @Test
    public void zipSlipEntriesAreInvalidAndAllNamed() throws Exception {
        byte[] zip = busApp().file("../evil.sh", "rm -rf /").file("/etc/cron.d/evil", "* * * * * root x")
                .file("lib/../../evil.py", "x").file("..\\evil.bat", "x").file("C:/Windows/evil.dll", "x")
                .file("ok\u0000.py", "x").bytes();

        IasException e = refuse(ErrorKind.INVALID, zip);

        assertEquals(e.errors().toString(), 6, e.errors().size());
        assertTrue(errorAt(e, "../evil.sh").message().contains("\"..\""));
        assertTrue(errorAt(e, "../evil.sh").message().contains("\"../evil.sh\""));
        assertTrue(errorAt(e, "/etc/cron.d/evil").message().contains("absolute"));
        assertTrue(errorAt(e, "lib/../../evil.py").message().contains(".."));
        assertTrue(errorAt(e, "..\\evil.bat").message().contains("backslash"));
        assertTrue(errorAt(e, "C:/Windows/evil.dll").message().contains("drive letter"));
        assertTrue(errorAt(e, "ok\u0000.py").message().contains("\\u0000"));
    }

    @Test
    public void aSymbolicLinkIsInvalid() throws Exception {
        byte[] zip = busApp().symlink("lib/passwd", "/etc/passwd").bytes();
        String message = errorAt(refuse(ErrorKind.INVALID, zip), "lib/passwd").message();
        assertTrue(message, message.contains("symbolic link"));
    }

    @Test
    public void anEntryGivenTwiceIsInvalid() throws Exception {
        byte[] zip = Zips.rename(busApp().file("a.txt", "one").file("b.txt", "two").bytes(), "b.txt", "a.txt", true);
        assertTrue(errorAt(refuse(ErrorKind.INVALID, zip), "a.txt").message().contains("more than once"));
    }

    @Test
    public void anEntryNamedDifferentlyInItsLocalHeaderIsInvalid() throws Exception {
        byte[] zip = Zips.rename(busApp().file("b.txt", "two").bytes(), "b.txt", "c.txt", false);
        String message = onlyMessage(refuse(ErrorKind.INVALID, zip));
        assertTrue(message, message.contains("named differently"));
    }

    @Test
    public void aFileCannotAlsoBeAFolder() throws Exception {
        byte[] zip = busApp().file("lib", "a file").file("lib/x.py", "x").bytes();
        assertTrue(errorAt(refuse(ErrorKind.INVALID, zip), "lib/x.py").message().contains("which is a file"));
    }

    // ---- bounds

    @Test
    public void tooManyEntriesAreTooLarge() throws Exception {
        byte[] zip = busApp().file("a", "1").file("b", "2").file("c", "3").bytes();
        String message = onlyMessage(refuse(ErrorKind.TOO_LARGE, repository(limits("max__entries", 5), busSensors()), zip));
        assertTrue(message, message.contains("6 entries") && message.contains("at most 5"));
    }

    @Test
    public void anUploadOverTheSizeBoundIsTooLargeAndNotReadToItsEnd() throws Exception {
        byte[] noise = new byte[512 * 1024];
        new Random(7).nextBytes(noise);
        byte[] zip = busApp().file("noise.bin", noise).bytes();
        AtomicLong read = new AtomicLong();
        InputStream counting = new FilterInputStream(stream(zip)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                read.addAndGet(Math.max(n, 0));
                return n;
            }
        };
        AppRepositoryComponent repository = repository(limits("max__upload__bytes", 100L * 1024), busSensors());

        IasException e = refused(ErrorKind.TOO_LARGE, () -> repository.upload(counting, null, "dev"));

        assertTrue(onlyMessage(e), onlyMessage(e).contains("larger than 100 KiB"));
        assertTrue("read " + read.get() + " of " + zip.length, read.get() < zip.length);
        mongo.assertNothingStored();
    }

    /** 300 MiB of zeros deflate to about 300 KiB: refused at the default 200 MiB bound, while inflating. */
    @Test
    public void aZipBombIsTooLarge() throws Exception {
        byte[] zip = busApp().zeros("data/zeros.bin", 300L * 1024 * 1024).bytes();
        assertTrue("the bomb is small: " + zip.length, zip.length < 1024 * 1024);

        IasException e = refuse(ErrorKind.TOO_LARGE, zip);

        assertTrue(onlyMessage(e), onlyMessage(e).contains("more than 200 MiB") && onlyMessage(e).contains("data/zeros.bin"));
    }

    @Test
    public void manyEntriesTogetherOverTheInflatedBoundAreTooLarge() throws Exception {
        Zips zips = busApp();
        for (int i = 0; i < 20; i++) {
            zips.zeros("data/part" + i + ".bin", 100 * 1024);
        }
        refuse(ErrorKind.TOO_LARGE, repository(limits("max__inflated__bytes", 1024L * 1024), busSensors()), zips.bytes());
    }

    @Test
    public void anEntryOverTheRatioBoundIsTooLarge() throws Exception {
        byte[] zip = busApp().zeros("data/zeros.bin", 1024 * 1024).bytes();
        IasException e = refuse(ErrorKind.TOO_LARGE, repository(limits("max__entry__ratio", 50), busSensors()), zip);
        assertTrue(onlyMessage(e), onlyMessage(e).contains("50 times"));
    }

    @Test
    public void anOversizedAppConfigIsTooLarge() throws Exception {
        IasException e = refuse(ErrorKind.TOO_LARGE, repository(limits("max__app__config__bytes", 200), busSensors()),
                busApp().bytes());
        assertTrue(errorAt(e, "appConfig.json").message().contains("200 bytes"));
    }

    // ---- appConfig.json

    @Test
    public void withoutAppConfigAtTheRootOrInASingleTopFolderTheUploadIsInvalid() throws Exception {
        String scriptsOnly = onlyMessage(refuse(ErrorKind.INVALID, Zips.zip().file("fareCalculator.py", FARE).bytes()));
        assertTrue(scriptsOnly, scriptsOnly.contains("no appConfig.json"));

        String nested = onlyMessage(refuse(ErrorKind.INVALID, busApp("a/b/", busAppConfig()).bytes()));
        assertTrue(nested, nested.contains("found \"a/b/appConfig.json\""));

        String twoTops = onlyMessage(refuse(ErrorKind.INVALID,
                busApp("one/", busAppConfig()).file("two/readme.txt", "x").bytes()));
        assertTrue(twoTops, twoTops.contains("found \"one/appConfig.json\""));

        String wrongCase = onlyMessage(refuse(ErrorKind.INVALID, Zips.zip().file("AppConfig.json", "{}").bytes()));
        assertTrue(wrongCase, wrongCase.contains("case-sensitive"));

        String empty = onlyMessage(refuse(ErrorKind.INVALID, Zips.zip().bytes()));
        assertTrue(empty, empty.contains("empty"));
    }

    @Test
    public void anAppConfigThatIsNotOneJsonObjectIsInvalid() throws Exception {
        for (String text : List.of("{\"application_name\": \"Bus_management\",", "{} {}",
                "{\"application_name\": \"a\", \"application_name\": \"b\"}", "[]", "", "   ")) {
            byte[] zip = Zips.zip().file("top/appConfig.json", text).file("top/fareCalculator.py", FARE).bytes();
            IasException e = refuse(ErrorKind.INVALID, zip);
            String message = errorAt(e, "top/appConfig.json").message();
            assertTrue(text + " → " + message, message.contains("\"top/appConfig.json\""));
        }
        String syntax = onlyMessage(refuse(ErrorKind.INVALID, Zips.zip().file("appConfig.json", "{\n  \"a\": tru\n}").bytes()));
        assertTrue(syntax, syntax.contains("line 2"));
    }

    @Test
    public void aMissingAlgorithmFileIsInvalidAtItsScriptName() throws Exception {
        byte[] zip = Zips.zip().file("appConfig.json", json(busAppConfig())).file("fareCalculator.py", FARE).bytes();
        String message = onlyMessage(refuse(ErrorKind.INVALID, zip));
        assertEquals("/algorithm_list/1/script/name", refuse(ErrorKind.INVALID, zip).errors().get(0).path());
        assertTrue(message, message.contains("\"lightControl.py\""));

        byte[] misplaced = Zips.zip().file("appConfig.json", json(busAppConfig())).file("algos/fareCalculator.py", FARE)
                .file("algos/lightControl.py", LIGHT).bytes();
        IasException e = refuse(ErrorKind.INVALID, misplaced);
        assertEquals("both missing files are reported", 2, e.errors().size());
        assertTrue(errorAt(e, "/algorithm_list/0/script/name").message().contains("found \"algos/fareCalculator.py\""));
        errorAt(e, "/algorithm_list/1/script/name");
    }

    @Test
    public void aScriptThatIsAFolderOrLeavesThePackageIsInvalid() throws Exception {
        ObjectNode config = busAppConfig();
        ((ObjectNode) config.at("/algorithm_list/0/script")).put("name", "lib");
        ((ObjectNode) config.at("/algorithm_list/1/script")).put("name", "../lightControl.py");
        byte[] zip = busApp("", config).file("lib/x.py", "x").bytes();
        IasException e = refuse(ErrorKind.INVALID, zip);
        assertTrue(errorAt(e, "/algorithm_list/0/script/name").message().contains("folder"));
        errorAt(e, "/algorithm_list/1/script/name");
    }

    @Test
    public void anUnregisteredInputSensorTypeIsUnprocessable() throws Exception {
        IasException e = refuse(ErrorKind.UNPROCESSABLE, repository(Map.of(), new Support.Sensors("gps-sensor")),
                busApp().bytes());
        assertEquals(e.errors().toString(), 2, e.errors().size());
        String biometric = errorAt(e, "/algorithm_list/0/input_sensors/1/sensor_type").message();
        assertTrue(biometric, biometric.contains("\"biometric-sensor\"") && biometric.contains("\"fareCalculator\"")
                && biometric.contains("not registered"));
        assertTrue(errorAt(e, "/algorithm_list/1/input_sensors/0/sensor_type").message().contains("\"light-sensor\""));
    }

    @Test
    public void anUnreachableSensorRegistryMakesTheRepositoryUnavailable() throws Exception {
        SensorRegistry down = new Support.Sensors() {
            @Override
            public Optional<SensorType> sensorType(String name) {
                throw new IllegalStateException("sensor_registry is down");
            }
        };
        IasException e = refuse(ErrorKind.UNAVAILABLE, repository(Map.of(), down), busApp().bytes());
        assertTrue(onlyMessage(e), onlyMessage(e).contains("sensor_registry is down"));
    }

    @Test
    public void theSchemaAndSiteRulesAndMissingFilesAreReportedTogether() throws Exception {
        ObjectNode config = busAppConfig().put("application_name", "bus management!");
        config.remove("developer_id");
        ((ObjectNode) config.at("/algorithm_list/0")).put("priority", "high");
        byte[] zip = Zips.zip().file("appConfig.json", json(config)).file("fareCalculator.py", FARE).bytes();

        IasException e = refuse(ErrorKind.INVALID, zip);

        errorAt(e, "/application_name"); // the default schema's name rule
        errorAt(e, "/algorithm_list/0/priority"); // the default schema: no such field
        assertTrue(errorAt(e, "/developer_id").message().contains("developer_id is missing")); // the site rule
        errorAt(e, "/algorithm_list/1/script/name"); // the repository: lightControl.py is not in the zip
    }

    @Test
    public void theRepositoryChecksWhatItReliesOnEvenWithALaxValidator() throws Exception {
        AppRepositoryComponent repository = new AppRepositoryComponent(mongo.client(), busSensors(), defaults());
        repository.addValidator((kind, item) -> List.of(), appConfigKind());
        ObjectNode config = busAppConfig();
        config.remove("application_name");
        config.put("application_id", true);
        ((ObjectNode) config.at("/algorithm_list/1")).remove("script");
        ((ObjectNode) config.at("/algorithm_list/0/input_sensors/0")).put("sensor_type", 5);

        IasException e = refuse(ErrorKind.INVALID, repository, busApp("", config).bytes());

        errorAt(e, "/application_name");
        errorAt(e, "/application_id");
        errorAt(e, "/algorithm_list/1/script");
        errorAt(e, "/algorithm_list/0/input_sensors/0/sensor_type");
    }

    @Test
    public void aFailingValidatorRefusesRatherThanLetsThrough() throws Exception {
        AppRepositoryComponent repository = new AppRepositoryComponent(mongo.client(), busSensors(), defaults());
        repository.addValidator(new ConfigValidator() {
            @Override
            public List<ValidationError> validate(ConfigKind kind, JsonNode item) {
                throw new IllegalStateException("bug");
            }
        }, appConfigKind());
        String message = onlyMessage(refuse(ErrorKind.INVALID, repository, busApp().bytes()));
        assertTrue(message, message.contains("could not be checked"));
    }

    @Test
    public void aBadIdParameterIsInvalid() throws Exception {
        AppRepositoryComponent repository = repository(Map.of(), busSensors());
        IasException e = refused(ErrorKind.INVALID, () -> repository.upload(stream(busApp().bytes()), "a/b", "dev"));
        assertTrue(errorAt(e, "application_id").message().contains("'/'"));
        refused(ErrorKind.INVALID, () -> repository.upload(stream(busApp().bytes()), "x".repeat(129), "dev"));
        mongo.assertNothingStored();
    }

    /** Where the data of an entry starts (after its local header). */
    private static int dataOffset(byte[] zip, String name) {
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 30 <= zip.length; i++) {
            if (b.getInt(i) == 0x04034b50 && (b.getShort(i + 26) & 0xFFFF) == wanted.length
                    && Arrays.equals(zip, i + 30, i + 30 + wanted.length, wanted, 0, wanted.length)) {
                return i + 30 + wanted.length + (b.getShort(i + 28) & 0xFFFF);
            }
        }
        throw new IllegalArgumentException(name);
    }
}
