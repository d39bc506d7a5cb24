#!/usr/bin/env bash
# The seed's maintenance window, scripted end to end with the maintenance tool only:
#   drain -> wait until drained -> suspend -> stop the server -> (upgrade) -> start it -> end.
# It starts the server itself (scripts/run.sh, embedded PostgreSQL unless ORCH_PG_URL is set) and
# 5 simulated robots with long jobs, so there is something to drain. Any failing step stops the
# script with that step's exit code (see scripts/maintenance.sh --help).
#   ORCH_DATA_DIR (default data), ORCH_HTTP_PORT (8080), ORCH_BRIDGE_PORT (7001) choose where.
set -euo pipefail
cd "$(dirname "$0")/.."
export ORCH_DATA_DIR=${ORCH_DATA_DIR:-data} ORCH_HTTP_PORT=${ORCH_HTTP_PORT:-8080} ORCH_BRIDGE_PORT=${ORCH_BRIDGE_PORT:-7001}
url=http://localhost:$ORCH_HTTP_PORT
log=$(mktemp)
server=
robots=
cleanup() { kill ${robots:+"$robots"} ${server:+"$server"} 2>/dev/null || true; }
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
start_server() {
  scripts/run.sh >>"$log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do
    curl -sf "$url/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$server" 2>/dev/null || { cat "$log" >&2; echo "the server did not start" >&2; exit 1; }
    sleep 1
  done
  echo "the server was not ready in time" >&2; exit 1
}
if [ -n "${ORCH_HOST_ADMIN_PASSWORD:-}" ]; then
  export ORCH_PASSWORD=$ORCH_HOST_ADMIN_PASSWORD
  auth=()
else
  auth=(--password-file "$ORCH_DATA_DIR/initial-admin-password")
fi
maintenance() { scripts/maintenance.sh --url "$url" --bridge "localhost:$ORCH_BRIDGE_PORT" "${auth[@]}" "$@"; }

step "start the orchestrator and 5 robots running long jobs"
start_server
password=${ORCH_HOST_ADMIN_PASSWORD:-$(cat "$ORCH_DATA_DIR/initial-admin-password")}
ORCH_PASSWORD="$password" scripts/simulate.sh --url "$url" --tenant "upgrade-$(date +%s)" \
  --state-dir "$ORCH_DATA_DIR/simulator" --robots 5 --jobs 5 --job-seconds 600 --stop-grace-seconds 2 \
  --heartbeat-ms 500 >>"$log" 2>&1 &
robots=$!
sleep 8
maintenance status

step "1. Draining: no new jobs, Stop sent to every running job, schedules paused"
maintenance start --phase draining --kill-after 10m --reason "upgrade example"

step "2. wait until every job has stopped"
maintenance wait --until drained --timeout 5m

step "3. Suspended: robots are cut off too"
maintenance suspend

step "4. stop the server, upgrade, start it again (the phase survives)"
kill "$server"; wait "$server" 2>/dev/null || true
echo "(upgrading...)"
start_server
maintenance status | tee /dev/stderr | grep -q "state: Suspended"

step "5. End: back to None, every tenant's log closed"
maintenance end
maintenance status
echo
echo "upgrade example: done"
