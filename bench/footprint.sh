#!/usr/bin/env bash
# The appliance's footprint next to its goals: image size; launch to the first /healthz against a trivial
# jdk.httpserver program (bench/anchor) on the same jlinked runtime, in the same run, each with and without a CDS
# archive; resident memory idle and while streaming a real camera to nginx-rtmp; the Java process's CPU while
# streaming with one /api/events client and one status call a second, for the plain relay (keep_session false) and
# then the kept session (the default since issue 17), in the same appliance process.
# Prints each figure beside its goal and appends them to bench/results/footprint.txt.
# The CPU is measured after a warm-up (default 60 s) under the same load: streaming, the /api/events client and a
# status call a second. A path that runs once a second is compiled by the JIT after about 200 calls, so the second
# minute still pays compiling and interpreted code (compiles per minute in the plain relay: 1484, 224, 165, 96, 68, 50,
# 26 in the seventh); after 300 s few are left, the nearest figure to the months an appliance streams. Until
# 2026-11-29 the warm-up made no status calls: the measured minute was the status path's first.
# usage: bench/footprint.sh [start-runs] [cpu-seconds] [warm-up-seconds]   (defaults 10, 60, 60; installs what it needs)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
seconds=${2:-60}
warm_up=${3:-60}
bash scripts/deps.sh test
. scripts/env.sh
# this checkout's image (nothing installed into ~/.m2, where the harness would find another checkout's modules)
mvn -B -q -DskipTests package >/dev/null

image=build/image
java=$image/bin/java
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# the launcher's JVM options (launcher.sh), so that the floor differs from the appliance only by the program
floor_opts=(-XX:+UseSerialGC -Xms4m -Xmx64m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:MaxMetaspaceSize=64m
  -XX:ReservedCodeCacheSize=24m -XX:TieredStopAtLevel=1 -Xss512k -XX:-UsePerfData -XX:+UnlockDiagnosticVMOptions
  -XX:GuaranteedSafepointInterval=0 -XX:AsyncDeflationInterval=1000)
"$JAVA_HOME/bin/javac" --release 17 -d "$tmp/anchor" bench/anchor/Anchor.java
"$JAVA_HOME/bin/jar" --create --file "$tmp/anchor.jar" -C "$tmp/anchor" .  # CDS takes classes from jars only

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)

# ms from launch to the first 200 on /healthz; the process is stopped again
time_to_healthz() {
  local start end pid
  start=$(date +%s%N)
  "$@" >"$tmp/out.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  # polled every 10 ms: a poll loop without a pause would take a core from the program being timed
  until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/out.log" >&2; echo "benchmark: the program ended before /healthz answered" >&2; exit 1; }
    sleep 0.01
  done
  end=$(date +%s%N)
  kill -TERM "$pid"; wait "$pid" || true
  echo $(( (end - start) / 1000000 ))
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }

# CDS archives: the anchor's made the same way as the launcher's (a class list from one run, then a static dump)
"$java" "${floor_opts[@]}" -Xshare:off -XX:DumpLoadedClassList="$tmp/anchor.classlist" -cp "$tmp/anchor.jar" Anchor "$port" \
  >/dev/null 2>&1 &
anchor_pid=$!
until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do kill -0 $anchor_pid; sleep 0.01; done
kill $anchor_pid; wait $anchor_pid || true
"$java" "${floor_opts[@]}" -Xshare:dump -XX:SharedClassListFile="$tmp/anchor.classlist" \
  -XX:SharedArchiveFile="$tmp/anchor.jsa" -cp "$tmp/anchor.jar" Anchor >/dev/null 2>&1
export STREAMRELAY_CDS_DIR=$tmp/cds
make_start=$(date +%s%N)
$image/bin/streamrelay --make-cds >/dev/null
make_ms=$(( ($(date +%s%N) - make_start) / 1000000 ))
archive=$(ls "$tmp"/cds/streamrelay-*.jsa)

# interleaved, so that both see the same load on the machine; a fresh data folder each time (first start:
# the database is created and migrated)
floor=() floor_cds=() app=() app_cds=()
for i in $(seq 1 "$runs"); do
  floor+=("$(time_to_healthz "$java" "${floor_opts[@]}" -Xshare:off -cp "$tmp/anchor.jar" Anchor "$port")")
  # as the launcher starts with an archive it has found sound before: without the checksum test
  floor_cds+=("$(time_to_healthz "$java" "${floor_opts[@]}" -XX:SharedArchiveFile="$tmp/anchor.jsa" -Xshare:auto \
    -cp "$tmp/anchor.jar" Anchor "$port")")
  rm -rf "$tmp/data"
  app+=("$(STREAMRELAY_CDS=off time_to_healthz $image/bin/streamrelay --data "$tmp/data" --port "$port" --bind 127.0.0.1 \
    --admin-password bench-password)")
  rm -rf "$tmp/data"
  app_cds+=("$(time_to_healthz $image/bin/streamrelay --data "$tmp/data" --port "$port" --bind 127.0.0.1 \
    --admin-password bench-password)")
done
m_floor=$(median "${floor[@]}") m_floor_cds=$(median "${floor_cds[@]}")
m_app=$(median "${app[@]}") m_app_cds=$(median "${app_cds[@]}")
[ -f "$archive" ] || { echo "benchmark: the CDS archive was removed, so the appliance could not use it" >&2; exit 1; }

# memory and CPU while streaming: the Java harness (real camera, nginx-rtmp) drives the image with the archive
# (test, not package: the image, whose build names the archive made above, stays as it is)
mvn -B -q -pl modules/stream-it -am test -Dtest=FootprintBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.cdsDir="$STREAMRELAY_CDS_DIR" -Dbench.seconds="$seconds" -Dbench.warmUpSeconds="$warm_up" -Dbench.out="$tmp/streaming.txt" \
  -DtrimStackTrace=false >"$tmp/mvn.log" 2>&1 || { tail -40 "$tmp/mvn.log" >&2; exit 1; }
fig() { sed -n "s/^$1=//p" "$tmp/streaming.txt"; }

size_kib=$(du -sk $image | cut -f1)
size_mb=$(awk -v k="$size_kib" 'BEGIN {printf "%.1f", k / 1024}')
archive_mb=$(awk -v b="$(stat -c %s "$archive")" 'BEGIN {printf "%.1f", b / 1048576}')
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
verdict() { awk -v v="$1" -v g="$2" 'BEGIN {print (v <= g ? "ok" : "OVER")}'; }
# the goal compares the appliance as installed (with its archive) with the faster of the two floors
m_floor_best=$(( m_floor_cds < m_floor ? m_floor_cds : m_floor ))
r_cds=$(ratio "$m_app_cds" "$m_floor_best")
r_nocds=$(ratio "$m_app" "$m_floor")
cpu=$(fig jvm_cpu_percent)
rss_idle=$(mb "$(fig rss_idle_kb)")
rss_stream=$(mb "$(fig rss_streaming_max_kb)")

report=$(cat <<EOF
# $(date -u +%FT%TZ) host=$(uname -m) cores=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg) start_runs=$runs
image_size_mb=$size_mb (goal <= 45) $(verdict "$size_mb" 45); CDS archive outside the image: ${archive_mb} MB, made in ${make_ms} ms
start_to_healthz_ms appliance with CDS=$m_app_cds, without=$m_app; floor with CDS=$m_floor_cds, without=$m_floor
start ratio appliance with CDS / faster floor=$r_cds (goal <= 2) $(verdict "$r_cds" 2); both without CDS=$r_nocds
  all appliance_cds=[$(IFS=,; echo "${app_cds[*]}")] floor_cds=[$(IFS=,; echo "${floor_cds[*]}")]
  all appliance=[$(IFS=,; echo "${app[*]}")] floor=[$(IFS=,; echo "${floor[*]}")]
rss_idle_mb=$rss_idle rss_streaming_max_mb=$rss_stream (goal < 64) $(verdict "$rss_stream" 63.99); ffmpeg_rss_mb=$(mb "$(fig ffmpeg_rss_kb)")
jvm_cpu_percent_of_one_core=$cpu plain relay (keep_session=$(fig keep_session)) over $(fig measured_seconds) s streaming after $(fig warm_up_seconds) s, one /api/events client, $(fig status_calls) status calls (goal < 0.5) $(verdict "$cpu" 0.4999)
  without the JIT compiler thread (still compiling methods a call a second makes hot slowly): $(fig jvm_cpu_percent_without_jit); busiest threads in 10 ms ticks: $(fig jvm_cpu_ticks_by_thread)
kept session (keep_session=$(fig kept_keep_session), then in the same process): jvm_cpu_percent_of_one_core=$(fig kept_jvm_cpu_percent) over $(fig kept_measured_seconds) s after $(fig kept_warm_up_seconds) s, $(fig kept_status_calls) status calls (goal < 0.5) $(verdict "$(fig kept_jvm_cpu_percent)" 0.4999); rss_streaming_max_mb=$(mb "$(fig kept_rss_streaming_max_kb)") (goal < 64) $(verdict "$(mb "$(fig kept_rss_streaming_max_kb)")" 63.99)
  without the JIT compiler thread: $(fig kept_jvm_cpu_percent_without_jit); busiest threads in 10 ms ticks: $(fig kept_jvm_cpu_ticks_by_thread)
EOF
)
echo "$report"
echo "$report" >> bench/results/footprint.txt
