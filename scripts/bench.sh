#!/usr/bin/env bash
# Runs the benchmarks of docs/benchmarks.md (all, or some of: gate gate-heartbeat body-guard fence token-cache token-check drain
# ingest log-parse propagation schedules push capacity return channels queue-commit heartbeat log-group exemption-plans quiet-plans routing vertx-metrics durability retention) and
# prints a markdown table: each figure next to its baseline from the same run, as a ratio.
# Uses the PostgreSQL the tests use (127.0.0.1:5432 when it answers, else an embedded one).
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file=$(mktemp)
# package, not install: the classpath comes from this checkout's reactor, never from ~/.m2 snapshots
./mvnw -B -q -ntp -DskipTests -pl modules/bench -am package dependency:build-classpath -Dmdep.outputFile="$cp_file" >&2
exec java -Xmx2g ${BENCH_JAVA_OPTS:-} -cp "modules/bench/target/classes:$(cat "$cp_file")" org.orchestrator.bench.Benchmarks "$@" \
  2> >(grep -vE "INFO|Gauge" >&2)
