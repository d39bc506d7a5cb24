#!/usr/bin/env bash
# The browser tests (tests/browser): the console and the maintenance panel in Debian's Chromium,
# driven by playwright-core (no browser download). Starts its own server on free ports with a
# fresh data directory. Screenshots: tests/browser/target/screenshots/.
# DOCS_SCREENSHOT=docs/console-maintenance-panel.png refreshes the screenshots in docs/ (that one and
# docs/swagger-authorize-dialog.png). Test files run one at a time: they share one server and its phase.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
command -v chromium >/dev/null || { echo "browser tests: chromium is not installed (scripts/install-test-tools.sh)"; exit 2; }
(cd tests/browser && npm ci --no-audit --no-fund >/dev/null 2>&1 || npm install --no-audit --no-fund >/dev/null)
free_port() { "$(dirname "$0")/free-port.py"; }  # below the ephemeral range: no outgoing connection takes it first
data=$(mktemp -d)
export ORCH_DATA_DIR=$data ORCH_HTTP_PORT=$(free_port) ORCH_BRIDGE_PORT=-1 ORCH_HOST_ADMIN_PASSWORD=browser-admin-password
scripts/run.sh > "$data.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data" "$data.log"' EXIT
for _ in $(seq 1 120); do curl -sf "http://localhost:$ORCH_HTTP_PORT/health/ready" >/dev/null 2>&1 && break; sleep 1; done
cd tests/browser
ORCH_URL="http://localhost:$ORCH_HTTP_PORT" DOCS_SCREENSHOT=${DOCS_SCREENSHOT:+$root/$DOCS_SCREENSHOT} \
  DOCS_DIR=${DOCS_SCREENSHOT:+$root/docs} ORCH_SERVER_LOG="$data.log" node --test --test-concurrency=1 --test-reporter=spec
