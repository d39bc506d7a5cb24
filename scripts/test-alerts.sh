#!/usr/bin/env bash
# The alert rules (config/prometheus/alerts.yml) checked and unit-tested with promtool: each alert
# must fire on the series histories of config/prometheus/alerts.test.yml with the expected labels
# and annotations, and stay quiet on the others. Seconds. scripts/test.sh runs it after maven;
# without promtool (Debian package prometheus, scripts/install-test-tools.sh) it says SKIPPED, except
# with CI=true, where the install runs as root and a missing promtool fails the run.
set -euo pipefail
cd "$(dirname "$0")/../config/prometheus"
if ! command -v promtool >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then
    echo "alert rule tests: FAILED (promtool missing, and CI=true requires it: scripts/install-test-tools.sh installs it as root)"
    exit 1
  fi
  echo "alert rule tests: SKIPPED (promtool missing; scripts/install-test-tools.sh installs it as root)"
  exit 0
fi
promtool check rules alerts.yml
promtool test rules alerts.test.yml
echo "alert rule tests: passed ($(grep -c '^  - name:' alerts.test.yml) series histories, config/prometheus/alerts.test.yml)"
