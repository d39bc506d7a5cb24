#!/usr/bin/env bash
# Restores a backup of scripts/backup.sh into an empty database: the embedded one of --data-dir (a new
# directory, no orchestrator running on it) or the one the settings name (ORCH_PG_URL, ORCH_PG_SCHEMA);
# see docs/operations.md, "Backup and restore".
#   scripts/restore.sh FILE [--data-dir DIR]              (--help for more; exit 0 ok, 2 refused, 1 failed)
exec "$(dirname "$0")/database-tool.sh" restore "$@"
