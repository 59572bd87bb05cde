#!/usr/bin/env bash
# URL switch latency (appliance vs a bare ffmpeg restarted by hand, same run) and the Java process's CPU share and
# RSS while streaming. Prints the figures and appends them to bench/results/url-switch.txt.
# usage: bench/url-switch.sh [rounds] [steady-seconds]     (needs the test dependencies: scripts/deps.sh test)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
mvn -B -q -DskipTests install >/dev/null
mvn -B -q -pl modules/stream-it surefire:test -Dtest=UrlSwitchBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.rounds="${1:-10}" -Dbench.steadySeconds="${2:-60}" -DredirectTestOutputToFile=false \
  -DtrimStackTrace=false | grep -E '^(url_switch|java_)' || true
tail -6 bench/results/url-switch.txt
