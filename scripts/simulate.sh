#!/usr/bin/env bash
# Runs simulated robots against a server (see --help). First run against a fresh server:
#   scripts/simulate.sh --host-password "$(cat data/initial-admin-password)" --robots 20 --jobs 40
set -euo pipefail
cd "$(dirname "$0")/.."
jar=modules/simulator/target/robot-simulator.jar
if [ ! -f "$jar" ] || [ -n "$(find modules/simulator -newer "$jar" -type f -not -path '*/target/*' -print -quit)" ]; then
  mvn -B -q -ntp -DskipTests install -pl modules/simulator -am >&2
fi
exec java ${JAVA_OPTS:-} -jar "$jar" "$@"
