#!/usr/bin/env bash
# Regenerates docs/event-bus.md from the address registry (modules/contracts Addresses.java),
# keeping any hand-written part below the generated table.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -ntp -DskipTests compile -pl modules/contracts -am
cp_file=$(mktemp)
./mvnw -B -q -ntp -pl modules/contracts dependency:build-classpath -Dmdep.outputFile="$cp_file"
generated=$(java -cp "modules/contracts/target/classes:$(cat "$cp_file")" org.orchestrator.contracts.bus.EventBusDocs)
rm -f "$cp_file"
tail_part=""
if [ -f docs/event-bus.md ]; then
  tail_part=$(awk 'found {print} /^<!-- end of generated part -->$/ {found=1}' docs/event-bus.md)
fi
{ printf '%s\n' "$generated"; printf '\n<!-- end of generated part -->\n'; [ -n "$tail_part" ] && printf '%s\n' "$tail_part"; } > docs/event-bus.md
echo "docs/event-bus.md regenerated"
