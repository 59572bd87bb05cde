#!/usr/bin/env bash
# Four streams with the copy preset at once (one GStreamer camera, four nginx-rtmp keys): the Java process's CPU share
# and RSS while they run (goals: under 1 % of a core, under 64 MB), and the time from launching the appliance again
# until all four are running. Prints the figures and appends them to bench/results/streams.txt.
# usage: bench/streams.sh [steady-seconds]    (default 60; installs what it needs)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
. scripts/env.sh
. bench/lib.sh
bench_run StreamsBench '^streams_' -Dbench.steadySeconds="${1:-60}"
tail -4 bench/results/streams.txt
