#!/usr/bin/env bash
# Runs every test: unit tests, the jlinked image, and the integration tests against real servers
# (GStreamer RTSP camera, nginx-rtmp, nchan SSE) on 127.0.0.1, then install.sh on the built image
# (a --prefix --no-systemd install; the booted-systemd run is scripts/test-install-container.sh).
# Installs what is missing through apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
. scripts/env.sh
mvn -B verify "$@"
bash scripts/test-install.sh build/image
SOAK_RESULTS=build/soak-test.txt bash bench/soak.sh 3
