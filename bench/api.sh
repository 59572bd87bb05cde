#!/usr/bin/env bash
# The status route under load (wrk, keep-alive, Basic and Bearer) beside a minimal Express 4 app of the
# architecture document's stack (bench/anchor) in the same run; one keep-alive connection; 100 clients polling
# while a stream runs; /healthz and an authenticated call while 500 stalled connections are open.
# Prints the figures and appends them to bench/results/api.txt.
# usage: bench/api.sh [seconds-per-run]     (installs wrk, node and express when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
[ -d bench/anchor/node_modules/express ] || (cd bench/anchor && npm install --no-audit --no-fund --omit=dev >/dev/null)
. scripts/env.sh
. bench/lib.sh
bench_run ApiLoadBench '^api_' -Dbench.seconds="${1:-10}"
tail -11 bench/results/api.txt
echo "load now: $(cut -d" " -f1-3 /proc/loadavg)"
