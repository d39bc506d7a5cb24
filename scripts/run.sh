#!/usr/bin/env bash
# Runs one orchestrator node from this checkout. Builds the jar first when it is missing or older
# than the sources. With no ORCH_PG_URL it starts an embedded PostgreSQL under ./data (also as root).
# Environment overrides: see config/orchestrator.yaml and docs/operations.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# Java 17 or newer: say so plainly rather than fail with a class-version error
java_major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ -z "$java_major" ] || [ "${java_major%%.*}" -lt 17 ] 2>/dev/null; then
  echo "run.sh: the orchestrator needs Java 17 or newer; 'java' here is ${java_major:-missing} (set JAVA_HOME or PATH)" >&2
  exit 1
fi
jar=modules/app/target/orchestrator.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml modules -newer "$jar" -type f -not -path '*/target/*' -print -quit)" ]; then
  echo "building $jar ..." >&2
  mvn -B -q -ntp -DskipTests package >&2
fi
exec java ${JAVA_OPTS:-} -jar "$jar" "$@"
