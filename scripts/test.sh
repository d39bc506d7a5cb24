#!/usr/bin/env bash
# Runs the whole test suite: every module's tests against a real PostgreSQL (the machine's on
# 127.0.0.1:5432 when it answers, else an embedded one; ORCH_TEST_PG_URL or ORCH_TEST_EMBEDDED=true
# choose explicitly). .ci/run calls exactly this.
#
# Tools the tests use from Debian's packages are installed when missing and the user may (root with
# apt-get): promtool (package prometheus). Where they cannot be installed, the tests that need them
# are skipped with a message saying so.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-tools.sh || echo "test tools: not all installed; the tests that need them will say so" >&2
mvn -B -ntp verify "$@"
