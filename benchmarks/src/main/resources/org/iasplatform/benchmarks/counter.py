"""The benchmarks' script algorithm: counts the readings of sensor 0 (server-sent events through platform_lib);
feeds {"first": true} on the first reading and {"count": N} every 0.5 s while readings come."""
import time

import platform_lib as ias

count = 0
last = time.monotonic()
for reading in ias.readings(0):
    count += 1
    if count == 1:
        ias.feed({"first": True, "reading_timestamp": reading.get("timestamp")})
    now = time.monotonic()
    if now - last >= 0.5:
        ias.feed({"count": count, "at": int(time.time() * 1000)})
        last = now
