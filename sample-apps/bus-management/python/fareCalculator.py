#!/usr/bin/env python3
"""Bus_management / fareCalculator: charges each passenger for the distance the bus travelled while they were aboard.

Sensors (deployConfig.json's sensor_info): 0 = the bus's gps-sensor ``{placeholder, x, y}``, 1 = the bus's
biometric-sensor ``{person_id, event}``, 2 = the admin's gps-sensor (bound as in the seed, not used).

The rule:
    fare = BASE_FARE + PER_KM * distance_km, rounded to 2 decimals (half up)
where distance_km is the length of the path the bus drove between the passenger's check-in (event ``board``, also
``check-in``/``checkin``/``in``/``enter``) and check-out (``alight``, also ``check-out``/``checkout``/``out``/``exit``): the
bus's odometer (the sum of the distances between consecutive gps positions) at check-out minus at check-in.
A second check-in while aboard is ignored (the first one counts); a check-out without a check-in seen is logged and not
charged. Positions are planar metres (the simulator's x, y on a local grid) unless COORDINATES is "degrees", where x is the
longitude and y the latitude and distances are great-circle (haversine).

Each fare goes to the application's feed and, as a notification, to the role NOTIFY_TO.

Run by the platform as ``python3 fareCalculator.py <instance id>`` with IAS_API_URL, IAS_INSTANCE_ID, IAS_TOKEN set.
"""

import decimal
import math
import sys
import threading
import time

import platform_lib as ias

BASE_FARE = 10.0
PER_KM = 5.0
COORDINATES = "metres"  # or "degrees"
NOTIFY_TO = "user"
EARTH_RADIUS_KM = 6371.0088

GPS = 0
BIOMETRIC = 1

CHECK_IN = frozenset(["board", "boarding", "check-in", "checkin", "in", "enter", "entry"])
CHECK_OUT = frozenset(["alight", "alighting", "check-out", "checkout", "out", "exit", "leave"])


def planar_km(a, b):
    """Distance in km between two (x, y) positions in metres."""
    return math.hypot(b[0] - a[0], b[1] - a[1]) / 1000.0


def haversine_km(a, b):
    """Great-circle distance in km between two (longitude, latitude) positions in degrees."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def round_half_up(value, places=2):
    """Rounds half up in decimal, as written (10.005 -> 10.01), like Java's BigDecimal.valueOf(v).setScale(2, HALF_UP)."""
    return float(decimal.Decimal(repr(value)).quantize(decimal.Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP))


def fare_for(distance_km, base=BASE_FARE, per_km=PER_KM):
    """The fare for a ride of distance_km."""
    return round_half_up(base + per_km * max(0.0, distance_km))


def event_kind(event):
    """'in', 'out' or None for a biometric event name."""
    name = str(event or "").strip().lower().replace("_", "-").replace(" ", "-")
    if name in CHECK_IN:
        return "in"
    if name in CHECK_OUT:
        return "out"
    return None


def bus_id_of(sensor):
    """The bus a bound sensor belongs to: its bus-id tag when the platform tells it, else the sensor instance id."""
    tags = sensor.get("tags") if isinstance(sensor.get("tags"), dict) else sensor
    return str(tags.get("bus-id") or sensor.get("sensor_instance_id") or "?")


class FareMeter(object):
    """The bus's odometer and who is aboard since which odometer reading. Thread-safe."""

    def __init__(self, base=BASE_FARE, per_km=PER_KM, distance=None):
        self.base = base
        self.per_km = per_km
        self.distance = distance or (haversine_km if COORDINATES == "degrees" else planar_km)
        self.odometer_km = 0.0
        self.position = None
        self.aboard = {}
        self._lock = threading.Lock()

    def on_position(self, x, y):
        with self._lock:
            if self.position is not None:
                self.odometer_km += self.distance(self.position, (x, y))
            self.position = (x, y)

    def on_event(self, person_id, event, timestamp):
        """Handles a biometric event; answers the fare (a dict) on a check-out, else None.

        Raises ValueError for a check-out whose check-in was not seen.
        """
        kind = event_kind(event)
        with self._lock:
            if kind == "in":
                self.aboard.setdefault(person_id, (self.odometer_km, timestamp))
                return None
            if kind != "out":
                return None
            boarded = self.aboard.pop(person_id, None)
            if boarded is None:
                raise ValueError("%s checked out without a check-in seen: not charged" % (person_id,))
            distance_km = max(0.0, self.odometer_km - boarded[0])
        return {"person_id": person_id, "distance_km": round(distance_km, 3),
                "fare": fare_for(distance_km, self.base, self.per_km), "boarded_at": boarded[1], "alighted_at": timestamp}


class FareCalculator(object):
    """The algorithm, over a platform client (platform_lib's module or a Platform)."""

    def __init__(self, platform, meter=None):
        self.platform = platform
        self.meter = meter or FareMeter()
        self.bus_id = None

    def on_gps(self, reading):
        data = reading.get("data") or {}
        x, y = data.get("x"), data.get("y")
        if isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool) and not isinstance(y, bool):
            self.meter.on_position(float(x), float(y))

    def on_biometric(self, reading):
        """Handles one biometric reading; answers the fare message it published, or None."""
        data = reading.get("data") or {}
        person = data.get("person_id")
        if not person:
            return None
        timestamp = reading.get("timestamp") or int(time.time() * 1000)
        try:
            fare = self.meter.on_event(str(person), data.get("event"), timestamp)
        except ValueError as e:
            self.platform.log("fareCalculator: %s" % (e,))
            return None
        if fare is None:
            return None
        text = "Fare of %s is %.2f for %.3f km" % (fare["person_id"], fare["fare"], fare["distance_km"])
        message = {"Fare": text, "bus_id": self.bus_id}
        message.update(fare)
        try:
            self.platform.feed(message)
        except ias.IasError as e:
            self.platform.log("fareCalculator: the feed refused %r: %s" % (message, e))
        try:
            self.platform.notify(NOTIFY_TO, "Bus %s: %s" % (self.bus_id, text))
        except ias.IasError as e:
            self.platform.log("fareCalculator: the notification was refused: %s" % (e,))
        self.platform.log("fareCalculator: " + text)
        return message

    def follow_gps(self):
        try:
            for reading in self.platform.readings(GPS):
                self.on_gps(reading)
        except ias.IasError as e:
            self.platform.log("fareCalculator: no more gps readings: %s" % (e,))

    def run(self):
        gps = self.platform.sensor(GPS)
        self.bus_id = bus_id_of(gps)
        self.platform.sensor(BIOMETRIC)
        threading.Thread(target=self.follow_gps, name="gps", daemon=True).start()
        self.platform.log("fareCalculator: bus %s, fare = %.2f + %.2f per km (%s)"
                          % (self.bus_id, self.meter.base, self.meter.per_km, COORDINATES))
        for reading in self.platform.readings(BIOMETRIC):  # until the platform ends this instance (see main)
            self.on_biometric(reading)


def main():
    """0 once the platform ended this instance, 1 when it refused a call (see platform_lib.run)."""
    return ias.run(lambda: FareCalculator(ias).run(), "fareCalculator")


if __name__ == "__main__":
    sys.exit(main())
