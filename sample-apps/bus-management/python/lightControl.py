#!/usr/bin/env python3
"""Bus_management / lightControl: switches a bus's lights on when its light sensor reads less than 40 lux.

Sensors (deployConfig.json's sensor_info): 0 = the bus's light-sensor, 1 = the bus's gps-sensor (optional; its latest
position goes into the dashboard message).

For each reading of sensor 0 below LUX_THRESHOLD it sends the light-sensor's control function
``switchOnLight {"level": N}`` (sensorTypeRegistration.json; N = 1 per 10 lux of darkness below the threshold, 1..10) and
publishes the seed's dashboard message ``{"Light": "Switch on light as lux is <lux>"}`` with the bus id and lux to the
application's feed. It does not repeat the command for RESEND_AFTER_MS of reading time (readings already on their way
still show the dark), and re-arms as soon as a reading is bright again.

Run by the platform as ``python3 lightControl.py <instance id>`` with IAS_API_URL, IAS_INSTANCE_ID, IAS_TOKEN set.
"""

import math
import sys
import threading
import time

import platform_lib as ias

LUX_THRESHOLD = 40
CONTROL_FUNCTION = "switchOnLight"
RESEND_AFTER_MS = 10000
MAX_LEVEL = 10

LIGHT = 0
GPS = 1


def level_for(lux, threshold=LUX_THRESHOLD):
    """The switchOnLight level for a lux below the threshold: 1 per started 10 lux of darkness, from 1 to 10."""
    return max(1, min(MAX_LEVEL, int(math.ceil((threshold - lux) / 10.0))))


def dashboard_message(lux):
    """The seed's dashboard message."""
    return {"Light": "Switch on light as lux is {}".format(lux)}


class LightRule(object):
    """Decides, reading by reading, when to switch the light on: below the threshold, at most once per resend window."""

    def __init__(self, threshold=LUX_THRESHOLD, resend_after_ms=RESEND_AFTER_MS):
        self.threshold = threshold
        self.resend_after_ms = resend_after_ms
        self.last_sent = None

    def decide(self, lux, timestamp):
        """The level to switch on with, or None to do nothing."""
        if lux >= self.threshold:
            self.last_sent = None
            return None
        if self.last_sent is not None and 0 <= timestamp - self.last_sent < self.resend_after_ms:
            return None
        self.last_sent = timestamp
        return level_for(lux, self.threshold)


def lux_of(reading):
    """The reading's lux as an int, or None when it has none."""
    value = (reading.get("data") or {}).get("lux") if isinstance(reading, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(round(value))


def bus_id_of(sensor):
    """The bus a bound sensor belongs to: its bus-id tag when the platform tells it, else the sensor instance id."""
    tags = sensor.get("tags") if isinstance(sensor.get("tags"), dict) else sensor
    return str(tags.get("bus-id") or sensor.get("sensor_instance_id") or "?")


class LightControl(object):
    """The algorithm, over a platform client (platform_lib's module or a Platform)."""

    def __init__(self, platform, rule=None):
        self.platform = platform
        self.rule = rule or LightRule()
        self.bus_id = None
        self.sensor_instance_id = None
        self._position = None
        self._lock = threading.Lock()

    def on_gps(self, reading):
        data = reading.get("data") or {}
        if isinstance(data.get("x"), (int, float)) and isinstance(data.get("y"), (int, float)):
            with self._lock:
                self._position = {"x": data["x"], "y": data["y"]}

    def on_light(self, reading):
        """Handles one light reading; answers the feed message it published, or None."""
        lux = lux_of(reading)
        if lux is None:
            self.platform.log("lightControl: skipped a reading without a numeric lux: %r" % (reading,))
            return None
        timestamp = reading.get("timestamp") or int(time.time() * 1000)
        level = self.rule.decide(lux, timestamp)
        if level is None:
            return None
        try:
            self.platform.control(LIGHT, CONTROL_FUNCTION, {"level": level})
        except ias.IasError as e:
            self.platform.log("lightControl: %s level=%d was refused: %s" % (CONTROL_FUNCTION, level, e))
            return None
        message = dashboard_message(lux)
        message.update({"bus_id": self.bus_id, "lux": lux, "level": level, "timestamp": timestamp,
                        "sensor_instance_id": reading.get("sensor_instance_id") or self.sensor_instance_id})
        with self._lock:
            if self._position is not None:
                message["position"] = dict(self._position)
        try:
            self.platform.feed(message)
        except ias.IasError as e:
            self.platform.log("lightControl: the feed refused %r: %s" % (message, e))
        self.platform.log("lightControl: bus %s: lux %d < %d, sent %s level=%d"
                          % (self.bus_id, lux, self.rule.threshold, CONTROL_FUNCTION, level))
        return message

    def follow_gps(self):
        try:
            for reading in self.platform.readings(GPS):
                self.on_gps(reading)
        except ias.IasError as e:
            self.platform.log("lightControl: no more gps readings: %s" % (e,))

    def run(self):
        light = self.platform.sensor(LIGHT)
        self.sensor_instance_id = light.get("sensor_instance_id")
        self.bus_id = bus_id_of(light)
        try:
            self.platform.sensor(GPS)
        except ias.IasError as e:
            self.platform.log("lightControl: no gps sensor bound (%s); messages go without position" % (e,))
        else:
            threading.Thread(target=self.follow_gps, name="gps", daemon=True).start()
        self.platform.log("lightControl: watching light sensor %s of bus %s (threshold %d lux)"
                          % (self.sensor_instance_id, self.bus_id, self.rule.threshold))
        for reading in self.platform.readings(LIGHT):  # until the platform ends this instance (see main)
            self.on_light(reading)


def main():
    """0 once the platform ended this instance, 1 when it refused a call (see platform_lib.run)."""
    return ias.run(lambda: LightControl(ias).run(), "lightControl")


if __name__ == "__main__":
    sys.exit(main())
