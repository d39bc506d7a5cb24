#!/usr/bin/env bash
# The operator's maintenance tool (see --help and docs/operations.md for the exit codes).
#   scripts/maintenance.sh --password-file data/initial-admin-password start --phase draining --kill-after 15m
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/modules/cli/target/maintenance-cli.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root/modules/cli" -newer "$jar" -type f -not -path '*/target/*' -print -quit)" ]; then
  (cd "$root" && ./mvnw -B -q -ntp -DskipTests package -pl modules/cli -am >&2)
fi
# the server's own settings (config/orchestrator.yaml, ORCH_HTTP_PORT, ORCH_BRIDGE_PORT ...) name the server
export ORCH_CONFIG="${ORCH_CONFIG:-$root/config/orchestrator.yaml}"
# Class data sharing: the classes a call loads (Vert.x, Netty, the web client), archived once per
# build of the jar by a call that cannot reach anyone (127.0.0.1:1), then mapped at each start:
# about a third of the tool's start-up (docs/benchmarks.md, "CLI start-up"). Without a writable
# target/ or with a JVM that refuses the archive, the tool starts as before.
jsa="${jar%.jar}.jsa"
cds=()
if [ ! -f "$jsa" ] || [ "$jar" -nt "$jsa" ]; then
  # written aside and renamed: a call starting meanwhile never maps a half-written archive
  java -XX:ArchiveClassesAtExit="$jsa.$$" -Xlog:cds=off -Xlog:cds+dynamic=off -jar "$jar" \
    --url http://127.0.0.1:1 --bridge 127.0.0.1:1 --token archive status >/dev/null 2>&1 || true
  if [ -f "$jsa.$$" ]; then mv -f "$jsa.$$" "$jsa"; else rm -f "$jsa"; fi
fi
[ -f "$jsa" ] && cds=(-XX:SharedArchiveFile="$jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)
exec java "${cds[@]}" ${JAVA_OPTS:-} -jar "$jar" "$@"
