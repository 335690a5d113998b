package org.iasplatform.validation.internal;

import static org.iasplatform.validation.internal.Support.describe;
import static org.iasplatform.validation.internal.Support.fixture;
import static org.iasplatform.validation.internal.Support.items;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.iasplatform.api.validation.ConfigKind;
import org.iasplatform.api.validation.ValidationError;
import org.junit.Test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/** The shared fixtures: every bus-management file passes, every invalid one is rejected where it is wrong. */
public class FixturesTest {
    private final Support support = new Support();

    private void assertValid(ConfigKind kind, JsonNode item) {
        List<ValidationError> errors = support.validate(kind, item);
        assertTrue(kind.id() + " " + item + " should pass:" + describe(errors), errors.isEmpty());
    }

    private static Optional<ValidationError> at(List<ValidationError> errors, String path) {
        return errors.stream().filter(e -> e.path().equals(path)).findFirst();
    }

    private static ValidationError require(List<ValidationError> errors, String path) {
        return at(errors, path).orElseThrow(() -> new AssertionError("no error at " + path + ":" + describe(errors)));
    }

    @Test
    public void busManagementSensorTypesPass() throws Exception {
        List<JsonNode> types = items(fixture("bus-management/sensorTypeRegistration.json"), "sensor_type_list");
        assertEquals(4, types.size());
        types.forEach(t -> assertValid(ConfigKind.SENSOR_TYPE, t));
    }

    @Test
    public void busManagementSensorInstancesPass() throws Exception {
        List<JsonNode> instances = items(fixture("bus-management/sensorInstance.json"), "sensor_instance_list");
        assertEquals(5, instances.size());
        instances.forEach(i -> assertValid(ConfigKind.SENSOR_INSTANCE, i));
    }

    @Test
    public void busManagementAppConfigPasses() throws Exception {
        assertValid(ConfigKind.APP_CONFIG, fixture("bus-management/appConfig.json"));
    }

    @Test
    public void busManagementDeployConfigPasses() throws Exception {
        assertValid(ConfigKind.DEPLOY_CONFIG, fixture("bus-management/deployConfig.json"));
    }

    @Test
    public void sensorTypeWithEmptyNameAndUnknownFieldTypeIsRejected() throws Exception {
        List<ValidationError> errors = support.validate(ConfigKind.SENSOR_TYPE,
                fixture("invalid/sensor-type-empty-name-unknown-field-type.json"));
        assertEquals(describe(errors), 2, errors.size());
        ValidationError name = require(errors, "/sensor_type_name");
        assertTrue(name.message(), name.message().startsWith("sensor_type_name must not be empty; expected a name of 1 to 64"));
        assertEquals("unknown field type \"complex\"; expected one of string, int, float, bool",
                require(errors, "/sensor_data_structure/x").message());
    }

    @Test
    public void sensorInstanceWithBadAddressIsRejected() throws Exception {
        List<ValidationError> errors = support.validate(ConfigKind.SENSOR_INSTANCE,
                fixture("invalid/sensor-instance-bad-address.json"));
        Map<String, String> byPath = errors.stream().collect(Collectors.toMap(ValidationError::path, ValidationError::message));
        assertEquals(describe(errors), 2, errors.size());
        assertTrue(byPath.get("/ip"), byPath.get("/ip").startsWith("ip \"not an ip\" is not a valid address; expected an IPv4"));
        assertTrue(byPath.get("/port"), byPath.get("/port").startsWith("port \"99999\" is out of range; expected a port number "
                + "from 1 to 65535"));
    }

    @Test
    public void unregisteredSensorTypeIsNotTheValidatorsBusiness() throws Exception {
        // Well-formed: the platform manager refuses it (422) because the type is not registered.
        assertValid(ConfigKind.SENSOR_INSTANCE, fixture("invalid/sensor-instance-unregistered-type.json"));
    }

    @Test
    public void stopWithoutJobIdIsRejected() throws Exception {
        List<ValidationError> errors = support.validate(ConfigKind.DEPLOY_CONFIG,
                fixture("invalid/deploy-config-stop-without-job-id.json"));
        assertEquals(describe(errors), 1, errors.size());
        ValidationError e = require(errors, "/1/scheduling_info/job_id");
        assertTrue(e.message(), e.message().startsWith("job_id is required for a stop request"));
    }

    @Test
    public void truncatedDeployConfigIsNotJson() throws Exception {
        String text = Support.fixtureText("invalid/deploy-config-truncated.json");
        try {
            Support.MAPPER.readTree(text);
            fail("the truncated deploy config parsed");
        } catch (JsonProcessingException expected) {
            assertFalse(expected.getOriginalMessage().isEmpty());
        }
    }
}
