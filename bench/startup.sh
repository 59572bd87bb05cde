#!/usr/bin/env bash
# Image size and time from launch to the first /healthz answer (median of N runs, default 10), with a CDS archive
# made first in a scratch folder (STREAMRELAY_CDS=off measures without). bench/footprint.sh compares with a floor.
# usage: bench/startup.sh [runs]   (build first: mvn -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
bash scripts/deps.sh test >/dev/null  # curl, python3
launcher=build/image/bin/streamrelay
[ -x "$launcher" ] || { echo "build the image first (mvn -DskipTests package)" >&2; exit 1; }
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export STREAMRELAY_CDS_DIR=$tmp/cds
[ "${STREAMRELAY_CDS:-}" = off ] || "$launcher" --make-cds >/dev/null
times=()
for i in $(seq 1 "$runs"); do
  rm -rf "$tmp/data"
  start=$(date +%s%N)
  "$launcher" --data "$tmp/data" --port "$port" --bind 127.0.0.1 --admin-password bench-password >"$tmp/log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/log"; exit 1; }
    sleep 0.01  # without a pause the polling takes a core from the start being timed
  done
  end=$(date +%s%N)
  rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
  kill -TERM "$pid"; wait "$pid" || true
  times+=($(( (end - start) / 1000000 )))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
size=$(du -sm build/image | cut -f1)
size_k=$(du -sk build/image | cut -f1)
line="$(date -u +%FT%TZ) image=${size}MB (${size_k} KiB) startup_to_healthz_median=${median}ms runs=$runs cds=${STREAMRELAY_CDS:-on} all_ms=[$(echo $sorted | tr ' ' ',')] rss_idle_kb=$rss host=$(uname -m) cores=$(nproc)"
echo "$line"
echo "$line" >> bench/results/startup.txt
