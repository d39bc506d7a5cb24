#!/usr/bin/env bash
# How long one CLI call takes as an operator makes it (`status`, signing in with the password
# file), with and without the class-data-sharing archive scripts/maintenance.sh maps, alternating
# in the same minutes against one fresh server on free ports: medians and their ratio.
#   scripts/bench-cli-start.sh [calls per side, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
calls=${1:-10}
data=$(mktemp -d)
export ORCH_DATA_DIR=$data ORCH_HTTP_PORT=$(scripts/free-port.py) ORCH_BRIDGE_PORT=$(scripts/free-port.py)
scripts/run.sh > "$data.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data" "$data.log"' EXIT
for _ in $(seq 1 120); do curl -sf "http://localhost:$ORCH_HTTP_PORT/health/ready" >/dev/null 2>&1 && break; sleep 1; done
scripts/maintenance.sh --password-file "$data/initial-admin-password" status >/dev/null 2>&1 # builds the jar and the archive
jar=modules/cli/target/maintenance-cli.jar
jsa=modules/cli/target/maintenance-cli.jsa
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
plain=(); shared=()
for _ in $(seq 1 "$calls"); do
  plain+=("$(ms java -jar "$jar" --password-file "$data/initial-admin-password" status)")
  shared+=("$(ms java -XX:SharedArchiveFile="$jsa" -Xlog:cds=off -Xlog:cds+dynamic=off -jar "$jar" \
    --password-file "$data/initial-admin-password" status)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
p=$(median "${plain[@]}"); s=$(median "${shared[@]}")
echo "| CLI call (status, signing in) | median ms | calls |"
echo "|---|---|---|"
echo "| without the archive | $p | $calls |"
echo "| with the archive (scripts/maintenance.sh) | $s | $calls |"
echo "| ratio | $(awk -v a="$s" -v b="$p" 'BEGIN {printf "%.2f", a / b}') | |"
