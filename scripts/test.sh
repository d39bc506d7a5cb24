#!/usr/bin/env bash
# Runs the whole test suite: every module's tests against a real PostgreSQL (the machine's on
# 127.0.0.1:5432 when it answers, else an embedded one; ORCH_TEST_PG_URL or ORCH_TEST_EMBEDDED=true
# choose explicitly). .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp verify "$@"
