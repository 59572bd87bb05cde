#!/usr/bin/env bash
# A camera switch as a viewer pulling the destination from nginx-rtmp sees it: pictures missing and the longest pause
# between two pictures, for the appliance (keep_session on, switched through the API) and, in the same run, for a
# bare ffmpeg killed and started again on the other camera. Goal: no picture missing, the pause at most one frame
# interval. Prints the figures and appends them to bench/results/switch.txt.
# usage: bench/switch.sh [switches per side, >= 3]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
. scripts/env.sh
. bench/lib.sh
rounds="${1:-6}"
[ "$rounds" -ge 3 ] || { echo "switch: at least 3 switches (a median of 3)" >&2; exit 2; }
bench_run SwitchBench '^(switch_|# )' -Dbench.rounds="$rounds"
tail -3 bench/results/switch.txt
