#!/usr/bin/env bash
# Writes a consistent pg_dump (custom format) of the orchestrator's database, found from the server's
# own settings (embedded under the data directory, or ORCH_PG_URL); see docs/operations.md, "Backup
# and restore". Take it while Suspended.
#   scripts/backup.sh [--out FILE] [--data-dir DIR]        (--help for more; exit 0 ok, 2 refused, 1 failed)
exec "$(dirname "$0")/database-tool.sh" backup "$@"
