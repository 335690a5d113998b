package org.iasplatform.apps.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.bson.Document;
import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceLogLine;
import org.iasplatform.api.deploy.InstanceRegistry;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorType;
import org.iasplatform.api.validation.ConfigKind;
import org.iasplatform.api.validation.ConfigValidator;
import org.iasplatform.api.validation.ValidationError;
import org.iasplatform.testsupport.EmbeddedMongoResource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoDatabase;

/** What the app repository tests share: a real Mongo-wire server, test doubles of the other services, fixtures. */
final class Support {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String FARE = "import sys\nprint('fare calculator', sys.argv[1])\n";
    static final String LIGHT = "import sys\nprint('light control', sys.argv[1])\n";

    private Support() {
    }

    /** An embedded MongoDB-wire-protocol server (its own data folder) and a client with short time-outs, per test. */
    static final class Mongo extends EmbeddedMongoResource {
        Mongo() {
            super(Duration.ofMillis(1500));
        }

        MongoDatabase appRepo() {
            return database(AppStore.DATABASE);
        }

        long count(String collection) {
            return appRepo().getCollection(collection).countDocuments();
        }

        /** Asserts app_repo holds exactly this many version documents and packages (files and their chunks). */
        void assertStored(long versions, long packages) {
            assertEquals("version documents", versions, count(AppStore.VERSIONS));
            assertEquals("package files", packages, count(AppStore.BUCKET + ".files"));
            if (packages == 0) {
                assertEquals("package chunks", 0, count(AppStore.BUCKET + ".chunks"));
            } else {
                assertTrue("package chunks", count(AppStore.BUCKET + ".chunks") >= packages);
            }
        }

        void assertNothingStored() {
            assertStored(0, 0);
        }
    }

    /** The component's typed configuration: its defaults, with some attributes (by method name) overridden. */
    static AppRepositoryComponent.Config config(Map<String, Object> overrides) {
        return (AppRepositoryComponent.Config) Proxy.newProxyInstance(AppRepositoryComponent.Config.class.getClassLoader(),
                new Class<?>[] {AppRepositoryComponent.Config.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                    case "annotationType":
                        return AppRepositoryComponent.Config.class;
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == args[0];
                    case "toString":
                        return "Config" + overrides;
                    default:
                        return overrides.containsKey(method.getName()) ? overrides.get(method.getName())
                                : method.getDefaultValue();
                    }
                });
    }

    static AppRepositoryComponent.Config defaults() {
        return config(Map.of());
    }

    /** A sensor registry that knows some type names. */
    static class Sensors implements SensorRegistry {
        private final Set<String> types = ConcurrentHashMap.newKeySet();

        Sensors(String... names) {
            types.addAll(List.of(names));
        }

        @Override
        public List<SensorType> sensorTypes() {
            return types.stream().sorted().map(Sensors::type).toList();
        }

        @Override
        public Optional<SensorType> sensorType(String name) {
            return types.contains(name) ? Optional.of(type(name)) : Optional.empty();
        }

        @Override
        public List<SensorInstance> sensorInstances(String sensorType, Map<String, String> tags) {
            return List.of();
        }

        @Override
        public Optional<SensorInstance> sensorInstance(String id) {
            return Optional.empty();
        }

        private static SensorType type(String name) {
            return new SensorType(name, "test", Map.of(), null);
        }
    }

    static Sensors busSensors() {
        return new Sensors("gps-sensor", "biometric-sensor", "light-sensor");
    }

    /** A site rule, as a validator bundle of a site would add one: developer_id is required. */
    static final class DeveloperRequired implements ConfigValidator {
        @Override
        public List<ValidationError> validate(ConfigKind kind, JsonNode item) {
            JsonNode developer = item.get("developer_id");
            return developer == null || developer.isNull() ? List.of(new ValidationError("/developer_id",
                    "developer_id is missing; expected the developer's id, e.g. 869")) : List.of();
        }
    }

    static Map<String, Object> appConfigKind() {
        return Map.of(ConfigValidator.PROPERTY_KIND, ConfigKind.APP_CONFIG.id());
    }

    /** An instance registry returning a fixed list (not the component under test). */
    static class FixedInstances implements InstanceRegistry {
        private final List<InstanceInfo> instances;

        FixedInstances(InstanceInfo... instances) {
            this.instances = List.of(instances);
        }

        @Override
        public List<InstanceInfo> instances() {
            return instances;
        }

        @Override
        public Optional<InstanceInfo> instance(String instanceId) {
            return instances.stream().filter(i -> i.instanceId().equals(instanceId)).findFirst();
        }

        @Override
        public List<InstanceLogLine> logs(String instanceId, int tail) {
            return List.of();
        }

        @Override
        public Optional<InstanceInfo> authenticate(String instanceId, String token) {
            return Optional.empty();
        }

        @Override
        public Optional<InstanceInfo> authenticate(String token) {
            return Optional.empty();
        }
    }

    static InstanceInfo instance(String id, String applicationName, String applicationId, InstanceState state) {
        return new InstanceInfo(id, applicationName, applicationId, 1, "fareCalculator", "job-" + id, "process", "node-1",
                state, 0, 1, null, null, null, null, List.of());
    }

    // ---- fixtures

    static ObjectNode busAppConfig() {
        try (InputStream in = Support.class.getResourceAsStream("/fixtures/bus-management/appConfig.json")) {
            assertNotNull("fixture appConfig.json", in);
            return (ObjectNode) MAPPER.readTree(in);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The seed's Bus_management app: appConfig.json and its two algorithm files, under {@code root} ("" or "top/"). */
    static Zips busApp(String root, JsonNode appConfig) {
        return Zips.zip().file(root + "appConfig.json", json(appConfig)).file(root + "fareCalculator.py", FARE)
                .file(root + "lightControl.py", LIGHT);
    }

    static Zips busApp() {
        return busApp("", busAppConfig());
    }

    static String json(JsonNode node) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static InputStream stream(byte[] bytes) {
        return new ByteArrayInputStream(bytes);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    // ---- assertions

    interface Call {
        void run() throws Exception;
    }

    /** Runs {@code call}, which must be refused with {@code kind}; returns the refusal. Every message must be helpful. */
    static IasException refused(ErrorKind kind, Call call) throws Exception {
        try {
            call.run();
        } catch (IasException e) {
            assertEquals(e.getMessage(), kind, e.kind());
            assertFalse("at least one error", e.errors().isEmpty());
            for (ValidationError error : e.errors()) {
                assertTrue("message says what is expected: " + error.message(), error.message().toLowerCase().contains("expected")
                        || error.message().contains("more problem") || error.message().contains("try again"));
            }
            return e;
        }
        fail("expected a refusal " + kind);
        return null;
    }

    /** The error at {@code path}; fails when there is none. */
    static ValidationError errorAt(IasException e, String path) {
        return e.errors().stream().filter(x -> x.path().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("no error at " + path + " in " + e.errors()));
    }

    static Map<String, Object> limits(Object... keysAndValues) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    static Document doc(String json) {
        return Document.parse(json);
    }
}
