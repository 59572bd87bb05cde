#!/usr/bin/env bash
# SSE control channel: publish-to-applied latency (median, p99 over 200 events) and the throughput of a 1000-event
# burst, against nchan on 127.0.0.1. Prints the figures and appends them to bench/results/sse-apply.txt.
# usage: bench/sse-apply.sh [events] [burst]     (needs the test dependencies: scripts/deps.sh test)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
. bench/lib.sh
bench_run SseApplyBench '^sse_' -Dbench.events="${1:-200}" -Dbench.burst="${2:-1000}"
tail -3 bench/results/sse-apply.txt
