#!/usr/bin/env bash
# Runs one orchestrator node from this checkout. Builds the jar first when it is missing or older
# than the sources. With no ORCH_PG_URL it starts an embedded PostgreSQL under ./data (also as root).
# Environment overrides: see config/orchestrator.yaml and docs/operations.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/require-java.sh
jar=modules/app/target/orchestrator.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml modules -newer "$jar" -type f -not -path '*/target/*' -print -quit)" ]; then
  echo "building $jar ..." >&2
  ./mvnw -B -q -ntp -DskipTests package >&2
fi
exec "$java_cmd" ${JAVA_OPTS:-} -jar "$jar" "$@"
