"""Tests of the Python form of Bus_management: the decision logic and the algorithms over a recording platform client,
and the consistency of both forms' configs.

Run: PYTHONPATH=sdk/python python3 -m unittest discover -s sample-apps/bus-management/python   (mvn install runs it)
"""

import json
import os
import subprocess
import sys
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
SDK = os.path.join(HERE, os.pardir, os.pardir, os.pardir, "sdk", "python")
if SDK not in sys.path:
    sys.path.append(SDK)

import platform_lib  # noqa: E402
import fareCalculator  # noqa: E402
import lightControl  # noqa: E402
from fareCalculator import FareCalculator, FareMeter, fare_for, haversine_km, planar_km  # noqa: E402
from lightControl import LightControl, LightRule, level_for  # noqa: E402


class FakePlatform(object):
    """A platform client that serves scripted readings and records what the algorithm does."""

    def __init__(self, sensors=None, readings=None, refuse_control=None):
        self.sensors = sensors or {}
        self.scripted = readings or {}
        self.refuse_control = refuse_control
        self.controls, self.feeds, self.notifications, self.logs = [], [], [], []

    def sensor(self, index):
        if index not in self.sensors:
            raise platform_lib.IasError("GET .../sensors/%d: HTTP 404" % index, status=404)
        return self.sensors[index]

    def readings(self, index):
        return iter(self.scripted.get(index, []))

    def control(self, index, function, params=None):
        if self.refuse_control:
            raise self.refuse_control
        self.controls.append((index, function, params))

    def feed(self, data):
        self.feeds.append(data)

    def notify(self, to, message):
        self.notifications.append((to, message))

    def log(self, line):
        self.logs.append(line)


def light(lux, ts):
    return {"sensor_instance_id": "si-light", "timestamp": ts, "data": {"lux": lux}}


def bio(person, event, ts):
    return {"sensor_instance_id": "si-bio", "timestamp": ts, "data": {"person_id": person, "event": event}}


def gps(x, y):
    return {"sensor_instance_id": "si-gps", "timestamp": 0, "data": {"placeholder": "bus", "x": x, "y": y}}


class LightControlTest(unittest.TestCase):
    def test_level_grows_with_darkness_from_1_to_10(self):
        self.assertEqual([1, 1, 2, 4, 10], [level_for(lux) for lux in (39, 30, 29, 0, -500)])

    def test_rule_switches_below_40_once_per_window_and_rearms_when_bright(self):
        rule = LightRule()
        self.assertIsNone(rule.decide(40, 0))
        self.assertIsNone(rule.decide(95, 500))
        self.assertEqual(1, rule.decide(39, 1000))
        self.assertIsNone(rule.decide(35, 2000))        # still on its way: not repeated
        self.assertEqual(1, rule.decide(35, 11000))     # still dark after the window: repeated
        self.assertIsNone(rule.decide(80, 12000))       # the light is on
        self.assertEqual(2, rule.decide(25, 12500))     # dark again: at once

    def test_run_sends_switch_on_light_and_the_seed_dashboard_message(self):
        platform = FakePlatform(sensors={0: {"sensor_instance_id": "si-light", "tags": {"bus-id": "1"}}},
                                readings={0: [light(120, 1), light(33, 2), light(31, 3), light(85, 4)]})
        LightControl(platform).run()
        self.assertEqual([(0, "switchOnLight", {"level": 1})], platform.controls)
        self.assertEqual(1, len(platform.feeds))
        message = platform.feeds[0]
        self.assertEqual("Switch on light as lux is 33", message["Light"])
        self.assertEqual(("1", 33, 1, "si-light"), (message["bus_id"], message["lux"], message["level"],
                                                    message["sensor_instance_id"]))
        self.assertNotIn("position", message)
        self.assertTrue(any("no gps sensor bound" in line for line in platform.logs), platform.logs)

    def test_position_of_the_bus_goes_with_the_message(self):
        platform = FakePlatform()
        control = LightControl(platform)
        control.bus_id = "si-light"
        control.on_gps(gps(12.5, 7))
        message = control.on_light(light(10, 5))
        self.assertEqual({"x": 12.5, "y": 7}, message["position"])
        self.assertEqual([(0, "switchOnLight", {"level": 3})], platform.controls)
        self.assertEqual({"Light": "Switch on light as lux is 10"}, lightControl.dashboard_message(10))

    def test_a_refused_command_publishes_nothing_and_is_logged(self):
        platform = FakePlatform(refuse_control=platform_lib.IasError("HTTP 400 - /params/level: expected an int", 400))
        self.assertIsNone(LightControl(platform).on_light(light(20, 1)))
        self.assertEqual([], platform.feeds)
        self.assertIn("expected an int", platform.logs[-1])

    def test_readings_without_lux_are_skipped(self):
        platform = FakePlatform()
        control = LightControl(platform)
        self.assertIsNone(control.on_light({"timestamp": 1, "data": {"lux": "dark"}}))
        self.assertIsNone(control.on_light({"timestamp": 1, "data": {}}))
        self.assertEqual([], platform.controls)
        self.assertEqual(2, len(platform.logs))


class FareCalculatorTest(unittest.TestCase):
    def test_fare_is_base_plus_rate_times_path_length(self):
        meter = FareMeter(base=10.0, per_km=5.0, distance=planar_km)
        meter.on_position(0, 0)
        self.assertIsNone(meter.on_event("P1", "board", 100))
        meter.on_position(300, 400)       # 0.5 km
        self.assertIsNone(meter.on_event("P2", "check-in", 150))
        meter.on_position(300, 1400)      # 1.0 km
        self.assertIsNone(meter.on_event("P1", "board", 160))   # a second check-in: the first one counts
        p1 = meter.on_event("P1", "alight", 200)
        self.assertEqual({"person_id": "P1", "distance_km": 1.5, "fare": 17.5, "boarded_at": 100, "alighted_at": 200}, p1)
        meter.on_position(300, 1400)      # standing still
        p2 = meter.on_event("P2", "CHECK_OUT", 300)
        self.assertEqual((1.0, 15.0), (p2["distance_km"], p2["fare"]))
        self.assertEqual({}, meter.aboard)

    def test_unknown_check_out_and_other_events(self):
        meter = FareMeter()
        with self.assertRaises(ValueError):
            meter.on_event("P9", "alight", 1)
        self.assertIsNone(meter.on_event("P9", "none", 1))
        self.assertEqual({}, meter.aboard)

    def test_fares_round_half_up_to_cents(self):
        self.assertEqual(10.0, fare_for(0))
        self.assertEqual(10.01, fare_for(0.001))      # 10.005
        self.assertEqual(10.0, fare_for(-3))
        self.assertEqual(11.23, fare_for(0.2468, base=10, per_km=5))

    def test_haversine_for_real_coordinates(self):
        self.assertAlmostEqual(111.195, haversine_km((0, 0), (0, 1)), places=2)
        # Hyderabad to Secunderabad station (lon, lat): about 6.3 km
        self.assertAlmostEqual(6.3, haversine_km((78.4744, 17.3850), (78.5018, 17.4337)), delta=0.2)
        self.assertAlmostEqual(0.005, planar_km((0, 0), (3, 4)))

    def test_run_publishes_and_notifies_each_fare(self):
        platform = FakePlatform(sensors={0: {"sensor_instance_id": "si-gps"}, 1: {"sensor_instance_id": "si-bio"}},
                                readings={1: [bio("P1", "board", 1), bio("P2", "alight", 2), bio("P1", "alight", 3)]})
        FareCalculator(platform).run()
        self.assertEqual(1, len(platform.feeds))
        message = platform.feeds[0]
        self.assertEqual(("si-gps", "P1", 10.0), (message["bus_id"], message["person_id"], message["fare"]))
        self.assertEqual("Fare of P1 is 10.00 for 0.000 km", message["Fare"])
        self.assertEqual([("user", "Bus si-gps: Fare of P1 is 10.00 for 0.000 km")], platform.notifications)
        self.assertTrue(any("P2 checked out without a check-in seen" in line for line in platform.logs), platform.logs)

    def test_gps_readings_drive_the_odometer(self):
        platform = FakePlatform()
        calc = FareCalculator(platform, FareMeter(distance=planar_km))
        calc.on_gps(gps(0, 0))
        calc.on_biometric(bio("P1", "board", 1))
        calc.on_gps(gps(120, 0))
        calc.on_gps(gps(120, 60))
        calc.on_gps({"data": {"x": "bad"}})
        message = calc.on_biometric(bio("P1", "alight", 2))
        self.assertEqual((0.18, 10.9), (message["distance_km"], message["fare"]))


class ScriptPeer(object):
    """The platform's side of the algorithm API for one script run: scripted sensors and streams, recorded calls."""

    def __init__(self, sensors, streams):
        self.calls = []
        served = {}
        lock = threading.Lock()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status, document):
                body = json.dumps(document).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                parts = self.path.split("/")   # /api/algorithm-instances/<id>/sensors/<i>[/readings/stream]
                index = int(parts[5]) if len(parts) > 5 and parts[5].isdigit() else -1
                if self.headers.get("Authorization") != "Bearer tok" or parts[3] != "inst-1" or index not in sensors:
                    self.reply(404, {"errors": [{"path": self.path, "message": "not bound"}]})
                elif self.path.endswith("/readings/stream"):
                    with lock:
                        first = index not in served
                        served[index] = True
                    if not first:   # the script reconnects once its stream ended: end the run
                        self.reply(401, {"errors": [{"path": "Authorization", "message": "the instance was stopped"}]})
                        return
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    for reading in streams.get(index, []):
                        self.wfile.write(("data: %s\n\n" % json.dumps(reading)).encode("utf-8"))
                else:
                    self.reply(200, sensors[index])

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
                with lock:
                    peer.calls.append((self.path.split("/", 4)[-1], body))
                self.reply(202, {})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = "http://127.0.0.1:%d/api" % self.server.server_address[1]

    def run(self, script):
        env = dict(os.environ, IAS_API_URL=self.url, IAS_INSTANCE_ID="inst-1", IAS_TOKEN="tok", PYTHONPATH=SDK,
                   PYTHONDONTWRITEBYTECODE="1")
        return subprocess.run([sys.executable, os.path.join(HERE, script), "inst-1"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, timeout=60)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class ScriptsTest(unittest.TestCase):
    """The scripts as the process runtime starts them, through the real platform_lib, until the platform stops them."""

    def test_light_control_script(self):
        peer = ScriptPeer({0: {"sensor_instance_id": "si-light", "tags": {"bus-id": "1"}}, 1: {"sensor_instance_id": "si-gps"}},
                          {0: [light(70, 1), light(36, 2)], 1: [gps(4, 0)]})
        self.addCleanup(peer.close)
        run = peer.run("lightControl.py")
        self.assertEqual(0, run.returncode, run.stdout + run.stderr)
        self.assertIn("lightControl: the platform ended this instance (GET /algorithm-instances/inst-1/sensors/0/readings/"
                      "stream: HTTP 401", run.stdout)
        calls = dict(peer.calls)
        self.assertEqual({"function": "switchOnLight", "params": {"level": 1}}, calls["sensors/0/control"])
        self.assertEqual(("Switch on light as lux is 36", "1", 36), (calls["feed"]["Light"], calls["feed"]["bus_id"],
                                                                    calls["feed"]["lux"]))

    def test_fare_calculator_script(self):
        peer = ScriptPeer({0: {"sensor_instance_id": "si-gps"}, 1: {"sensor_instance_id": "si-bio"}},
                          {1: [bio("P7", "board", 1), bio("P7", "alight", 2)]})
        self.addCleanup(peer.close)
        run = peer.run("fareCalculator.py")
        self.assertEqual(0, run.returncode, run.stdout + run.stderr)
        calls = dict(peer.calls)
        self.assertEqual(("P7", 10.0), (calls["feed"]["person_id"], calls["feed"]["fare"]))
        self.assertEqual({"to": "user", "message": "Bus si-gps: Fare of P7 is 10.00 for 0.000 km"}, calls["notifications"])

    def test_a_refusal_at_start_fails_the_instance(self):
        peer = ScriptPeer({}, {})
        self.addCleanup(peer.close)
        run = peer.run("lightControl.py")
        self.assertEqual(1, run.returncode, run.stdout + run.stderr)
        self.assertIn("lightControl: stopped: GET /algorithm-instances/inst-1/sensors/0: HTTP 404", run.stdout)
        self.assertEqual([], peer.calls)


class ConfigsTest(unittest.TestCase):
    def load(self, *path):
        with open(os.path.join(HERE, os.pardir, *path)) as f:
            return json.load(f)

    def check(self, form, application_name, script_of):
        app = self.load(form, "appConfig.json")
        deploy = self.load(form, "deployConfig.json")
        self.assertEqual(application_name, app["application_name"])
        algorithms = {a["algorithm_name"]: a for a in app["algorithm_list"]}
        self.assertEqual(deploy["noOfAlgo"], len([k for k in deploy if k.isdigit()]))
        for key in (k for k in deploy if k.isdigit()):
            entry = deploy[key]
            self.assertEqual(application_name, entry["application_name"])
            algorithm = algorithms[entry["algorithm_name"]]
            self.assertEqual(script_of(entry["algorithm_name"]), algorithm["script"]["name"])
            self.assertEqual([algorithm["script"]["name"]], entry["script_name"])
            self.assertEqual([s["sensor_type"] for s in algorithm["input_sensors"]],
                             [s["sensor_type"] for s in entry["sensor_info"]])
        return app, deploy

    def test_python_form(self):
        self.check("python", "Bus_management", lambda name: name + ".py")
        for name in ("fareCalculator.py", "lightControl.py"):
            self.assertTrue(os.path.isfile(os.path.join(HERE, name)))

    def test_java_form(self):
        _, deploy = self.check("java", "Bus_management_java", lambda name: "bus-management-algorithms.jar")
        self.assertEqual("java", deploy["1"]["environment"]["lang"])

    def test_light_control_uses_the_registered_control_function(self):
        path = os.path.join(HERE, os.pardir, os.pardir, os.pardir, os.pardir, "shared", "fixtures", "bus-management",
                            "sensorTypeRegistration.json")
        if not os.path.isfile(path):
            self.skipTest("no shared fixtures at " + path)
        with open(path) as f:
            types = {t["sensor_type_name"]: t for t in json.load(f)["sensor_type_list"]}
        functions = types["light-sensor"]["control_functions"]["function_details"]
        self.assertEqual([lightControl.CONTROL_FUNCTION], [f["name"] for f in functions])
        self.assertEqual([{"level": "int"}], functions[0]["params"])
        self.assertEqual(40, lightControl.LUX_THRESHOLD)
        self.assertEqual({"placeholder": "string", "x": "float", "y": "float"}, types["gps-sensor"]["sensor_data_structure"])
        self.assertEqual({"person_id": "string", "event": "string"}, types["biometric-sensor"]["sensor_data_structure"])
        self.assertEqual("metres", fareCalculator.COORDINATES)


if __name__ == "__main__":
    unittest.main()
