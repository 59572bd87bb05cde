#!/usr/bin/env bash
# Time from a URL switch until 50 kB of the new stream reach nginx-rtmp, for a camera with audio, one without audio
# and one behind an RTSP password, each next to a bare ffmpeg on the same camera in the same run (ratio goal <= 1.1);
# then the Java process's CPU share and RSS, and the relay's and snapshot process's RSS, while streaming.
# Prints the figures and appends them to bench/results/url-switch.txt.
# usage: bench/url-switch.sh [rounds per camera, >= 3] [steady-seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
. scripts/env.sh
. bench/lib.sh
rounds="${1:-5}"
[ "$rounds" -ge 3 ] || { echo "url-switch: at least 3 rounds (a median of 3)" >&2; exit 2; }
bench_run UrlSwitchBench '^(url_switch|java_)' -Dbench.rounds="$rounds" -Dbench.steadySeconds="${2:-30}"
tail -6 bench/results/url-switch.txt
