#!/usr/bin/env bash
# Runs every test: unit tests, the jlinked image, and the integration tests against real servers
# (GStreamer RTSP camera, nginx-rtmp, nchan SSE) on 127.0.0.1. Installs what is missing through apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
. scripts/env.sh
mvn -B verify "$@"
