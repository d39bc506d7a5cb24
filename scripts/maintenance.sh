#!/usr/bin/env bash
# The operator's maintenance tool (see --help and docs/operations.md for the exit codes).
#   scripts/maintenance.sh --password-file data/initial-admin-password start --phase draining --kill-after 15m
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/modules/cli/target/maintenance-cli.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root/modules/cli" -newer "$jar" -type f -not -path '*/target/*' -print -quit)" ]; then
  (cd "$root" && mvn -B -q -ntp -DskipTests package -pl modules/cli -am >&2)
fi
# the server's own settings (config/orchestrator.yaml, ORCH_HTTP_PORT, ORCH_BRIDGE_PORT ...) name the server
export ORCH_CONFIG="${ORCH_CONFIG:-$root/config/orchestrator.yaml}"
exec java ${JAVA_OPTS:-} -jar "$jar" "$@"
