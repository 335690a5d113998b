package org.iasplatform.validation.internal;

import static org.iasplatform.api.validation.ConfigKind.APP_CONFIG;
import static org.iasplatform.api.validation.ConfigKind.DEPLOY_CONFIG;
import static org.iasplatform.api.validation.ConfigKind.SENSOR_INSTANCE;
import static org.iasplatform.api.validation.ConfigKind.SENSOR_TYPE;
import static org.iasplatform.validation.internal.Support.describe;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.iasplatform.api.validation.ConfigKind;
import org.iasplatform.api.validation.ValidationError;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/** Accepted variants beyond the fixtures: the forms API.md allows. */
@RunWith(Parameterized.class)
public class GoodInputsTest {
    private static final Support SUPPORT = new Support();
    private static final String DEPLOY = "'application_name': 'app', 'algorithm_name': 'a', 'sensor_info': []";

    @Parameters(name = "{0}: {1}")
    public static List<Object[]> rows() {
        List<Object[]> rows = new ArrayList<>();
        ok(rows, SENSOR_TYPE, "{'sensor_type_name': 'gps-sensor', 'company': 'samsung', "
                + "'Sensor_data_structure': {'placeholder': 'string', 'x': 'float', 'y': 'float'}}");
        ok(rows, SENSOR_TYPE, "{'sensor_type_name': 'a', 'sensor_data_structure': {'on': 'bool'}}");
        ok(rows, SENSOR_TYPE, "{'sensor_type_name': 'a', 'sensor_data_structure': {'on': 'bool'}, 'max_silence_seconds': 60}");
        ok(rows, SENSOR_TYPE, "{'sensor_type_name': 'A1._-" + "x".repeat(59) + "', 'sensor_data_structure': {'v': 'int'}}");
        ok(rows, SENSOR_TYPE, "{'sensor_type_name': 'l', 'sensor_data_structure': {'lux': 'int'}, 'control_functions': "
                + "{'number_of_functions': 2, 'function_details': [{'name': 'on', 'number_of_parameters': 2, 'params': "
                + "[{'level': 'int'}, {'mode': 'string'}]}, {'name': 'off', 'number_of_parameters': 0, 'params': []}]}}");
        ok(rows, SENSOR_TYPE, "{'sensor_type_name': 'l', 'sensor_data_structure': {'lux': 'int'}, 'control_functions': "
                + "{'function_details': [{'name': 'on', 'params': [{'level': 'float'}]}]}}");
        ok(rows, SENSOR_INSTANCE, "{'sensor_type': 't', 'ip': '192.168.1.20', 'port': 8766}");
        ok(rows, SENSOR_INSTANCE, "{'sensor_type': 't', 'ip': 'localhost', 'port': '1'}");
        ok(rows, SENSOR_INSTANCE, "{'sensor_type': 't', 'ip': 'bus-gps-1.example.org.', 'port': '65535'}");
        for (String ip : new String[] { "::1", "::", "fe80::1%eth0", "2001:db8:0:0:0:0:2:1", "::ffff:192.0.2.1",
                "2001:DB8::8:800:200C:417A", "0.0.0.0", "255.255.255.255", "a", "3com.net" }) {
            ok(rows, SENSOR_INSTANCE, "{'sensor_type': 't', 'ip': '" + ip + "', 'port': 80}");
        }
        ok(rows, SENSOR_INSTANCE, "{'sensor_type': 't', 'ip': '10.0.0.1', 'port': 80, 'no_of_fields': 0, "
                + "'placeholder': 'bus', 'bus-id': 1, 'active': true, 'ratio': 0.5}");
        ok(rows, APP_CONFIG, "{'application_name': 'app', 'application_id': 'app-1', 'developer_id': 'dev', "
                + "'algorithm_list': [{'algorithm_name': 'a', 'script': {'name': 'algos/a..b.py'}, "
                + "'input_sensors': [{'sensor_type': 't'}]}]}");
        ok(rows, DEPLOY_CONFIG, "{'algorithms': [{" + DEPLOY + ", 'script_name': 'a.py', "
                + "'scheduling_info': {'request_type': 'start'}}]}");
        ok(rows, DEPLOY_CONFIG, "{'noOfAlgo': '1', '1': {" + DEPLOY + ", 'scheduling_info': {'request_type': 'start'}}}");
        ok(rows, DEPLOY_CONFIG, deploy("'start_time': '08:00', 'end_time': '18:30', 'days': ['Mon', 'FRIDAY', 'sun'], "
                + "'repeat': 'yes', 'interval': '30'"));
        ok(rows, DEPLOY_CONFIG, deploy("'start_time': '23:00', 'end_time': '01:00', 'repeat': true, 'interval': 5"));
        ok(rows, DEPLOY_CONFIG, deploy("'start_time': '2025-06-01T08:00:00Z', 'end_time': '2025-06-01T09:00:00+00:00', "
                + "'repeat': 'No', 'interval': ''"));
        ok(rows, DEPLOY_CONFIG, deploy("'start_time': '2025-06-01T08:00', 'end_time': '2025-06-02T08:00:00'"));
        ok(rows, DEPLOY_CONFIG, deploy("'days': '[]', 'repeat': false"));
        ok(rows, DEPLOY_CONFIG, deploy("'days': ''"));
        ok(rows, DEPLOY_CONFIG, deploy("'days': []"));
        okRaw(rows, DEPLOY_CONFIG, deploy("").replace('\'', '"').replace("\"start\", }",
                "\"start\", \"days\": \"['mon', 'Tue', 'WEDNESDAY',]\"}"));
        okRaw(rows, DEPLOY_CONFIG, deploy("").replace('\'', '"').replace("\"start\", }",
                "\"start\", \"days\": \"[\\\"thu\\\", \\\"sat\\\"]\"}"));
        ok(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {'application_name': 'app', 'algorithm_name': 'a', "
                + "'scheduling_info': {'request_type': 'stop', 'job_id': 'job-42'}}}");
        ok(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {'application_name': 'app', 'algorithm_name': 'a', "
                + "'scheduling_info': {'request_type': 'stop', 'job_id': 42}}}");
        ok(rows, DEPLOY_CONFIG, "{'noOfAlgo': 2, '2': {" + DEPLOY + ", 'scheduling_info': {'request_type': 'start'}}, "
                + "'1': {" + DEPLOY + ", 'scheduling_info': {'request_type': 'start'}}}");
        ok(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {" + DEPLOY + ", 'scheduling_info': {'request_type': 'start'}, "
                + "'restart_policy': {'max_failures': 3, 'window_seconds': 60, 'backoff_initial_ms': 100, 'backoff_max_ms': 2000}}}");
        ok(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {" + DEPLOY + ", 'scheduling_info': {'request_type': 'start'}, "
                + "'restart_policy': {}}}");
        // a single algorithm instead of a whole document
        ok(rows, DEPLOY_CONFIG, "{" + DEPLOY + ", 'scheduling_info': {'request_type': 'start'}}");
        return rows;
    }

    private static String deploy(String scheduling) {
        return "{'noOfAlgo': 1, '1': {" + DEPLOY + ", 'scheduling_info': {'request_type': 'start', " + scheduling + "}}}";
    }

    private static void ok(List<Object[]> rows, ConfigKind kind, String json) {
        okRaw(rows, kind, json.replace('\'', '"'));
    }

    private static void okRaw(List<Object[]> rows, ConfigKind kind, String json) {
        rows.add(new Object[] { kind.id(), json, kind });
    }

    private final String json;
    private final ConfigKind kind;

    public GoodInputsTest(String kindId, String json, ConfigKind kind) {
        this.json = json;
        this.kind = kind;
    }

    @Test
    public void passes() {
        List<ValidationError> errors = SUPPORT.validate(kind, json);
        assertTrue(json + " should pass:" + describe(errors), errors.isEmpty());
    }
}
