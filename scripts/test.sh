#!/usr/bin/env bash
# Runs the whole test suite: every module's tests against a real PostgreSQL (the machine's on
# 127.0.0.1:5432 when it answers, else an embedded one; ORCH_TEST_PG_URL or ORCH_TEST_EMBEDDED=true
# choose explicitly). .ci/run calls exactly this.
#
# Tools the tests use from Debian's packages are installed when missing and the user may (root with
# apt-get): promtool (package prometheus), pg_dump and pg_restore (package postgresql-client) and
# Chromium (package chromium). Where they cannot be
# installed, the tests that need them are skipped with a message saying so.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/require-java.sh
scripts/install-test-tools.sh || echo "test tools: not all installed; the tests that need them will say so" >&2
./mvnw -B -ntp verify "$@"

# The alert rules: each fires on its series history and stays quiet on the others (promtool).
scripts/test-alerts.sh

# The scripted maintenance window of the README, against a fresh server on free ports.
free_port() { scripts/free-port.py; }  # below the ephemeral range: no outgoing connection takes it first
example_dir=$(mktemp -d)
ORCH_DATA_DIR="$example_dir" ORCH_HTTP_PORT=$(free_port) ORCH_BRIDGE_PORT=$(free_port) \
  scripts/upgrade-example.sh > "$example_dir.log" 2>&1 \
  || { cat "$example_dir.log"; echo "upgrade-example.sh: FAILED"; exit 1; }
echo "upgrade-example.sh: passed (drain, wait, suspend, restart in Suspended, end)"
rm -rf "$example_dir" "$example_dir.log"

# An upgrade between two real versions: the previous release (releases.tsv), built from this
# repository's history, upgraded to this tree in a window, then both side by side on one database.
scripts/upgrade-test.sh || { echo "upgrade-test.sh: FAILED"; exit 1; }

# The console and the maintenance page in a real browser (Chromium from Debian, playwright-core).
browser_passed=0
if command -v chromium >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
  browser_log=$(mktemp)
  scripts/browser-test.sh | tee "$browser_log"
  browser_passed=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$browser_log" | awk '{s+=$1} END {print s+0}')
  rm -f "$browser_log"
elif [ "${CI:-}" = true ]; then
  echo "browser tests: FAILED (chromium or node missing, and CI=true requires them: scripts/install-test-tools.sh installs chromium as root)"
  exit 1
else
  echo "browser tests: SKIPPED (chromium or node missing; scripts/install-test-tools.sh installs chromium as root)"
fi

# One closing line for the whole suite (every step above stops the script when it fails): the
# JUnit tests of every module plus the browser tests. A surefire report's "tests" counts the
# skipped, failed and errored ones too: passed is what is left.
read -r junit_tests junit_failed junit_skipped < <(awk -F'"' '/<testsuite / {
    for (i = 1; i < NF; i++) {
      if ($i ~ / tests=$/) t += $(i + 1)
      if ($i ~ / failures=$/ || $i ~ / errors=$/) f += $(i + 1)
      if ($i ~ / skipped=$/) s += $(i + 1)
    }
  } END {print t + 0, f + 0, s + 0}' modules/*/target/surefire-reports/TEST-*.xml)
passed=$((junit_tests - junit_failed - junit_skipped + browser_passed))
echo "suite: ${passed} passed, ${junit_failed} failed$([ "$junit_skipped" -gt 0 ] && echo ", ${junit_skipped} skipped")"

