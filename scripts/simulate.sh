#!/usr/bin/env bash
# Runs simulated robots against a server (see --help). First run against a fresh server:
#   scripts/simulate.sh --host-password-file data/initial-admin-password --robots 20 --jobs 40
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
jar=modules/simulator/target/robot-simulator.jar
if [ ! -f "$jar" ] || [ -n "$(find modules/simulator -newer "$jar" -type f -not -path '*/target/*' -print -quit)" ]; then
  ./mvnw -B -q -ntp -DskipTests package -pl modules/simulator -am >&2
fi
# the server's own settings (config/orchestrator.yaml, ORCH_HTTP_PORT, ORCH_BRIDGE_PORT ...) name the server
export ORCH_CONFIG="${ORCH_CONFIG:-$root/config/orchestrator.yaml}"
exec java ${JAVA_OPTS:-} -jar "$jar" "$@"
