#!/usr/bin/env bash
# Watches a drain in a real Prometheus (Debian's package). Against a server already running on
# $URL (default http://localhost:$ORCH_HTTP_PORT, the server's own setting, else 8080; start it
# with scripts/run.sh), this script:
#   1. starts Prometheus on 127.0.0.1:9099 scraping the server every second (config/prometheus rules),
#   2. runs 10 simulated robots with 10 long jobs (scripts/simulate.sh),
#   3. starts Draining, waits for the drain, Suspends, Ends,
#   4. prints the query results the Grafana dashboard would show at each step.
# Needs the host admin password: ORCH_HOST_ADMIN_PASSWORD or <ORCH_DATA_DIR, else data>/initial-admin-password.
set -euo pipefail
cd "$(dirname "$0")/.."
URL=${URL:-http://localhost:${ORCH_HTTP_PORT:-8080}}
PROM=http://127.0.0.1:9099
PASSWORD=${ORCH_HOST_ADMIN_PASSWORD:-$(cat "${ORCH_DATA_DIR:-data}/initial-admin-password")}
scripts/install-test-tools.sh >/dev/null 2>&1 || command -v prometheus >/dev/null || { echo "install prometheus first" >&2; exit 1; }

work=$(mktemp -d)
target=${URL#http://}
sed -e "s#localhost:8080#${target}#" -e "s#scrape_interval: 5s#scrape_interval: 1s#" \
    -e "s#evaluation_interval: 5s#evaluation_interval: 1s#" config/prometheus/prometheus.yml > "$work/prometheus.yml"
cp config/prometheus/alerts.yml "$work/alerts.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address=127.0.0.1:9099 >"$work/prometheus.log" 2>&1 &
prom_pid=$!
sim_pid=
cleanup() { kill "$prom_pid" ${sim_pid:+"$sim_pid"} 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

token() {
  curl -s "$URL/identity/connect/token" -d grant_type=password -d username=admin -d "password=$PASSWORD" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
query() { # prints "<expr> = <values>"
  curl -s --get "$PROM/api/v1/query" --data-urlencode "query=$1" | python3 -c '
import json, sys
expr = sys.argv[1]
result = json.load(sys.stdin)["data"]["result"]
def labels(metric):
    inner = ",".join(k + "=" + v for k, v in metric.items() if k not in ("job", "instance", "__name__"))
    return "{" + inner + "} " if inner else ""
values = ", ".join(labels(r["metric"]) + r["value"][1] for r in result)
print("  " + expr + " = " + (values or "(none)"))' "$1"
}
show() {
  echo "== $1"
  query 'max(orchestrator_maintenance_phase{phase="Draining"}) + 2 * max(orchestrator_maintenance_phase{phase="Suspended"})'
  query 'sum by (tenant) (orchestrator_drain_remaining_jobs)'
  query 'sum by (state) (orchestrator_jobs)'
  query 'max(orchestrator_drain_progress_ratio)'
  query 'max(orchestrator_drain_estimated_seconds)'
  query 'sum(orchestrator_job_stops_sent_total)'
  query 'sum(orchestrator_job_stops_acknowledged_total)'
  query 'sum by (phase, route_class) (orchestrator_gate_refusals_total)'
  query 'sum(orchestrator_robots_connected)'
}

for _ in $(seq 1 30); do curl -sf "$PROM/-/ready" >/dev/null && break; sleep 1; done
ORCH_PASSWORD="$PASSWORD" scripts/simulate.sh --url "$URL" --tenant "demo-$(date +%s)" --state-dir "$work/sim" \
  --robots 10 --jobs 10 \
  --job-seconds 600 --stop-grace-seconds 3 --heartbeat-ms 500 --duration-seconds 120 >"$work/sim.log" 2>&1 &
sim_pid=$!
sleep 12
show "running: 10 jobs"
T=$(token)
curl -s -o /dev/null -X POST -H "Authorization: Bearer $T" "$URL/api/Maintenance/Start?phase=Draining&reason=prometheus-demo"
curl -s -o /dev/null "$URL/api/Jobs"
sleep 2
show "draining"
sleep 8
show "drained"
curl -s -o /dev/null -X POST -H "Authorization: Bearer $T" "$URL/api/Maintenance/Start?phase=Suspended"
sleep 3
show "suspended"
curl -s -o /dev/null -X POST -H "Authorization: Bearer $T" "$URL/api/Maintenance/End"
sleep 3
show "ended"
echo "== alerts"
curl -s "$PROM/api/v1/rules" | python3 -c 'import json,sys; [print("  ", r["name"], r["state"]) for g in json.load(sys.stdin)["data"]["groups"] for r in g["rules"]]'
