#!/usr/bin/env bash
# A soak of the appliance with a kept session (issue 17, contract §8): for MINUTES, on a seed (printed; give another
# as the second argument), camera switches by the API and by the control server every 1 to 3 minutes (scaled down
# below 10 minutes), camera outages and freezes, killed ingest and publisher ffmpeg, one restart of nginx-rtmp and one
# kill -9 of the appliance (started again on the same data and port, as systemd would), with a viewer pulling the
# destination, headless Chromium on the dashboard, API polling and bad requests. Prints each figure against its bound
# and appends them to bench/results/soak.txt (SOAK_RESULTS=FILE writes elsewhere: the test command's 3-minute run
# does); exits non-zero on any miss.
# usage: bench/soak.sh MINUTES [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:?usage: bench/soak.sh MINUTES [SEED]}"
seed="${2:-17}"
[[ "$minutes" =~ ^[0-9]+$ ]] && [ "$minutes" -ge 3 ] || { echo "soak: MINUTES is a whole number >= 3" >&2; exit 2; }
[[ "$seed" =~ ^-?[0-9]+$ ]] || { echo "soak: SEED is a whole number" >&2; exit 2; }
results=$(realpath -m "${SOAK_RESULTS:-bench/results/soak.txt}")
bash scripts/deps.sh test
. scripts/env.sh
echo "soak: $minutes minutes, seed $seed, figures to $results"
before=0
[ -f "$results" ] && before=$(wc -l <"$results")
# -am builds the image the soak runs (build/image) without touching ~/.m2. The test's output goes to surefire's
# report file (the build's setting); its figures are read back from the results file.
set +e
mvn -B -q -pl modules/stream-it -am verify -Dtest=SoakBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dsoak.minutes="$minutes" -Dsoak.seed="$seed" -Dsoak.results="$results"
status=$?
set -e
[ -f "$results" ] && tail -n +"$((before + 1))" "$results"
if [ "$status" -ne 0 ]; then
  out=modules/stream-it/target/surefire-reports/stream.it.SoakBench-output.txt
  [ -f "$out" ] && { echo "soak: the run's output ($out), last 60 lines:"; tail -60 "$out"; }
  echo "soak: FAIL (mvn exit $status)"
  exit "$status"
fi
echo "soak: PASS"
