#!/usr/bin/env bash
# Shared by scripts/backup.sh and scripts/restore.sh: runs org.orchestrator.app.DatabaseTool from the
# orchestrator's jar (built when missing or older than the sources, as scripts/run.sh does) in the
# checkout, where scripts/run.sh runs the server, so that config/orchestrator.yaml, ORCH_CONFIG,
# ORCH_DATA_DIR, ORCH_PG_URL and ORCH_PG_SCHEMA mean what they mean to the server. Paths on the
# command line are read from the directory the script was called in.
#   ORCH_CLASSPATH: run from these classes instead of the jar (the tests do)
#   ORCH_PG_BIN:    the directory of pg_dump and pg_restore (default: the newest installed)
set -euo pipefail
caller_dir="$PWD"
cd "$(dirname "$0")/.."
tool_name="${1:-database-tool}.sh" source scripts/require-java.sh
if [ -n "${ORCH_CLASSPATH:-}" ]; then
  classpath=$ORCH_CLASSPATH
else
  classpath=modules/app/target/orchestrator.jar
  if [ ! -f "$classpath" ] || [ -n "$(find pom.xml modules -newer "$classpath" -type f -not -path '*/target/*' -print -quit)" ]; then
    echo "building $classpath ..." >&2
    ./mvnw -B -q -ntp -DskipTests package -pl modules/app -am >&2
  fi
fi
exec "$java_cmd" ${JAVA_OPTS:-} -Dorchestrator.userDir="$caller_dir" -cp "$classpath" org.orchestrator.app.DatabaseTool "$@"
