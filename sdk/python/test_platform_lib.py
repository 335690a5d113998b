"""Tests of platform_lib against a tiny HTTP server started by the test (the platform's side of the algorithm API).

Run: python3 -m unittest discover -s sdk/python      (the Maven build of sample-apps/bus-management runs it too)
"""

import contextlib
import io
import json
import os
import socket
import sys
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import platform_lib
from platform_lib import IasError, Platform, SseParser

TOKEN = "tok-123"
INSTANCE = "65f0c0ffee00000000000001"


class Peer(object):
    """An HTTP server answering each path with scripted handlers (one per call, the last one repeating)."""

    def __init__(self):
        self.requests = []
        self.routes = {}
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._calls = {}
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with peer._lock:
                    peer.requests.append({"method": self.command, "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                          "body": json.loads(body.decode("utf-8")) if body else None})
                    script = peer.routes.get((self.command, self.path))
                    n = peer._calls.get((self.command, self.path), 0)
                    peer._calls[(self.command, self.path)] = n + 1
                if script is None:
                    send_json(self, 404, {"errors": [{"path": "path", "message": "no route " + self.path}]})
                    return
                script[min(n, len(script) - 1)](self)

            do_GET = _serve
            do_POST = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.url = "http://127.0.0.1:%d/ias/api/v1" % self.server.server_address[1]

    def route(self, method, path, *handlers):
        self.routes[(method, "/ias/api/v1" + path)] = list(handlers)

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def send_json(handler, status, document):
    body = json.dumps(document).encode("utf-8")
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def answer(status, document=None):
    def handle(handler):
        if document is None:
            handler.send_response(status)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        else:
            send_json(handler, status, document)
    return handle


def stream(*pieces, chunked=False):
    """An event-stream answer written in the given pieces (chunk boundaries anywhere), then the connection ends."""
    def handle(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        if chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for piece in pieces:
            data = piece.encode("utf-8")
            if chunked:
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            else:
                handler.wfile.write(data)
            handler.wfile.flush()
        if chunked:
            handler.wfile.write(b"0\r\n\r\n")
        handler.close_connection = True
    return handle


def reading(lux, ts):
    return {"sensor_instance_id": "si-light", "timestamp": ts, "data": {"lux": lux}}


class Stop(Exception):
    """Raised by the recorded sleep to end an endless readings stream."""


class PlatformLibTest(unittest.TestCase):
    def setUp(self):
        self.peer = Peer()
        self.addCleanup(self.peer.close)
        self.sleeps = []
        self.stop_after_sleeps = None
        self.client = Platform(self.peer.url, INSTANCE, TOKEN, timeout=5, stream_timeout=5, sleep=self._sleep)

    def _sleep(self, seconds):
        self.sleeps.append(seconds)
        if self.stop_after_sleeps is not None and len(self.sleeps) >= self.stop_after_sleeps:
            raise Stop()

    def last(self):
        return self.peer.requests[-1]

    # -- request shapes -------------------------------------------------------------------------------------------

    def test_seed_calls_post_id_and_index_and_answer_the_topic(self):
        self.peer.route("POST", "/getSensorTopic", answer(200, {"data": "sensor_data_si-1"}))
        self.peer.route("POST", "/setSensorTopic", answer(200, {"data": "sensor_control_si-1"}))
        self.assertEqual("sensor_data_si-1", self.client.getSensorData(INSTANCE, 0))
        self.assertEqual({"id": INSTANCE, "index": 0}, self.last()["body"])
        self.assertEqual("sensor_control_si-1", self.client.setSensorData(INSTANCE, 1))
        self.assertEqual({"id": INSTANCE, "index": 1}, self.last()["body"])
        self.client.setSensorData(INSTANCE, 1, "1")
        self.assertEqual({"id": INSTANCE, "index": 1, "val": "1"}, self.last()["body"])
        self.assertEqual("application/json", self.last()["headers"]["content-type"])

    def test_every_call_sends_the_bearer_token(self):
        self.peer.route("GET", "/algorithm-instances/%s/sensors/0" % INSTANCE,
                        answer(200, {"sensor_instance_id": "si-1", "data_topic": "d", "control_topic": "c"}))
        self.assertEqual("si-1", self.client.sensor(0)["sensor_instance_id"])
        request = self.last()
        self.assertEqual("GET", request["method"])
        self.assertEqual("Bearer " + TOKEN, request["headers"]["authorization"])
        self.assertIsNone(request["body"])

    def test_control_notify_and_feed_shapes(self):
        base = "/algorithm-instances/%s" % INSTANCE
        self.peer.route("POST", base + "/sensors/0/control", answer(202, {"status": "sent"}))
        self.peer.route("POST", base + "/notifications", answer(202))
        self.peer.route("POST", base + "/feed", answer(204))
        self.assertEqual({"status": "sent"}, self.client.control(0, "switchOnLight", {"level": 2}))
        self.assertEqual({"function": "switchOnLight", "params": {"level": 2}}, self.last()["body"])
        self.client.control(0, "reset")
        self.assertEqual({"function": "reset", "params": {}}, self.last()["body"])
        self.assertIsNone(self.client.notify("user", "fare 12.50"))
        self.assertEqual({"to": "user", "message": "fare 12.50"}, self.last()["body"])
        self.client.feed({"Light": "Switch on light as lux is 33", "lux": 33})
        self.assertEqual({"Light": "Switch on light as lux is 33", "lux": 33}, self.last()["body"])
        for request in self.peer.requests:
            self.assertEqual("Bearer " + TOKEN, request["headers"]["authorization"])

    def test_arguments_are_checked_before_anything_is_sent(self):
        with self.assertRaises(TypeError):
            self.client.feed(["not", "a", "dict"])
        with self.assertRaises(TypeError):
            self.client.control(0, "switchOnLight", "level=1")
        with self.assertRaises(TypeError):
            self.client.sensor(-1)
        with self.assertRaises(TypeError):
            self.client.sensor(True)
        self.assertEqual([], self.peer.requests)

    def test_instance_id_is_quoted_in_paths(self):
        client = Platform(self.peer.url, "a/b c", TOKEN)
        self.peer.route("GET", "/algorithm-instances/a%2Fb%20c/sensors/2", answer(200, {"sensor_instance_id": "si-2"}))
        self.assertEqual({"sensor_instance_id": "si-2"}, client.sensor(2))

    # -- errors ---------------------------------------------------------------------------------------------------

    def test_refusals_carry_the_servers_errors(self):
        self.peer.route("POST", "/algorithm-instances/%s/sensors/0/control" % INSTANCE,
                        answer(400, {"errors": [{"path": "/params/level", "message": "expected an int, got \"x\""},
                                                {"path": "", "message": "and more"}]}))
        with self.assertRaises(IasError) as caught:
            self.client.control(0, "switchOnLight", {"level": "x"})
        e = caught.exception
        self.assertEqual(400, e.status)
        self.assertFalse(e.retryable)
        self.assertEqual("/params/level", e.errors[0]["path"])
        self.assertIn("/params/level: expected an int", str(e))
        self.assertIn("(document): and more", str(e))
        self.assertIn("POST /algorithm-instances/%s/sensors/0/control: HTTP 400" % INSTANCE, str(e))

    def test_a_server_error_without_json_keeps_its_text(self):
        def broken(handler):
            body = b"proxy exploded"
            handler.send_response(502)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        self.peer.route("POST", "/algorithm-instances/%s/feed" % INSTANCE, broken)
        with self.assertRaises(IasError) as caught:
            self.client.feed({"a": 1})
        self.assertEqual(502, caught.exception.status)
        self.assertTrue(caught.exception.retryable)
        self.assertIn("proxy exploded", str(caught.exception))

    def test_a_seed_answer_without_data_is_an_error(self):
        self.peer.route("POST", "/getSensorTopic", answer(200, {"topic": "x"}))
        with self.assertRaises(IasError) as caught:
            self.client.getSensorData(INSTANCE, 0)
        self.assertIn("expected an answer {\"data\": topic}", str(caught.exception))

    def test_an_unreachable_platform_is_reported(self):
        client = Platform("http://127.0.0.1:%d/ias/api/v1" % free_port(), INSTANCE, TOKEN, timeout=5)
        with self.assertRaises(IasError) as caught:
            client.notify("user", "x")
        self.assertIsNone(caught.exception.status)
        self.assertTrue(caught.exception.retryable)
        self.assertIn("cannot reach the platform", str(caught.exception))

    # -- configuration from the environment -----------------------------------------------------------------------

    def test_module_functions_use_the_environment(self):
        self.peer.route("POST", "/algorithm-instances/env-inst/notifications", answer(202))
        env = {"IAS_API_URL": self.peer.url + "/", "IAS_INSTANCE_ID": "env-inst", "IAS_TOKEN": "env-token"}
        with mock.patch.dict(os.environ, env), mock.patch.object(platform_lib, "_client", None):
            platform_lib.notify("configurator", "hello")
            self.assertEqual("env-inst", platform_lib.instance_id())
        self.assertEqual("/ias/api/v1/algorithm-instances/env-inst/notifications", self.last()["path"])
        self.assertEqual("Bearer env-token", self.last()["headers"]["authorization"])

    def test_instance_id_falls_back_to_the_first_argument(self):
        with mock.patch.dict(os.environ, {"IAS_API_URL": self.peer.url}), mock.patch.object(sys, "argv", ["x.py", "arg-inst"]):
            os.environ.pop("IAS_INSTANCE_ID", None)
            self.assertEqual("arg-inst", Platform().instance_id)

    def test_missing_api_url_is_explained(self):
        with mock.patch.dict(os.environ, {}, clear=True):
            with self.assertRaises(IasError) as caught:
                Platform()
        self.assertIn("IAS_API_URL is not set", str(caught.exception))

    def test_log_writes_a_line_to_stdout(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            platform_lib.log("lux 33")
        self.assertEqual("lux 33\n", out.getvalue())

    # -- server-sent events ---------------------------------------------------------------------------------------

    def test_sse_parser(self):
        parser = SseParser()
        lines = ["\ufeff: comment first\n", "retry: 1500\r\n", "id: 7\n", "event: reading\n", "data: {\"a\":\n",
                 "data:1}\n", "\n", "\n", "data\n", "\r\n", "id: 8\n", "\n", "data: tail without blank line\n"]
        events = [e for e in (parser.feed(line.encode("utf-8")) for line in lines) if e is not None]
        self.assertEqual(2, len(events))
        self.assertEqual(("reading", "{\"a\":\n1}", "7"), (events[0].event, events[0].data, events[0].id))
        self.assertEqual(("message", "", "7"), (events[1].event, events[1].data, events[1].id))
        self.assertEqual(1500, parser.retry)
        self.assertEqual("8", parser.last_event_id)

    def test_readings_parse_events_and_reconnect_after_loss(self):
        path = "/algorithm-instances/%s/sensors/0/readings/stream" % INSTANCE
        self.peer.route(
            "GET", path,
            # 1: a comment, a reading with an id, an event that is not JSON, then the connection drops mid-event
            stream(": connected\n\n", "id: 1\ndata: %s\n\n" % json.dumps(reading(55, 1000)), "data: not json\n\n",
                   "id: 2\ndata: {\"half\": "),
            # 2: the platform is restarting
            answer(503, {"errors": [{"path": "", "message": "restarting"}]}),
            # 3: chunked, with chunks splitting lines; a retry field
            stream("retry: 2500\nda", "ta: %s\n" % json.dumps(reading(33, 2000)), "\n: ping\n\n", chunked=True),
            # 4: the token is no longer valid
            answer(401, {"errors": [{"path": "Authorization", "message": "unknown token"}]}))
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            readings = self.client.readings(0)
            self.assertEqual(reading(55, 1000), next(readings))
            self.assertEqual(reading(33, 2000), next(readings))
            with self.assertRaises(IasError) as caught:
                next(readings)
        self.assertEqual(401, caught.exception.status)
        self.assertIn("Authorization: unknown token", str(caught.exception))
        # back-off: reset after a reading, doubled after the 503, then the stream's retry value
        self.assertEqual([0.5, 1.0, 2.5], self.sleeps)
        requests = [r for r in self.peer.requests if r["path"].endswith("/readings/stream")]
        self.assertEqual(4, len(requests))
        for request in requests:
            self.assertEqual("Bearer " + TOKEN, request["headers"]["authorization"])
            self.assertEqual("text/event-stream", request["headers"]["accept"])
        self.assertNotIn("last-event-id", requests[0]["headers"])
        self.assertEqual("1", requests[1]["headers"]["last-event-id"])
        self.assertEqual("1", requests[2]["headers"]["last-event-id"])
        log = err.getvalue()
        self.assertIn("not JSON", log)
        self.assertIn("the stream ended; reconnecting in 0.5 s", log)
        self.assertIn("HTTP 503", log)

    def test_readings_back_off_grows_to_its_cap_while_the_platform_is_unreachable(self):
        client = Platform("http://127.0.0.1:%d/ias/api/v1" % free_port(), INSTANCE, TOKEN, initial_backoff=0.5,
                          max_backoff=3, sleep=self._sleep)
        self.stop_after_sleeps = 6
        err = io.StringIO()
        with contextlib.redirect_stderr(err), self.assertRaises(Stop):
            next(client.readings(1))
        self.assertEqual([0.5, 1.0, 2.0, 3, 3, 3], self.sleeps)
        self.assertIn("cannot reach the platform", err.getvalue())

    def test_a_silent_stream_is_taken_as_lost(self):
        path = "/algorithm-instances/%s/sensors/0/readings/stream" % INSTANCE

        def silent(handler):
            handler.send_response(200)
            handler.send_header("Content-Type", "text/event-stream")
            handler.end_headers()
            handler.wfile.flush()
            self.peer.release.wait(10)

        self.peer.route("GET", path, silent, stream("data: %s\n\n" % json.dumps(reading(12, 3000))))
        client = Platform(self.peer.url, INSTANCE, TOKEN, stream_timeout=0.3, sleep=self._sleep)
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(reading(12, 3000), next(client.readings(0)))
        self.assertEqual([0.5], self.sleeps)
        self.assertIn("connection lost", err.getvalue())

    def test_closing_the_generator_closes_the_connection(self):
        path = "/algorithm-instances/%s/sensors/0/readings/stream" % INSTANCE
        self.peer.route("GET", path, stream("data: {\"n\": 1}\n\n", "data: {\"n\": 2}\n\n"))
        readings = self.client.readings(0)
        self.assertEqual({"n": 1}, next(readings))
        readings.close()
        self.assertEqual([], self.sleeps)


class RunTest(unittest.TestCase):
    """run(main, name): the exit status of a script algorithm and the line it leaves in its log."""

    def run_main(self, main):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = platform_lib.run(main, "algo")
        return status, out.getvalue()

    def test_a_main_that_returns_exits_0(self):
        calls = []
        self.assertEqual((0, ""), self.run_main(lambda: calls.append("ran")))
        self.assertEqual(["ran"], calls)

    def test_a_401_means_the_platform_ended_the_instance_and_exits_0(self):
        def main():
            raise IasError("GET /x: HTTP 401 Unauthorized", status=401)
        self.assertEqual((0, "algo: the platform ended this instance (GET /x: HTTP 401 Unauthorized)\n"),
                         self.run_main(main))

    def test_any_other_refusal_or_an_unreachable_platform_exits_1(self):
        for error in (IasError("GET /x: HTTP 404 Not Found", status=404), IasError("cannot reach the platform")):
            def main():
                raise error
            self.assertEqual((1, "algo: stopped: %s\n" % (error,)), self.run_main(main))

    def test_other_exceptions_are_raised(self):
        def main():
            raise ValueError("a bug")
        with self.assertRaises(ValueError):
            self.run_main(main)


def free_port():
    """A local port nothing listens on (bound and released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    unittest.main()
