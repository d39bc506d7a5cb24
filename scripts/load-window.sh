#!/usr/bin/env bash
# The long reliability run of docs/reliability.md: N simulated robots (default 1000) through a
# whole maintenance window; checks sent = stored and no unexpected reply. Exit 0 on pass.
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file=$(mktemp)
# package, not install: the classpath comes from this checkout's reactor, never from ~/.m2 snapshots
./mvnw -B -q -ntp -DskipTests -pl modules/bench -am package dependency:build-classpath -Dmdep.outputFile="$cp_file" >&2
exec java -Xmx3g -cp "modules/bench/target/classes:$(cat "$cp_file")" org.orchestrator.bench.LoadWindow "$@" \
  2> >(grep -E "^load:|Exception|ERROR" >&2)
