#!/usr/bin/env bash
# Installs through apt-get what is missing, for the run command (build) or the test command (build + test servers).
# Sourced by run.sh and test.sh; safe to run again (installs nothing that is already there).
# usage: deps.sh build|test
set -euo pipefail

need_build=(openjdk-17-jdk-headless maven ffmpeg)
need_test=(ffmpeg nginx-light libnginx-mod-rtmp libnginx-mod-nchan
  gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-tools python3-gi python3-gst-1.0 curl procps sqlite3
  chromium chromium-driver)

missing=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

jdk17_home() {
  local arch; arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
  for d in "/usr/lib/jvm/java-17-openjdk-$arch" /usr/lib/jvm/java-17-openjdk*; do
    [ -x "$d/bin/jlink" ] && [ -x "$d/bin/javac" ] && { echo "$d"; return 0; }
  done
  return 1
}

mode=${1:-build}
pkgs=("${need_build[@]}")
[ "$mode" = test ] && pkgs+=("${need_test[@]}")
for p in "${pkgs[@]}"; do
  case $p in
    openjdk-17-jdk-headless) jdk17_home >/dev/null || missing+=("$p") ;;
    maven) command -v mvn >/dev/null || missing+=("$p") ;;
    *) have_pkg "$p" || missing+=("$p") ;;
  esac
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# nginx from Debian starts a server on port 80 when installed; the tests start their own on 127.0.0.1 only
if [ "$mode" = test ] && command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
  echo "deps: note: a system nginx is running; the tests do not use it" >&2
fi

# nginx with the nchan module creates its compiled-in temp folders under /var/lib/nginx at start even when the
# configuration names others; Debian's package makes them only when its own service first runs (as root). Without
# them, the test servers, which run as the calling user, cannot start.
if [ "$mode" = test ] && [ ! -d /var/lib/nginx/body ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo install -d -m 0755 /var/lib/nginx
  for d in body proxy fastcgi uwsgi scgi; do $sudo install -d -m 1777 "/var/lib/nginx/$d"; done
fi
