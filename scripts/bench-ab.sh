#!/usr/bin/env bash
# One benchmark of scripts/bench.sh run against an earlier commit and this tree, taking turns, so
# that both sides meet the same machine in the same minutes (a lever's before and after, when the
# benchmark has no switch for it). The earlier commit is built in a temporary worktree.
#   scripts/bench-ab.sh <commit> <benchmark> [rounds, default 2]
#   BENCH_JAVA_OPTS="-Dcapacity.steps=3000" scripts/bench-ab.sh cf19e74~1 capacity
# BENCH_AB_BEFORE_EACH, when set, is a shell command run before each side (e.g. a VACUUM of the
# catalogs on a server without autovacuum, so that both sides meet the same server; docs/benchmarks.md).
# BENCH_AB_KEEP, when set, is an extended regular expression: the lines of the benchmark's standard
# error that match it are shown too (e.g. 'CPU busy' for the capacity ladder's reading of each phase).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
  echo "usage: scripts/bench-ab.sh <commit> <benchmark> [rounds]" >&2
  exit 2
fi
base=$1
which=$2
rounds=${3:-2}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/before" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add -q --detach "$work/before" "$base"
build() {
  (cd "$1" && ./mvnw -B -q -ntp -DskipTests -pl modules/bench -am package dependency:build-classpath \
    -Dmdep.outputFile="$2" >&2)
}
build "$work/before" "$work/before.cp"
build . "$work/this.cp"
for round in $(seq 1 "$rounds"); do
  for side in before this; do
    dir=.
    [ "$side" = before ] && dir="$work/before"
    if [ -n "${BENCH_AB_BEFORE_EACH:-}" ]; then
      bash -c "$BENCH_AB_BEFORE_EACH" >&2
    fi
    echo "round $round, $side ($(date +%T)):"
    (cd "$dir" && java -Xmx2g ${BENCH_JAVA_OPTS:-} -cp "modules/bench/target/classes:$(cat "$work/$side.cp")" \
      org.orchestrator.bench.Benchmarks "$which" 2> >(grep -E "${BENCH_AB_KEEP:-x^}" >&2 || true) \
      | grep -E '^\| [0-9]' || true)
  done
done
