package org.iasplatform.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Map;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.sensor.ControlCommand;
import org.iasplatform.api.sensor.SensorType;
import org.iasplatform.api.validation.ValidationError;
import org.junit.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

public class PlatformManagerRulesTest {
    private final ObjectMapper mapper = new ObjectMapper();

    private SensorType light() throws Exception {
        return mapper.readValue("{\"sensor_type_name\":\"light-sensor\",\"sensor_data_structure\":{\"lux\":\"int\"},"
                + "\"control_functions\":{\"number_of_functions\":1,\"function_details\":[{\"name\":\"switchOnLight\","
                + "\"number_of_parameters\":1,\"params\":[{\"level\":\"int\"}]}]}}", SensorType.class);
    }

    @Test
    public void controlCommandIsCheckedAgainstTheTypesFunctions() throws Exception {
        SensorType type = light();
        assertTrue(type.checkControl(new ControlCommand("switchOnLight", Map.of("level", 3))).isEmpty());

        List<ValidationError> unknown = type.checkControl(new ControlCommand("explode", Map.of()));
        assertEquals("/function", unknown.get(0).path());
        assertTrue(unknown.get(0).message(), unknown.get(0).message().contains("switchOnLight"));

        List<ValidationError> wrongType = type.checkControl(new ControlCommand("switchOnLight", Map.of("level", "high")));
        assertEquals("/params/level", wrongType.get(0).path());
        assertTrue(wrongType.get(0).message().contains("expected a int"));

        List<ValidationError> missingAndExtra = type.checkControl(new ControlCommand("switchOnLight", Map.of("lvl", 3)));
        assertEquals(2, missingAndExtra.size());
    }

    @Test
    public void instanceIdsAreDeterministicPerDevice() {
        String a = PlatformManagerComponent.instanceId("gps-sensor", "127.0.0.1", 8766);
        assertEquals(a, PlatformManagerComponent.instanceId("gps-sensor", "127.0.0.1", 8766));
        assertNotEquals(a, PlatformManagerComponent.instanceId("gps-sensor", "127.0.0.1", 8767));
        assertTrue(a.matches("si-[0-9a-f]{16}"));
    }

    @Test
    public void theThreeFileFormsSplitIntoItemsWithPointers() throws Exception {
        assertEquals("", DocumentForms.split(mapper.readTree("{\"a\":1}"), "x_list", "x", 10).get(0).pointer());
        assertEquals("/1", DocumentForms.split(mapper.readTree("[{},{}]"), "x_list", "x", 10).get(1).pointer());
        assertEquals("/x_list/0", DocumentForms.split(mapper.readTree("{\"x_list\":[{}]}"), "x_list", "x", 10).get(0).pointer());
        expect(ErrorKind.INVALID, () -> DocumentForms.split(mapper.readTree("[]"), "x_list", "x", 10));
        expect(ErrorKind.INVALID, () -> DocumentForms.split(mapper.readTree("42"), "x_list", "x", 10));
        expect(ErrorKind.INVALID, () -> DocumentForms.split(mapper.readTree("{\"x_list\":{}}"), "x_list", "x", 10));
        expect(ErrorKind.TOO_LARGE, () -> DocumentForms.split(mapper.readTree("[{},{},{}]"), "x_list", "x", 2));
    }

    @Test
    public void bothDeployConfigFormsSplitIntoEntriesWithPointersInTheConfigsOrder() throws Exception {
        List<DocumentForms.Item> seed = DocumentForms.splitDeployConfig(mapper.readTree(
                "{\"noOfAlgo\": 3, \"10\": {\"n\": 10}, \"2\": {\"n\": 2}, \"1\": {\"n\": 1}}"), 10);
        assertEquals(List.of("/1", "/2", "/10"), seed.stream().map(DocumentForms.Item::pointer).toList());
        assertEquals(10, seed.get(2).node().get("n").asInt());
        assertEquals(2, DocumentForms.splitDeployConfig(mapper.readTree("{\"noOfAlgo\": \"2\", \"1\": {}, \"2\": {}}"), 10).size());

        List<DocumentForms.Item> list = DocumentForms.splitDeployConfig(mapper.readTree("{\"algorithms\": [{}, {\"n\": 1}]}"), 10);
        assertEquals(List.of("/algorithms/0", "/algorithms/1"), list.stream().map(DocumentForms.Item::pointer).toList());

        List<DocumentForms.Item> single = DocumentForms.splitDeployConfig(mapper.readTree(
                "{\"application_name\": \"a\", \"algorithm_name\": \"b\", \"scheduling_info\": {}}"), 10);
        assertEquals("", single.get(0).pointer());

        expect(ErrorKind.INVALID, () -> DocumentForms.splitDeployConfig(null, 10));
        expect(ErrorKind.INVALID, () -> DocumentForms.splitDeployConfig(mapper.readTree("[{}]"), 10));
        expect(ErrorKind.INVALID, () -> DocumentForms.splitDeployConfig(mapper.readTree("{}"), 10));
        expect(ErrorKind.INVALID, () -> DocumentForms.splitDeployConfig(mapper.readTree("{\"algorithms\": []}"), 10));
        expect(ErrorKind.INVALID, () -> DocumentForms.splitDeployConfig(mapper.readTree("{\"algorithms\": {}}"), 10));
        expect(ErrorKind.INVALID, () -> DocumentForms.splitDeployConfig(mapper.readTree("{\"noOfAlgo\": 3, \"1\": {}}"), 10));
        expect(ErrorKind.TOO_LARGE, () -> DocumentForms.splitDeployConfig(mapper.readTree("{\"1\": {}, \"2\": {}, \"3\": {}}"), 2));
        expect(ErrorKind.TOO_LARGE, () -> DocumentForms.splitDeployConfig(mapper.readTree("{\"algorithms\": [{}, {}, {}]}"), 2));
    }

    interface Call {
        void run() throws Exception;
    }

    private static void expect(ErrorKind kind, Call call) throws Exception {
        try {
            call.run();
            fail("expected " + kind);
        } catch (IasException e) {
            assertEquals(kind, e.kind());
            assertTrue(e.errors().get(0).message().length() > 10);
        }
    }
}
