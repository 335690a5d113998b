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

/** Bad inputs per kind: each is rejected with an error at the expected place saying what is wrong and expected. */
@RunWith(Parameterized.class)
public class BadInputsTest {
    private static final Support SUPPORT = new Support();

    private static final String TYPE = "'sensor_type_name': 't', 'sensor_data_structure': {'x': 'int'}";
    private static final String INSTANCE = "'sensor_type': 'gps-sensor', 'ip': '127.0.0.1'";
    private static final String ALGO = "{'algorithm_name': 'a', 'script': {'name': 'a.py'}, 'input_sensors': []}";
    private static final String APP = "'application_name': 'app', 'application_id': 1";
    private static final String DEPLOY = "'application_name': 'app', 'algorithm_name': 'a', 'sensor_info': []";

    @Parameters(name = "{0}: {1}")
    public static List<Object[]> rows() {
        List<Object[]> rows = new ArrayList<>();
        // sensor-type
        bad(rows, SENSOR_TYPE, "{'sensor_type_name': 't', 'sensor_data_structure': {'x': 'complex'}}",
                "/sensor_data_structure/x", "unknown field type \"complex\"; expected one of string, int, float, bool");
        bad(rows, SENSOR_TYPE, "{'sensor_data_structure': {'x': 'int'}}", "/sensor_type_name", "sensor_type_name is required");
        bad(rows, SENSOR_TYPE, "{'sensor_type_name': 5, 'sensor_data_structure': {'x': 'int'}}", "/sensor_type_name",
                "sensor_type_name must be a string, not a whole number");
        bad(rows, SENSOR_TYPE, "{'sensor_type_name': 'gps sensor', 'sensor_data_structure': {'x': 'int'}}",
                "/sensor_type_name", "sensor_type_name \"gps sensor\" is not valid; expected a name of 1 to 64 characters");
        bad(rows, SENSOR_TYPE, "{'sensor_type_name': '" + "a".repeat(65) + "', 'sensor_data_structure': {'x': 'int'}}",
                "/sensor_type_name", "expected a name of 1 to 64 characters");
        bad(rows, SENSOR_TYPE, "{'sensor_type_name': '-t', 'sensor_data_structure': {'x': 'int'}}", "/sensor_type_name",
                "starting with a letter or digit");
        bad(rows, SENSOR_TYPE, "{'sensor_type_name': 't'}", "/sensor_data_structure", "sensor_data_structure is required");
        bad(rows, SENSOR_TYPE, "{'sensor_type_name': 't', 'sensor_data_structure': {}}", "/sensor_data_structure",
                "sensor_data_structure has no fields; expected an object mapping each field");
        bad(rows, SENSOR_TYPE, "{'sensor_type_name': 't', 'sensor_data_structure': ['x']}", "/sensor_data_structure",
                "sensor_data_structure must be an object, not a list");
        bad(rows, SENSOR_TYPE, "{'sensor_type_name': 't', 'sensor_data_structure': {'x': 5}}", "/sensor_data_structure/x",
                "unknown field type 5; expected one of string, int, float, bool");
        bad(rows, SENSOR_TYPE, "{'sensor_type_name': 't', 'sensor_data_structure': {'': 'int'}}", "/sensor_data_structure/",
                "empty name");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'Sensor_data_structure': {'x': 'int'}}", "/Sensor_data_structure",
                "given twice");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'colour': 'red'}", "/colour", "unknown field \"colour\"; expected only the "
                + "fields sensor_type_name, company, sensor_data_structure, Sensor_data_structure, control_functions and "
                + "max_silence_seconds");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'max_silence_seconds': 0}", "/max_silence_seconds",
                "max_silence_seconds is 0, which is too small; expected 1 or more");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'max_silence_seconds': '60'}", "/max_silence_seconds",
                "max_silence_seconds must be a whole number, not a string");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'max_silence_seconds': 1.5}", "/max_silence_seconds",
                "must be a whole number, not a decimal number");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'company': 5}", "/company", "company must be a string, not a whole number");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'control_functions': []}", "/control_functions",
                "control_functions must be an object, not a list");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'control_functions': {'number_of_functions': 2, 'function_details': ["
                + "{'name': 'f', 'number_of_parameters': 0, 'params': []}]}}", "/control_functions/number_of_functions",
                "number_of_functions is 2 but function_details lists 1 function; expected");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'control_functions': {'number_of_functions': 1}}",
                "/control_functions/number_of_functions", "number_of_functions is 1 but function_details lists 0 functions");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'control_functions': {'number_of_functions': -1, 'function_details': []}}",
                "/control_functions/number_of_functions", "number_of_functions is -1, which is too small; expected 0 or more");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'control_functions': {'number_of_functions': '0', 'function_details': []}}",
                "/control_functions/number_of_functions", "number_of_functions must be a whole number, not a string");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'control_functions': {'number_of_functions': 1.5, 'function_details': []}}",
                "/control_functions/number_of_functions", "must be a whole number, not a decimal number");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'control_functions': {'number_of_functions': 1, 'function_details': ["
                + "{'name': 'switch on', 'number_of_parameters': 0, 'params': []}]}}",
                "/control_functions/function_details/0/name", "name \"switch on\" is not valid; expected a name");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'control_functions': {'number_of_functions': 1, 'function_details': ["
                + "{'number_of_parameters': 0, 'params': []}]}}", "/control_functions/function_details/0/name",
                "name is required");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'control_functions': {'number_of_functions': 2, 'function_details': ["
                + "{'name': 'f', 'params': []}, {'name': 'f', 'params': []}]}}",
                "/control_functions/function_details/1/name", "control function \"f\" is declared twice");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'control_functions': {'number_of_functions': 1, 'function_details': ["
                + "{'name': 'f', 'number_of_parameters': 2, 'params': [{'level': 'int'}]}]}}",
                "/control_functions/function_details/0/number_of_parameters",
                "number_of_parameters is 2 but params lists 1 parameter");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'control_functions': {'number_of_functions': 1, 'function_details': ["
                + "{'name': 'f', 'number_of_parameters': 1, 'params': [{'level': 'int', 'time': 'int'}]}]}}",
                "/control_functions/function_details/0/params/0",
                "params[0] has 2 fields; expected a single {parameter_name: type} pair");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'control_functions': {'number_of_functions': 1, 'function_details': ["
                + "{'name': 'f', 'number_of_parameters': 1, 'params': [{}]}]}}",
                "/control_functions/function_details/0/params/0", "params[0] has no fields; expected a single");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'control_functions': {'number_of_functions': 1, 'function_details': ["
                + "{'name': 'f', 'number_of_parameters': 1, 'params': [{'level': 'double'}]}]}}",
                "/control_functions/function_details/0/params/0/level", "unknown field type \"double\"");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'control_functions': {'number_of_functions': 1, 'function_details': ["
                + "{'name': 'f', 'number_of_parameters': 2, 'params': [{'level': 'int'}, {'level': 'float'}]}]}}",
                "/control_functions/function_details/0/params/1/level", "parameter \"level\" is declared twice");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'control_functions': {'number_of_functions': 1, 'function_details': ["
                + "{'name': 'f', 'params': 'level'}]}}", "/control_functions/function_details/0/params",
                "params must be a list, not a string");
        bad(rows, SENSOR_TYPE, "{" + TYPE + ", 'control_functions': {'number_of_functions': 0, 'function_details': [],"
                + " 'extra': 1}}", "/control_functions/extra", "unknown field \"extra\" in control_functions");
        bad(rows, SENSOR_TYPE, "[{" + TYPE + "}]", "", "the sensor type must be an object, not a list");

        // sensor-instance
        bad(rows, SENSOR_INSTANCE, "{'sensor_type': 't', 'ip': 'not an ip', 'port': 1}", "/ip",
                "ip \"not an ip\" is not a valid address; expected an IPv4 address");
        for (String ip : new String[] { "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "-host.local", "host_1", "::1::2",
                "2001:db8::1:2:3:4:5:6:7", "1:2:3:4:5:6:7", "fe80::1%", "gggg::1", "[::1]" }) {
            bad(rows, SENSOR_INSTANCE, "{'sensor_type': 't', 'ip': '" + ip + "', 'port': 1}", "/ip", "is not a valid address");
        }
        bad(rows, SENSOR_INSTANCE, "{'sensor_type': 't', 'ip': '', 'port': 1}", "/ip", "ip must not be empty; expected an IPv4");
        bad(rows, SENSOR_INSTANCE, "{'sensor_type': 't', 'ip': 7, 'port': 1}", "/ip", "ip must be a string, not a whole number");
        bad(rows, SENSOR_INSTANCE, "{" + INSTANCE + ", 'port': '99999'}", "/port",
                "port \"99999\" is out of range; expected a port number from 1 to 65535");
        bad(rows, SENSOR_INSTANCE, "{" + INSTANCE + ", 'port': 70000}", "/port", "port 70000 is out of range");
        bad(rows, SENSOR_INSTANCE, "{" + INSTANCE + ", 'port': 0}", "/port", "port 0 is out of range");
        bad(rows, SENSOR_INSTANCE, "{" + INSTANCE + ", 'port': '0'}", "/port", "port \"0\" is out of range");
        bad(rows, SENSOR_INSTANCE, "{" + INSTANCE + ", 'port': '80a'}", "/port", "port \"80a\" is not a number");
        bad(rows, SENSOR_INSTANCE, "{" + INSTANCE + ", 'port': ' 80'}", "/port", "is not a number");
        bad(rows, SENSOR_INSTANCE, "{" + INSTANCE + ", 'port': '-1'}", "/port", "is not a number");
        bad(rows, SENSOR_INSTANCE, "{" + INSTANCE + ", 'port': 80.5}", "/port",
                "port must be a whole number or a string, not a decimal number; expected a port number from 1 to 65535");
        bad(rows, SENSOR_INSTANCE, "{" + INSTANCE + ", 'port': {'n': 1}}", "/port", "port must be a whole number or a string");
        bad(rows, SENSOR_INSTANCE, "{" + INSTANCE + "}", "/port", "port is required: expected a port number");
        bad(rows, SENSOR_INSTANCE, "{'sensor_type': 't', 'port': 1}", "/ip", "ip is required: expected an IPv4 address");
        bad(rows, SENSOR_INSTANCE, "{'ip': '127.0.0.1', 'port': 1}", "/sensor_type", "sensor_type is required");
        bad(rows, SENSOR_INSTANCE, "{'sensor_type': '', 'ip': '127.0.0.1', 'port': 1}", "/sensor_type",
                "sensor_type must not be empty");
        bad(rows, SENSOR_INSTANCE, "{" + INSTANCE + ", 'port': 1, 'no_of_fields': -1}", "/no_of_fields",
                "no_of_fields is -1, which is too small; expected 0 or more");
        bad(rows, SENSOR_INSTANCE, "{" + INSTANCE + ", 'port': 1, 'no_of_fields': '3'}", "/no_of_fields",
                "no_of_fields must be a whole number, not a string");
        bad(rows, SENSOR_INSTANCE, "{" + INSTANCE + ", 'port': 1, 'bus': {'id': 1}}", "/bus",
                "bus must be a string, a number or a boolean (true or false), not an object; expected a tag value");
        bad(rows, SENSOR_INSTANCE, "{" + INSTANCE + ", 'port': 1, 'bus-id': null}", "/bus-id", "not null");
        bad(rows, SENSOR_INSTANCE, "{" + INSTANCE + ", 'port': 1, 'bus-id': ['1']}", "/bus-id", "not a list");
        bad(rows, SENSOR_INSTANCE, "{" + INSTANCE + ", 'port': 1, '': 'x'}", "/", "a tag has an empty name");
        bad(rows, SENSOR_INSTANCE, "{" + INSTANCE + ", 'port': 1, 'id': 'x'}", "/id", "\"id\" cannot be used as a tag");
        bad(rows, SENSOR_INSTANCE, "{" + INSTANCE + ", 'port': 1, '$where': 'x'}", "/$where", "starts with '$'");
        bad(rows, SENSOR_INSTANCE, "'gps-sensor'", "", "the sensor instance must be an object, not a string");

        // app-config
        bad(rows, APP_CONFIG, "{" + APP + "}", "/algorithm_list", "algorithm_list is required: expected a list");
        bad(rows, APP_CONFIG, "{" + APP + ", 'algorithm_list': []}", "/algorithm_list", "algorithm_list is empty; expected");
        bad(rows, APP_CONFIG, "{" + APP + ", 'algorithm_list': {}}", "/algorithm_list",
                "algorithm_list must be a list, not an object");
        bad(rows, APP_CONFIG, "{'application_name': 'Bus management', 'application_id': 1, 'algorithm_list': [" + ALGO + "]}",
                "/application_name", "application_name \"Bus management\" is not valid; expected a name");
        bad(rows, APP_CONFIG, "{'application_id': 1, 'algorithm_list': [" + ALGO + "]}", "/application_name",
                "application_name is required");
        bad(rows, APP_CONFIG, "{'application_name': 'app', 'algorithm_list': [" + ALGO + "]}", "/application_id",
                "application_id is required");
        bad(rows, APP_CONFIG, "{'application_name': 'app', 'application_id': {}, 'algorithm_list': [" + ALGO + "]}",
                "/application_id", "application_id must be a string or a whole number, not an object");
        bad(rows, APP_CONFIG, "{'application_name': 'app', 'application_id': '', 'algorithm_list': [" + ALGO + "]}",
                "/application_id", "application_id must not be empty");
        bad(rows, APP_CONFIG, "{" + APP + ", 'developer_id': true, 'algorithm_list': [" + ALGO + "]}", "/developer_id",
                "developer_id must be a string or a whole number, not a boolean");
        bad(rows, APP_CONFIG, "{" + APP + ", 'environment': 'linux', 'algorithm_list': [" + ALGO + "]}", "/environment",
                "environment must be an object, not a string");
        bad(rows, APP_CONFIG, "{" + APP + ", 'algorithm_list': [" + ALGO + "], 'ui': 'x'}", "/ui", "unknown field \"ui\"");
        bad(rows, APP_CONFIG, "{" + APP + ", 'algorithm_list': [" + ALGO + ", " + ALGO + "]}",
                "/algorithm_list/1/algorithm_name", "algorithm \"a\" is declared twice (also at algorithm_list[0])");
        bad(rows, APP_CONFIG, "{" + APP + ", 'algorithm_list': [{'algorithm_name': 'a', 'script': {'name': '../evil.py'}, "
                + "'input_sensors': []}]}", "/algorithm_list/0/script/name",
                "script name \"../evil.py\" leaves the application package");
        bad(rows, APP_CONFIG, "{" + APP + ", 'algorithm_list': [{'algorithm_name': 'a', 'script': {'name': 'x/../../e.py'}, "
                + "'input_sensors': []}]}", "/algorithm_list/0/script/name", "leaves the application package");
        bad(rows, APP_CONFIG, "{" + APP + ", 'algorithm_list': [{'algorithm_name': 'a', 'script': {'name': '/etc/passwd'}, "
                + "'input_sensors': []}]}", "/algorithm_list/0/script/name", "is an absolute path; expected a file name");
        bad(rows, APP_CONFIG, "{" + APP + ", 'algorithm_list': [{'algorithm_name': 'a', 'script': {'name': 'C:\\\\x.py'}, "
                + "'input_sensors': []}]}", "/algorithm_list/0/script/name", "is an absolute path");
        bad(rows, APP_CONFIG, "{" + APP + ", 'algorithm_list': [{'algorithm_name': 'a', 'script': {'name': ''}, "
                + "'input_sensors': []}]}", "/algorithm_list/0/script/name", "name must not be empty");
        bad(rows, APP_CONFIG, "{" + APP + ", 'algorithm_list': [{'algorithm_name': 'a', 'input_sensors': []}]}",
                "/algorithm_list/0/script", "script is required: expected an object");
        bad(rows, APP_CONFIG, "{" + APP + ", 'algorithm_list': [{'algorithm_name': 'a', 'script': 'a.py', "
                + "'input_sensors': []}]}", "/algorithm_list/0/script", "script must be an object, not a string");
        bad(rows, APP_CONFIG, "{" + APP + ", 'algorithm_list': [{'algorithm_name': 'a', 'script': {'name': 'a.py'}, "
                + "'input_sensors': [{}]}]}", "/algorithm_list/0/input_sensors/0/sensor_type", "sensor_type is required");
        bad(rows, APP_CONFIG, "{" + APP + ", 'algorithm_list': [{'algorithm_name': 'a', 'script': {'name': 'a.py'}, "
                + "'input_sensors': 'gps-sensor'}]}", "/algorithm_list/0/input_sensors", "input_sensors must be a list");
        bad(rows, APP_CONFIG, "{" + APP + ", 'algorithm_list': [{'algorithm_name': 'a', 'script': {'name': 'a.py'}}]}",
                "/algorithm_list/0/input_sensors", "input_sensors is required");
        bad(rows, APP_CONFIG, "{" + APP + ", 'algorithm_list': [{'algorithm_name': '', 'script': {'name': 'a.py'}, "
                + "'input_sensors': []}]}", "/algorithm_list/0/algorithm_name", "algorithm_name must not be empty");

        // deploy-config
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 2, '1': {" + DEPLOY + ", 'scheduling_info': {'request_type': 'start'}}}",
                "/noOfAlgo", "noOfAlgo is 2 but 1 numbered algorithm entry is given; expected noOfAlgo to equal");
        bad(rows, DEPLOY_CONFIG, "{'1': {" + DEPLOY + ", 'scheduling_info': {'request_type': 'start'}}}", "/noOfAlgo",
                "noOfAlgo is required with numbered entries");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 'two', '1': {" + DEPLOY + ", 'scheduling_info': {'request_type': 'start'}}}",
                "/noOfAlgo", "noOfAlgo \"two\" is not a number");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 2, '1': {" + DEPLOY + ", 'scheduling_info': {'request_type': 'start'}}, "
                + "'3': {" + DEPLOY + ", 'scheduling_info': {'request_type': 'start'}}}", "/3",
                "entry \"3\" is out of sequence; expected entries numbered \"1\" to \"2\"");
        bad(rows, DEPLOY_CONFIG, "{}", "", "the deploy config lists no algorithms; expected");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {" + DEPLOY + ", 'scheduling_info': {'request_type': 'start'}, "
                + "'restart_policy': {'max_failures': 0}}}", "/1/restart_policy/max_failures", "");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {" + DEPLOY + ", 'scheduling_info': {'request_type': 'start'}, "
                + "'restart_policy': {'retries': 3}}}", "/1/restart_policy/retries", "expected only the fields max_failures");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, 'algorithms': [{" + DEPLOY + ", 'scheduling_info': {'request_type': "
                + "'start'}}]}", "", "mixes its two forms");
        bad(rows, DEPLOY_CONFIG, "{'algorithms': []}", "/algorithms", "algorithms is empty; expected");
        bad(rows, DEPLOY_CONFIG, "{'algorithms': [{" + DEPLOY + ", 'scheduling_info': {'request_type': 'start'}}], "
                + "'foo': 1}", "/foo", "unknown field \"foo\"; expected only the fields noOfAlgo, algorithms and numbered");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '01': {}}", "/01", "unknown field \"01\"");
        bad(rows, DEPLOY_CONFIG, "{'algorithms': [{" + DEPLOY + ", 'scheduling_info': {'request_type': 'begin'}}]}",
                "/algorithms/0/scheduling_info/request_type", "unknown request type \"begin\"; expected one of start, stop");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {" + DEPLOY + "}}", "/1/scheduling_info",
                "scheduling_info is required: expected an object");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {" + DEPLOY + ", 'scheduling_info': {}}}",
                "/1/scheduling_info/request_type", "request_type is required: expected start or stop");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {'algorithm_name': 'a', 'sensor_info': [], 'scheduling_info': "
                + "{'request_type': 'start'}}}", "/1/application_name", "application_name is required");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {'application_name': 'app', 'algorithm_name': 'a', "
                + "'scheduling_info': {'request_type': 'start'}}}", "/1/sensor_info", "sensor_info is required for a start "
                + "request");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {'application_name': 'app', 'algorithm_name': 'a', "
                + "'sensor_info': {}, 'scheduling_info': {'request_type': 'start'}}}", "/1/sensor_info",
                "sensor_info must be a list, not an object");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {'application_name': 'app', 'algorithm_name': 'a', "
                + "'sensor_info': [{'filter_sensors': []}], 'scheduling_info': {'request_type': 'start'}}}",
                "/1/sensor_info/0/sensor_type", "sensor_type is required");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {'application_name': 'app', 'algorithm_name': 'a', "
                + "'sensor_info': [{'sensor_type': 't', 'filter_sensors': [{'bus-id': {'x': 1}}]}], "
                + "'scheduling_info': {'request_type': 'start'}}}", "/1/sensor_info/0/filter_sensors/0/bus-id",
                "bus-id must be a string, a number or a boolean (true or false), not an object");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {'application_name': 'app', 'algorithm_name': 'a', "
                + "'sensor_info': [{'sensor_type': 't', 'filter_sensors': {'bus-id': '1'}}], "
                + "'scheduling_info': {'request_type': 'start'}}}", "/1/sensor_info/0/filter_sensors",
                "filter_sensors must be a list, not an object");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {'application_name': 'app', 'algorithm_name': 'a', "
                + "'sensor_info': [{'sensor_type': 't', 'filter_sensors': [{'': '1'}]}], "
                + "'scheduling_info': {'request_type': 'start'}}}", "/1/sensor_info/0/filter_sensors/0/",
                "a filter names an empty tag");
        bad(rows, DEPLOY_CONFIG, deploy("'start_time': '25:00'"), "/1/scheduling_info/start_time",
                "start_time \"25:00\" is not a valid time; expected \"\" (now), a time of day HH:MM (00:00 to 23:59) or an "
                        + "ISO-8601 date-time");
        bad(rows, DEPLOY_CONFIG, deploy("'start_time': '9:30'"), "/1/scheduling_info/start_time", "is not a valid time");
        bad(rows, DEPLOY_CONFIG, deploy("'start_time': '12:60'"), "/1/scheduling_info/start_time", "is not a valid time");
        bad(rows, DEPLOY_CONFIG, deploy("'end_time': 'tomorrow'"), "/1/scheduling_info/end_time",
                "end_time \"tomorrow\" is not a valid time; expected \"\" (no end)");
        bad(rows, DEPLOY_CONFIG, deploy("'end_time': '2025-13-01T00:00:00Z'"), "/1/scheduling_info/end_time",
                "is not a valid time");
        bad(rows, DEPLOY_CONFIG, deploy("'start_time': 800"), "/1/scheduling_info/start_time",
                "start_time must be a string, not a whole number");
        bad(rows, DEPLOY_CONFIG, deploy("'start_time': '2025-06-01T10:00:00Z', 'end_time': '2025-06-01T09:00:00Z'"),
                "/1/scheduling_info/end_time", "end_time \"2025-06-01T09:00:00Z\" is not after start_time "
                        + "\"2025-06-01T10:00:00Z\"; expected an end later than the start");
        bad(rows, DEPLOY_CONFIG, deploy("'start_time': '2025-06-01T10:00:00', 'end_time': '2025-06-01T10:00:00'"),
                "/1/scheduling_info/end_time", "is not after start_time");
        bad(rows, DEPLOY_CONFIG, deploy("'days': ['mon', 'funday']"), "/1/scheduling_info/days/1",
                "unknown day \"funday\"; expected a weekday name: monday to sunday, or mon to sun");
        bad(rows, DEPLOY_CONFIG, deploy("'days': [1]"), "/1/scheduling_info/days/0", "days[0] must be a string");
        bad(rows, DEPLOY_CONFIG, deploy("'days': 'monday'"), "/1/scheduling_info/days",
                "days \"monday\" is not a list; expected a list of weekday names");
        badRaw(rows, DEPLOY_CONFIG, deployRaw("\"days\": \"['mon', 'someday']\""), "/1/scheduling_info/days",
                "days \"['mon', 'someday']\" names an unknown day \"someday\"; expected a weekday name");
        badRaw(rows, DEPLOY_CONFIG, deployRaw("\"days\": \"[mon,,tue]\""), "/1/scheduling_info/days", "is not a list");
        bad(rows, DEPLOY_CONFIG, deploy("'days': 5"), "/1/scheduling_info/days", "days must be a list or a string");
        bad(rows, DEPLOY_CONFIG, deploy("'repeat': 'maybe'"), "/1/scheduling_info/repeat",
                "repeat \"maybe\" is not valid; expected yes or no (or true/false)");
        bad(rows, DEPLOY_CONFIG, deploy("'repeat': 1"), "/1/scheduling_info/repeat",
                "repeat must be a string or a boolean (true or false), not a whole number");
        bad(rows, DEPLOY_CONFIG, deploy("'interval': '30', 'repeat': 'no'"), "/1/scheduling_info/interval",
                "interval \"30\" makes a periodic task, which needs repeat \"yes\" (repeat is \"no\"); expected repeat set "
                        + "to yes, or interval left empty (\"\")");
        bad(rows, DEPLOY_CONFIG, deploy("'interval': 30"), "/1/scheduling_info/interval", "(repeat is not given)");
        bad(rows, DEPLOY_CONFIG, deploy("'interval': 'abc', 'repeat': 'yes'"), "/1/scheduling_info/interval",
                "interval \"abc\" is not a number; expected \"\" or a positive whole number of minutes");
        bad(rows, DEPLOY_CONFIG, deploy("'interval': '0', 'repeat': 'yes'"), "/1/scheduling_info/interval",
                "interval \"0\" is not positive");
        bad(rows, DEPLOY_CONFIG, deploy("'interval': -5, 'repeat': 'yes'"), "/1/scheduling_info/interval",
                "interval -5 is not a positive number of minutes");
        bad(rows, DEPLOY_CONFIG, deploy("'interval': 2.5, 'repeat': 'yes'"), "/1/scheduling_info/interval",
                "interval must be a string or a whole number, not a decimal number");
        bad(rows, DEPLOY_CONFIG, deploy("'intervall': '30'"), "/1/scheduling_info/intervall",
                "unknown field \"intervall\" in scheduling_info; expected only the fields request_type, job_id");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {" + DEPLOY + ", 'scheduling_info': {'request_type': 'stop', "
                + "'job_id': ''}}}", "/1/scheduling_info/job_id", "job_id must not be empty");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {" + DEPLOY + ", 'scheduling_info': {'request_type': 'stop', "
                + "'job_id': []}}}", "/1/scheduling_info/job_id", "job_id must be a string or a whole number, not a list");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {" + DEPLOY + ", 'script_name': '../x.py', 'scheduling_info': "
                + "{'request_type': 'start'}}}", "/1/script_name", "script name \"../x.py\" leaves the application package");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {" + DEPLOY + ", 'script_name': ['a.py', '/abs.py'], "
                + "'scheduling_info': {'request_type': 'start'}}}", "/1/script_name/1", "is an absolute path");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {" + DEPLOY + ", 'script_name': [5], 'scheduling_info': "
                + "{'request_type': 'start'}}}", "/1/script_name/0", "script_name[0] must be a string, not a whole number");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {" + DEPLOY + ", 'environment': [], 'scheduling_info': "
                + "{'request_type': 'start'}}}", "/1/environment", "environment must be an object, not a list");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': {" + DEPLOY + ", 'owner': 'me', 'scheduling_info': "
                + "{'request_type': 'start'}}}", "/1/owner", "unknown field \"owner\" in 1; expected only the fields "
                        + "application_name");
        bad(rows, DEPLOY_CONFIG, "{'noOfAlgo': 1, '1': 'fareCalculator'}", "/1", "1 must be an object, not a string");
        // a single algorithm given instead of a document: paths relative to it
        bad(rows, DEPLOY_CONFIG, "{" + DEPLOY + ", 'scheduling_info': {'request_type': 'stop'}}", "/scheduling_info/job_id",
                "job_id is required for a stop request");
        return rows;
    }

    private static String deploy(String scheduling) {
        return "{'noOfAlgo': 1, '1': {" + DEPLOY + ", 'scheduling_info': {'request_type': 'start', " + scheduling + "}}}";
    }

    private static String deployRaw(String scheduling) {
        return deploy("").replace('\'', '"').replace("\"start\", }",
                "\"start\", " + scheduling + "}");
    }

    private static void bad(List<Object[]> rows, ConfigKind kind, String json, String path, String fragment) {
        badRaw(rows, kind, json.replace('\'', '"'), path, fragment);
    }

    private static void badRaw(List<Object[]> rows, ConfigKind kind, String json, String path, String fragment) {
        rows.add(new Object[] { kind.id(), json, kind, path, fragment });
    }

    private final String json;
    private final ConfigKind kind;
    private final String path;
    private final String fragment;

    public BadInputsTest(String kindId, String json, ConfigKind kind, String path, String fragment) {
        this.json = json;
        this.kind = kind;
        this.path = path;
        this.fragment = fragment;
    }

    @Test
    public void isRejectedAtThePlaceWithAReadableMessage() {
        List<ValidationError> errors = SUPPORT.validate(kind, json);
        assertTrue("expected an error at '" + path + "' containing '" + fragment + "' for " + json + ", got:"
                + describe(errors), errors.stream().anyMatch(e -> e.path().equals(path) && e.message().contains(fragment)));
    }
}
