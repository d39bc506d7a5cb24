#!/usr/bin/env bash
# Installs what the tests drive besides Java: promtool (Debian package prometheus), pg_dump and
# pg_restore (postgresql-client; scripts/backup.sh and restore.sh use them) and Chromium (Debian
# package chromium; the browser tests drive it with playwright-core from npm).
# Needs root and apt-get; does nothing when the tools are already there.
set -uo pipefail
missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pg_dump >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_dump >/dev/null 2>&1 || missing+=(postgresql-client)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-tools: missing ${missing[*]} (not root or no apt-get)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
  echo "install-test-tools: apt-get install ${missing[*]} failed" >&2
  exit 1
}
# the package may start a Prometheus service of its own; the tests start their own when needed
(command -v systemctl >/dev/null 2>&1 && systemctl stop prometheus >/dev/null 2>&1) || true
exit 0
