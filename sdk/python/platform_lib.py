"""IAS Platform SDK for script algorithms: Python 3, standard library only.

An algorithm instance is started with its instance id as first argument and with ``IAS_API_URL`` (the API base, e.g.
``http://127.0.0.1:8181/ias/api/v1``), ``IAS_INSTANCE_ID`` and ``IAS_TOKEN`` in its environment (API.md, "For algorithm
instances"). Every call sends ``Authorization: Bearer $IAS_TOKEN``; an instance reaches only its own bound sensors,
addressed by their index in the deploy config's ``sensor_info``.

    import platform_lib as ias

    for reading in ias.readings(0):            # {"sensor_instance_id", "timestamp", "data": {...}}, forever
        if reading["data"]["lux"] < 40:
            ias.control(0, "switchOnLight", {"level": 1})
            ias.feed({"lux": reading["data"]["lux"]})
            ias.notify("user", "lights switched on")
        ias.log("seen " + str(reading["data"]))

The seed's calls are kept: ``getSensorData(id, index)`` and ``setSensorData(id, index, val=None)`` answer the data and
control topic of a bound sensor.

A refusal by the platform (HTTP 4xx/5xx) raises :class:`IasError` carrying the status and the server's
``{"errors": [{"path", "message"}]}``; a platform that cannot be reached raises :class:`IasError` with ``status`` None.
:func:`readings` is the exception: it reconnects with back-off when the connection is lost, the stream ends or the
platform answers 5xx/429, and raises only for a refusal (401, 403, 404, ...).

The module-level functions use one client built from the environment on first use; :class:`Platform` makes others
(e.g. for tests). :func:`run` runs an algorithm's body and answers its exit status:

    def main():
        ...                                        # e.g. for reading in ias.readings(0): ...

    if __name__ == "__main__":
        sys.exit(ias.run(main, "lightControl"))
"""

import http.client
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

__all__ = [
    "IasError", "Platform", "SseEvent", "SseParser", "client", "instance_id",
    "getSensorData", "setSensorData", "sensor", "readings", "control", "notify", "feed", "log", "run",
]

__version__ = "1.0.0"

ENV_API_URL = "IAS_API_URL"
ENV_INSTANCE_ID = "IAS_INSTANCE_ID"
ENV_TOKEN = "IAS_TOKEN"

#: HTTP statuses after which the readings stream reconnects (the platform is busy or restarting), besides lost connections.
RETRYABLE_STATUSES = frozenset([408, 429, 500, 502, 503, 504])

#: The HTTP status of a call made with a token that is no longer that of a running instance (see :func:`run`).
ENDED_STATUS = 401


class IasError(Exception):
    """A call the platform refused (``status`` is the HTTP status) or could not be made (``status`` is None).

    ``errors`` is the server's list of ``{"path", "message"}``; ``str(error)`` names the call and every error.
    """

    def __init__(self, message, status=None, errors=None, method=None, url=None):
        super().__init__(message)
        self.status = status
        self.errors = list(errors or [])
        self.method = method
        self.url = url

    @property
    def retryable(self):
        """Whether trying again later may succeed: the platform was unreachable, busy or failing."""
        return self.status is None or self.status in RETRYABLE_STATUSES


class SseEvent(object):
    """One server-sent event: its type (``message`` unless named), its data (lines joined by newlines) and last id."""

    __slots__ = ("event", "data", "id")

    def __init__(self, event, data, id=None):
        self.event = event
        self.data = data
        self.id = id

    def __repr__(self):
        return "SseEvent(event=%r, data=%r, id=%r)" % (self.event, self.data, self.id)


class SseParser(object):
    """The event-stream format (WHATWG HTML, "server-sent events"), fed one line at a time.

    Comments (lines starting with ':') are skipped; ``data`` lines accumulate; a blank line dispatches the event (none if
    it has no data); ``id`` and ``retry`` are remembered in :attr:`last_event_id` and :attr:`retry` (milliseconds).
    An event not finished by a blank line when the stream ends is never dispatched.
    """

    def __init__(self, last_event_id=None):
        self.last_event_id = last_event_id
        self.retry = None
        self._data = []
        self._event = None
        self._first = True

    def feed(self, line):
        """Takes one line (bytes or str, with or without its line ending); answers the event it completes, or None."""
        if isinstance(line, bytes):
            line = line.decode("utf-8", "replace")
        if line.endswith("\r\n"):
            line = line[:-2]
        elif line.endswith("\n") or line.endswith("\r"):
            line = line[:-1]
        if self._first:
            self._first = False
            if line.startswith("\ufeff"):
                line = line[1:]
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None
        field, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if field == "data":
            self._data.append(value)
        elif field == "event":
            self._event = value
        elif field == "id":
            if "\0" not in value:
                self.last_event_id = value
        elif field == "retry":
            if value.isdigit():
                self.retry = int(value)
        return None

    def _dispatch(self):
        data, event = self._data, self._event
        self._data, self._event = [], None
        if not data:
            return None
        return SseEvent(event or "message", "\n".join(data), self.last_event_id)


class Platform(object):
    """A client of the algorithm API for one instance.

    :param api_url: the API base (default ``$IAS_API_URL``)
    :param instance_id: the instance id (default ``$IAS_INSTANCE_ID``, else the first command-line argument)
    :param token: the instance's bearer token (default ``$IAS_TOKEN``)
    :param timeout: seconds to wait for an answer to a call
    :param stream_timeout: seconds of silence after which the readings stream is taken as lost (and reopened); None: wait
    :param initial_backoff: seconds before the first reconnection of a readings stream (doubling up to ``max_backoff``;
                            back to this after an event arrives; a ``retry:`` field of the stream replaces it)
    :param sleep: how to wait between reconnections (``time.sleep``)
    """

    def __init__(self, api_url=None, instance_id=None, token=None, timeout=30.0, stream_timeout=90.0,
                 initial_backoff=0.5, max_backoff=30.0, sleep=time.sleep):
        api_url = api_url or os.environ.get(ENV_API_URL)
        if not api_url:
            raise IasError("%s is not set: expected the platform's API base, e.g. http://127.0.0.1:8181/ias/api/v1 "
                           "(the platform sets it when it starts an algorithm instance)" % ENV_API_URL)
        if instance_id is None:
            instance_id = os.environ.get(ENV_INSTANCE_ID) or (sys.argv[1] if len(sys.argv) > 1 else None)
        self.api_url = api_url.rstrip("/")
        self.instance_id = instance_id
        self.token = token if token is not None else os.environ.get(ENV_TOKEN)
        self.timeout = timeout
        self.stream_timeout = stream_timeout
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        # The platform's API is reached directly, never through an http_proxy of the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    # -- the seed's calls ------------------------------------------------------------------------------------------

    def getSensorData(self, id, index):
        """The data topic of the sensor at ``index`` of instance ``id`` (the seed's ``POST /getSensorTopic``)."""
        return self._topic("/getSensorTopic", {"id": id, "index": index})

    def setSensorData(self, id, index, val=None):
        """The control topic of the sensor at ``index`` of instance ``id`` (the seed's ``POST /setSensorTopic``)."""
        body = {"id": id, "index": index}
        if val is not None:
            body["val"] = val
        return self._topic("/setSensorTopic", body)

    def _topic(self, path, body):
        answer = self._call("POST", path, body)
        if not isinstance(answer, dict) or "data" not in answer:
            raise IasError("POST %s: expected an answer {\"data\": topic}, got %r" % (path, answer), method="POST",
                           url=self.api_url + path)
        return answer["data"]

    # -- the algorithm API -----------------------------------------------------------------------------------------

    def sensor(self, index):
        """The bound sensor at ``index``: ``{"sensor_instance_id", "data_topic", "control_topic", "bootstrap_servers", ...}``."""
        return self._call("GET", self._sensor_path(index))

    def control(self, index, function, params=None):
        """Sends control function ``function`` with ``params`` (a dict) to the sensor at ``index``; answers the reply."""
        if not isinstance(function, str) or not function:
            raise TypeError("function must be a non-empty string, got %r" % (function,))
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise TypeError("params must be a dict of parameter name to value, got %r" % (params,))
        return self._call("POST", self._sensor_path(index) + "/control", {"function": function, "params": params})

    def notify(self, to, message):
        """Notifies end users: ``to`` is a user name or a role (e.g. ``"user"``)."""
        return self._call("POST", self._instance_path() + "/notifications", {"to": to, "message": message})

    def feed(self, data):
        """Publishes ``data`` (a dict; the request body as is) to the application's feed, which its UI reads."""
        if not isinstance(data, dict):
            raise TypeError("feed data must be a dict (a JSON object), got %r" % (data,))
        return self._call("POST", self._instance_path() + "/feed", data)

    @staticmethod
    def log(line):
        """Writes a line to the instance's log (the platform records the instance's standard output)."""
        sys.stdout.write("%s\n" % (line,))
        sys.stdout.flush()

    def readings(self, index):
        """The readings of the sensor at ``index`` from now on, as a generator of reading dicts, without end.

        Reads ``GET .../sensors/{index}/readings/stream`` (server-sent events, one reading per ``data:``). A lost
        connection, an ended stream or a 5xx/429 answer is reported on stderr and the stream reopened after a back-off
        (``Last-Event-ID`` sent when the server gave ids); a refusal (401, 403, 404, ...) raises :class:`IasError`.
        Events whose data is not JSON are reported and skipped.
        """
        path = self._sensor_path(index) + "/readings/stream"
        base = self.initial_backoff
        backoff = base
        last_id = None
        while True:
            headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
            if last_id is not None:
                headers["Last-Event-ID"] = last_id
            try:
                response = self._open("GET", path, None, headers, self.stream_timeout)
            except IasError as e:
                if not e.retryable:
                    raise
                problem = str(e)
            else:
                parser = SseParser(last_id)
                problem = "the stream ended"
                try:
                    with response:
                        while True:
                            raw = response.readline()
                            if not raw:
                                break
                            event = parser.feed(raw)
                            if parser.retry is not None:
                                base = parser.retry / 1000.0
                            if event is None:
                                continue
                            last_id = parser.last_event_id
                            backoff = base
                            try:
                                reading = json.loads(event.data)
                            except ValueError as e:
                                self._warn("readings of sensor %s: skipped an event that is not JSON (%s): %r"
                                           % (index, e, event.data[:200]))
                                continue
                            yield reading
                except (OSError, http.client.HTTPException) as e:
                    problem = "connection lost (%s)" % (_describe(e),)
            self._warn("readings of sensor %s: %s; reconnecting in %.1f s" % (index, problem, backoff))
            self._sleep(backoff)
            backoff = min(max(backoff, base) * 2, self.max_backoff)

    # -- HTTP ------------------------------------------------------------------------------------------------------

    def _instance_path(self):
        if not self.instance_id:
            raise IasError("no instance id: expected %s or the instance id as first argument (the platform gives both)"
                           % ENV_INSTANCE_ID)
        return "/algorithm-instances/" + urllib.parse.quote(str(self.instance_id), safe="")

    def _sensor_path(self, index):
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise TypeError("index must be a whole number >= 0 (the sensor's place in sensor_info), got %r" % (index,))
        return "%s/sensors/%d" % (self._instance_path(), index)

    def _call(self, method, path, body=None):
        headers = {"Accept": "application/json"}
        with self._open(method, path, body, headers, self.timeout) as response:
            payload = response.read()
        if not payload.strip():
            return None
        try:
            return json.loads(payload.decode("utf-8"))
        except ValueError:
            return payload.decode("utf-8", "replace")

    def _open(self, method, path, body, headers, timeout):
        url = self.api_url + path
        data = None
        headers = dict(headers)
        headers["User-Agent"] = "ias-platform-lib/" + __version__
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            return self._opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as e:
            raise _refusal(method, path, url, e) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
            reason = e.reason if isinstance(e, urllib.error.URLError) else e
            raise IasError("%s %s: cannot reach the platform at %s: %s" % (method, path, self.api_url, _describe(reason)),
                           method=method, url=url) from None

    @staticmethod
    def _warn(message):
        sys.stderr.write("platform_lib: %s\n" % (message,))
        sys.stderr.flush()


def _describe(e):
    text = str(e)
    return "%s: %s" % (type(e).__name__, text) if text else type(e).__name__


def _refusal(method, path, url, e):
    """An IasError from an HTTP error answer, with the server's {"errors": [{"path", "message"}]} when it sent them."""
    try:
        payload = e.read()
    except Exception:  # the body is a courtesy; the status says enough
        payload = b""
    finally:
        e.close()
    errors = []
    detail = ""
    try:
        document = json.loads(payload.decode("utf-8")) if payload.strip() else None
    except ValueError:
        document = None
    if isinstance(document, dict) and isinstance(document.get("errors"), list):
        for item in document["errors"]:
            if isinstance(item, dict):
                errors.append({"path": str(item.get("path", "")), "message": str(item.get("message", ""))})
        detail = "; ".join("%s: %s" % (err["path"] or "(document)", err["message"]) for err in errors)
    elif payload.strip():
        detail = payload.decode("utf-8", "replace").strip()[:500]
    message = "%s %s: HTTP %d %s" % (method, path, e.code, e.reason or "")
    message = message.rstrip() + (" - " + detail if detail else "")
    return IasError(message, status=e.code, errors=errors, method=method, url=url)


# -- module-level functions: one client from the environment ---------------------------------------------------------

_client = None


def client():
    """The client the module-level functions use, built from the environment on first use."""
    global _client
    if _client is None:
        _client = Platform()
    return _client


def instance_id():
    """This instance's id."""
    return client().instance_id


def getSensorData(id, index):
    """The seed's call: the data topic of the sensor at ``index`` of instance ``id``."""
    return client().getSensorData(id, index)


def setSensorData(id, index, val=None):
    """The seed's call: the control topic of the sensor at ``index`` of instance ``id``."""
    return client().setSensorData(id, index, val)


def sensor(index):
    """The bound sensor at ``index`` (a dict)."""
    return client().sensor(index)


def readings(index):
    """The readings of the sensor at ``index``, as an endless generator of reading dicts (reconnecting)."""
    return client().readings(index)


def control(index, function, params=None):
    """Sends a control command to the sensor at ``index``."""
    return client().control(index, function, params)


def notify(to, message):
    """Notifies a user or a role."""
    return client().notify(to, message)


def feed(data):
    """Publishes a dict to the application's feed."""
    return client().feed(data)


def log(line):
    """Writes a line to the instance's log."""
    Platform.log(line)


def run(main, name):
    """Runs ``main()`` (an algorithm's body, no arguments) and answers the process's exit status, for ``sys.exit``.

    0 when ``main`` returns, or when a call raises :class:`IasError` 401: the token is no longer that of a running
    instance (the platform stopped or replaced this one), logged as ``<name>: the platform ended this instance (...)``.
    1 when a call raises another :class:`IasError` (the platform refused it or could not be reached), logged as
    ``<name>: stopped: ...``. Any other exception is raised (Python exits with 1 and the traceback).
    """
    try:
        main()
    except IasError as e:
        if e.status == ENDED_STATUS:
            log("%s: the platform ended this instance (%s)" % (name, e))
            return 0
        log("%s: stopped: %s" % (name, e))
        return 1
    return 0
