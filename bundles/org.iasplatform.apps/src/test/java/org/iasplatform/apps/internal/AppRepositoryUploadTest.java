package org.iasplatform.apps.internal;

import static org.iasplatform.apps.internal.Support.FARE;
import static org.iasplatform.apps.internal.Support.LIGHT;
import static org.iasplatform.apps.internal.Support.appConfigKind;
import static org.iasplatform.apps.internal.Support.busApp;
import static org.iasplatform.apps.internal.Support.busAppConfig;
import static org.iasplatform.apps.internal.Support.busSensors;
import static org.iasplatform.apps.internal.Support.defaults;
import static org.iasplatform.apps.internal.Support.errorAt;
import static org.iasplatform.apps.internal.Support.json;
import static org.iasplatform.apps.internal.Support.refused;
import static org.iasplatform.apps.internal.Support.stream;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import org.bson.Document;
import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.app.AlgorithmDescriptor;
import org.iasplatform.api.app.AppVersion;
import org.iasplatform.validation.internal.AppConfigValidator;
import org.junit.Rule;
import org.junit.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.gridfs.GridFSBuckets;
import com.mongodb.client.gridfs.model.GridFSFile;

/** Accepted uploads: what is stored, the two layouts, versions, downloads, ids, and the validator whiteboard. */
public class AppRepositoryUploadTest {
    @Rule
    public final Support.Mongo mongo = new Support.Mongo();

    /** The repository with the platform's default app-config validator (JSON Schema), as in a platform. */
    private AppRepositoryComponent repository() {
        AppRepositoryComponent repository = new AppRepositoryComponent(mongo.client(), busSensors(), defaults());
        repository.addValidator(new AppConfigValidator(), appConfigKind());
        return repository;
    }

    /** The repository with only a site rule as validator (lets appConfigs through that the default schema would not). */
    private AppRepositoryComponent lenientRepository() {
        AppRepositoryComponent repository = new AppRepositoryComponent(mongo.client(), busSensors(), defaults());
        repository.addValidator(new Support.DeveloperRequired(), appConfigKind());
        return repository;
    }

    @Test
    public void theSeedsBusManagementAppIsStoredAsVersionOne() throws Exception {
        AppRepositoryComponent repository = repository();
        byte[] zip = busApp().bytes();

        AppVersion v = repository.upload(stream(zip), null, "dev");

        assertEquals("2", v.applicationId());
        assertEquals("Bus_management", v.applicationName());
        assertEquals(1, v.version());
        assertEquals("869", v.developerId());
        assertEquals("dev", v.uploadedBy());
        assertNotNull(v.uploadedAt());
        assertEquals(zip.length, v.size());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(zip)), v.sha256());
        assertTrue(v.packageId(), v.packageId().matches("[0-9a-f]{24}"));
        assertEquals("", v.root());
        assertFalse(v.hasUi());
        assertEquals(List.of(
                new AlgorithmDescriptor("fareCalculator", "fareCalculator.py", "process",
                        List.of("gps-sensor", "biometric-sensor", "gps-sensor")),
                new AlgorithmDescriptor("lightControl", "lightControl.py", "process", List.of("light-sensor", "gps-sensor"))),
                v.algorithms());
        assertEquals(busAppConfig(), v.appConfig());

        // what is read back is what upload returned, by id and by name
        assertEquals(v, repository.latest("2").orElseThrow());
        assertEquals(v, repository.latest("Bus_management").orElseThrow());
        assertEquals(List.of(v), repository.apps());
        assertEquals(List.of(v), repository.versions("Bus_management"));

        // stored as the pipeline documents it: a GridFS file whose id is the package id, and an AppVersion-shaped document
        mongo.assertStored(1, 1);
        GridFSFile file = GridFSBuckets.create(mongo.appRepo(), AppStore.BUCKET).find().first();
        assertEquals(v.packageId(), file.getObjectId().toHexString());
        assertEquals(zip.length, file.getLength());
        Document stored = mongo.appRepo().getCollection(AppStore.VERSIONS).find().first();
        for (String field : List.of("application_id", "application_name", "version", "developer_id", "uploaded_by",
                "uploaded_at", "size", "sha256", "package_id", "root", "has_ui", "algorithms", "app_config")) {
            assertTrue("stored field " + field, stored.containsKey(field));
        }
        assertEquals("Bus_management", stored.get("app_config", Document.class).getString("application_name"));
        List<Document> indexes = mongo.appRepo().getCollection(AppStore.VERSIONS).listIndexes().into(new java.util.ArrayList<>());
        Document unique = indexes.stream().filter(i -> "application_version".equals(i.getString("name"))).findFirst()
                .orElseThrow();
        assertEquals(Boolean.TRUE, unique.getBoolean("unique"));
        assertTrue(indexes.stream().anyMatch(i -> "by_name".equals(i.getString("name"))));
    }

    @Test
    public void appConfigInsideASingleTopFolderGivesThatRoot() throws Exception {
        AppRepositoryComponent repository = repository();
        byte[] zip = busApp("Bus_management/", busAppConfig()).dir("Bus_management/")
                .file("Bus_management/ui/index.html", "<h1>buses</h1>")
                .file("__MACOSX/Bus_management/._appConfig.json", "mac metadata").bytes();

        AppVersion v = repository.upload(stream(zip), null, "dev");

        assertEquals("Bus_management/", v.root());
        assertTrue(v.hasUi());
        assertEquals("fareCalculator.py", v.algorithms().get(0).script());
    }

    @Test
    public void aUiFolderIsDetectedOnlyWithFilesInIt() throws Exception {
        AppRepositoryComponent repository = repository();
        assertFalse(repository.upload(stream(busApp().dir("ui/").bytes()), null, "dev").hasUi());
        assertTrue(repository.upload(stream(busApp().file("ui/js/app.js", "x()").bytes()), null, "dev").hasUi());
        assertFalse("a folder named like ui elsewhere does not count",
                repository.upload(stream(busApp().file("lib/ui/x.js", "x()").bytes()), null, "dev").hasUi());
    }

    @Test
    public void scriptsMayLieInSubFoldersOfTheRoot() throws Exception {
        AppRepositoryComponent repository = repository();
        ObjectNode config = busAppConfig();
        ((ObjectNode) config.at("/algorithm_list/0/script")).put("name", "algorithms/fareCalculator.py");
        ((ObjectNode) config.at("/algorithm_list/1/script")).put("name", "./lightControl.py");
        byte[] zip = Zips.zip().file("app/appConfig.json", json(config)).file("app/algorithms/fareCalculator.py", FARE)
                .file("app/lightControl.py", LIGHT).bytes();

        AppVersion v = repository.upload(stream(zip), null, "dev");

        assertEquals("app/", v.root());
        assertEquals("algorithms/fareCalculator.py", v.algorithms().get(0).script());
        assertEquals("a leading ./ is dropped", "lightControl.py", v.algorithms().get(1).script());
    }

    @Test
    public void everyUploadIsTheNextVersion() throws Exception {
        AppRepositoryComponent repository = repository();
        for (int i = 1; i <= 3; i++) {
            assertEquals(i, repository.upload(stream(busApp().file("notes.txt", "upload " + i).bytes()), null, "dev")
                    .version());
        }
        List<AppVersion> versions = repository.versions("2");
        assertEquals(List.of(1, 2, 3), versions.stream().map(AppVersion::version).toList());
        assertEquals(3, repository.latest("Bus_management").orElseThrow().version());
        assertEquals(3, repository.version("2", 0).orElseThrow().version());
        assertEquals(3, repository.version("2", -1).orElseThrow().version());
        assertEquals(versions.get(1), repository.version("Bus_management", 2).orElseThrow());
        assertTrue(repository.version("2", 4).isEmpty());
        assertTrue(repository.version("nope", 1).isEmpty());
        assertTrue(repository.versions("nope").isEmpty());
        assertTrue(repository.latest(null).isEmpty());
        assertEquals(1, repository.apps().size());
        assertEquals(3, repository.apps().get(0).version());
        mongo.assertStored(3, 3);
    }

    @Test
    public void theLatestVersionOfEveryApplicationIsListed() throws Exception {
        AppRepositoryComponent repository = lenientRepository();
        repository.upload(stream(busApp().bytes()), null, "dev");
        repository.upload(stream(busApp().bytes()), null, "dev");
        ObjectNode weather = busAppConfig().put("application_name", "Weather").put("application_id", "w-1");
        repository.upload(stream(busApp("", weather).bytes()), null, "dev");

        List<AppVersion> apps = repository.apps();
        assertEquals(List.of("Bus_management", "Weather"), apps.stream().map(AppVersion::applicationName).toList());
        assertEquals(List.of(2, 1), apps.stream().map(AppVersion::version).toList());
    }

    @Test
    public void aDownloadIsTheUploadedArchiveByteForByte() throws Exception {
        AppRepositoryComponent repository = repository();
        byte[] first = busApp().bytes();
        byte[] second = busApp().file("big.bin", new byte[600 * 1024]).file("ui/index.html", "<p>").bytes();
        repository.upload(stream(first), null, "dev");
        repository.upload(stream(second), null, "dev");

        assertArrayEquals(first, download(repository, "2", 1));
        assertArrayEquals(second, download(repository, "Bus_management", 2));
        assertArrayEquals(second, download(repository, "2", 0));

        IasException unknown = refused(ErrorKind.NOT_FOUND, () -> download(repository, "nope", 1));
        assertTrue(unknown.errors().get(0).message().contains("\"nope\""));
        IasException noVersion = refused(ErrorKind.NOT_FOUND, () -> download(repository, "2", 7));
        assertTrue(noVersion.errors().get(0).message(), noVersion.errors().get(0).message().contains("from 1 to 2"));
    }

    private static byte[] download(AppRepositoryComponent repository, String idOrName, int version) throws IasException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        repository.download(idOrName, version, out);
        return out.toByteArray();
    }

    @Test
    public void theIdParameterWinsOverAppConfig() throws Exception {
        AppRepositoryComponent repository = repository();
        AppVersion v = repository.upload(stream(busApp().bytes()), "  bus-mgmt ", "dev");
        assertEquals("bus-mgmt", v.applicationId());
        assertEquals(2, repository.upload(stream(busApp().bytes()), "bus-mgmt", "dev").version());
        assertEquals("bus-mgmt", repository.latest("Bus_management").orElseThrow().applicationId());
    }

    @Test
    public void withoutAnyIdTheNameIsTheId() throws Exception {
        AppRepositoryComponent repository = lenientRepository();
        ObjectNode config = busAppConfig();
        config.remove("application_id");
        AppVersion v = repository.upload(stream(busApp("", config).bytes()), "", "dev");
        assertEquals("Bus_management", v.applicationId());
    }

    @Test
    public void anIdOfAnotherApplicationIsAConflictAndNothingMoreIsStored() throws Exception {
        AppRepositoryComponent repository = repository();
        repository.upload(stream(busApp().bytes()), null, "dev");
        ObjectNode weather = busAppConfig().put("application_name", "Weather");

        IasException fromConfig = refused(ErrorKind.CONFLICT,
                () -> repository.upload(stream(busApp("", weather).bytes()), null, "dev"));
        String message = errorAt(fromConfig, "/application_id").message();
        assertTrue(message, message.contains("\"2\"") && message.contains("\"Bus_management\"") && message.contains("\"Weather\""));

        IasException fromParameter = refused(ErrorKind.CONFLICT,
                () -> repository.upload(stream(busApp("", weather.put("application_id", 77)).bytes()), "2", "dev"));
        errorAt(fromParameter, "application_id");
        mongo.assertStored(1, 1);
    }

    @Test
    public void anApplicationNameStaysWithItsId() throws Exception {
        AppRepositoryComponent repository = repository();
        repository.upload(stream(busApp().bytes()), null, "dev");

        IasException e = refused(ErrorKind.CONFLICT, () -> repository.upload(stream(busApp().bytes()), "another-id", "dev"));
        assertTrue(errorAt(e, "/application_name").message().contains("under id \"2\""));
        mongo.assertStored(1, 1);
    }

    @Test
    public void theRuntimeIsNamedOrImpliedByTheScript() throws Exception {
        AppRepositoryComponent repository = lenientRepository();
        ObjectNode config = busAppConfig();
        ((ObjectNode) config.at("/algorithm_list/0/script")).put("name", "fare.jar");
        ((ObjectNode) config.at("/algorithm_list/1/script")).put("runtime", "docker");
        byte[] zip = Zips.zip().file("appConfig.json", json(config)).file("fare.jar", new byte[] {1, 2, 3})
                .file("lightControl.py", LIGHT).bytes();

        AppVersion v = repository.upload(stream(zip), null, "dev");

        assertEquals(AlgorithmDescriptor.RUNTIME_BUNDLE, v.algorithms().get(0).runtime());
        assertEquals(AlgorithmDescriptor.RUNTIME_DOCKER, v.algorithms().get(1).runtime());
    }

    @Test
    public void appConfigIsStoredAsWrittenEvenWhereItLooksLikeExtendedJson() throws Exception {
        AppRepositoryComponent repository = repository();
        ObjectNode config = busAppConfig();
        ObjectNode environment = (ObjectNode) config.get("environment");
        environment.putObject("built").put("$date", "2024-01-01T00:00:00Z");
        environment.put("big", new java.math.BigInteger("123456789012345678901234567890"));
        environment.put("long", 1L << 40);
        environment.put("ratio", 0.25);
        environment.putArray("tags").add("a").addNull().add(true);
        environment.put("python3.11", "yes");

        AppVersion v = repository.upload(stream(busApp("", config).bytes()), null, "dev");

        assertEquals(config, v.appConfig());
        assertEquals(config, repository.latest("2").orElseThrow().appConfig());
    }

    @Test
    public void validatorsComeAndGoAtRuntime() throws Exception {
        AppRepositoryComponent repository = new AppRepositoryComponent(mongo.client(), busSensors(), defaults());
        IasException none = refused(ErrorKind.UNAVAILABLE, () -> repository.upload(stream(busApp().bytes()), null, "dev"));
        assertTrue(none.errors().get(0).message().contains("no app-config validator"));

        Support.DeveloperRequired rule = new Support.DeveloperRequired();
        repository.addValidator(rule, appConfigKind());
        repository.addValidator(new Support.DeveloperRequired(), java.util.Map.of(
                org.iasplatform.api.validation.ConfigValidator.PROPERTY_KIND, "deploy-config"));
        assertEquals(1, repository.upload(stream(busApp().bytes()), null, "dev").version());

        repository.removeValidator(rule);
        refused(ErrorKind.UNAVAILABLE, () -> repository.upload(stream(busApp().bytes()), null, "dev"));
        mongo.assertStored(1, 1);
    }
}
