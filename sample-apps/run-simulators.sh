#!/usr/bin/env bash
# Runs the simulated Bus_management devices (JSON-lines TCP servers on 127.0.0.1), building the jar first if needed.
#   sample-apps/run-simulators.sh [--instances sensorInstance.json] [--period-ms 1000] [--flood]
# Without --instances: the five devices of the sample's sensorInstance.json (ports 8766-8770).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
jar="$here/device-simulator/target/ias-device-simulator.jar"
if [[ ! -f "$jar" ]]; then
  echo "building $jar ..." >&2
  mvn -q -f "$repo/pom.xml" -pl sample-apps/device-simulator -am install -DskipTests >&2
fi
exec java -jar "$jar" "$@"
