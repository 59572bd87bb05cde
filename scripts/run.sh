#!/usr/bin/env bash
# Builds streamrelay and starts it: dashboard on http://localhost:8080, data in ./data.
# Extra arguments go to the launcher (e.g. --port 9090, --admin-password ...).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build
. scripts/env.sh
mvn -B -q -DskipTests package
exec build/image/bin/streamrelay --data ./data --port 8080 "$@"
