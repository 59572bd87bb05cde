#!/usr/bin/env bash
# install.sh for real, inside a booted systemd: a fresh Debian bookworm root made with mmdebstrap, booted with
# systemd-nspawn (sharing this machine's network, so 127.0.0.1 is the same on both sides). The test camera
# (GStreamer RTSP server) and the RTMP destination (nginx-rtmp) run here on 127.0.0.1.
# Checks: install (ffmpeg through apt-get inside the root), the service active as user streamrelay, /healthz, the
# printed password signs in, streaming from the camera, systemctl restart resumes the stream, a kill -9 of the main
# process leaves no ffmpeg, the security score, systemd-analyze verify, an upgrade keeps the data, uninstall, purge.
#
# usage: scripts/test-install-container.sh [IMAGE_DIR | TARBALL]
#   IMAGE_DIR: default build/image (mvn -DskipTests package first), laid out beside install.sh as a tarball has it;
#   TARBALL: an amd64 release tarball of scripts/release.sh, unpacked and installed as it is
# Needs root (nspawn), a network that reaches Debian's mirror, and about 10 minutes. Not run by CI: CI runs
# scripts/test-install.sh (a --prefix --no-systemd install without a container).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
source=${1:-build/image}
tarball=""
case $source in *.tar.gz) tarball=$(readlink -f "$source") ;; *) image=$(cd "$source" && pwd) ;; esac
[ "$(id -u)" -eq 0 ] || { echo "run as root (systemd-nspawn needs it)" >&2; exit 1; }
[ -n "$tarball" ] || [ -x "$image/bin/streamrelay" ] || { echo "no image at $image (mvn -DskipTests package first)" >&2; exit 1; }

bash scripts/deps.sh test
need=()
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v systemd-nspawn >/dev/null || need+=(systemd-container)
if [ ${#need[@]} -gt 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"; fi

work=$(mktemp -d /var/tmp/streamrelay-ct.XXXXXX)
root=$work/root
passed=0 failed=0
nspawn_pid="" camera_pid="" leader=""
cleanup() {
  [ -n "$nspawn_pid" ] && kill "$nspawn_pid" 2>/dev/null && wait "$nspawn_pid" 2>/dev/null
  [ -n "$camera_pid" ] && kill "$camera_pid" 2>/dev/null
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  # --one-file-system: never into a /proc or /dev that something still has mounted there
  [ "${KEEP:-0}" = 1 ] || rm -rf --one-file-system "$work"
}
trap cleanup EXIT

check() { # description, then a command that must succeed
  local what=$1; shift
  if "$@"; then echo "ok   - $what"; passed=$((passed + 1)); else echo "FAIL - $what"; failed=$((failed + 1)); fi
}
# waits on a condition with a generous deadline
wait_for() { # seconds command...
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $deadline ] || return 1; sleep 0.5; done
}
inside() { nsenter -t "$leader" -a "$@"; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
port=$(free_port) cam_port=$(free_port) rtmp_port=$(free_port) stat_port=$(free_port)

echo "# making a fresh Debian bookworm root in $root"
t0=$SECONDS
mmdebstrap --variant=apt --include=systemd,systemd-sysv,dbus,ca-certificates,curl,procps,iproute2 \
  --customize-hook='mkdir -p "$1/usr/local/share/ca-certificates"; cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/" 2>/dev/null || true; chroot "$1" update-ca-certificates >/dev/null' \
  --customize-hook='echo pitest > "$1/etc/hostname"' \
  bookworm "$root" "deb http://deb.debian.org/debian bookworm main" \
  "deb http://deb.debian.org/debian bookworm-updates main" "deb http://deb.debian.org/debian-security bookworm-security main" \
  >"$work/mmdebstrap.log" 2>&1 || { tail -20 "$work/mmdebstrap.log"; exit 1; }
echo "# root made in $((SECONDS - t0)) s"

# what a release tarball holds: install.sh, image/, VERSION
mkdir -p "$root/root/sr"
if [ -n "$tarball" ]; then
  tar -C "$root/root/sr" --strip-components=1 -xzf "$tarball"
  echo "# installing the release tarball $(basename "$tarball")"
else
  cp install.sh "$root/root/sr/"
  cp -a "$image" "$root/root/sr/image"
fi
echo "1.0.0-test" >"$root/root/sr/VERSION"

echo "# camera on 127.0.0.1:$cam_port, nginx-rtmp on 127.0.0.1:$rtmp_port"
/usr/bin/python3 modules/stream-it/src/test/resources/stream/it/harness/camera.py --port "$cam_port" --path /cam1 \
  >"$work/camera.log" 2>&1 &
camera_pid=$!
cat >"$work/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon on; worker_processes 1; pid $work/nginx.pid; error_log $work/nginx-error.log;
events {}
rtmp { access_log $work/rtmp-access.log; server { listen 127.0.0.1:$rtmp_port; application live { live on; record off; } } }
http { access_log off; client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
  server { listen 127.0.0.1:$stat_port; location /stat { rtmp_stat all; } } }
EOF
nginx -c "$work/nginx.conf" -p "$work"
wait_for 60 grep -q READY "$work/camera.log" || { cat "$work/camera.log"; exit 1; }

echo "# booting the root with systemd-nspawn"
systemd-nspawn --boot --register=no --keep-unit --console=passive -D "$root" >"$work/nspawn.log" 2>&1 &
nspawn_pid=$!
wait_for 30 pgrep -P "$nspawn_pid" >/dev/null
leader=$(pgrep -P "$nspawn_pid" | head -n1)
wait_for 60 bash -c "nsenter -t $leader -a systemctl is-system-running 2>/dev/null | grep -Eq 'running|degraded'"

api() { curl -s -u "admin:$password" "$@"; }
state() { api "http://127.0.0.1:$port/api/stream/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])'; }
stream_state_is() { [ "$(state 2>/dev/null)" = "$1" ]; }
publishing() { curl -s "http://127.0.0.1:$stat_port/stat" | grep -q '<name>ct</name>'; }
main_pid() { inside systemctl show -p MainPID --value streamrelay; }
ffmpeg_pids() { inside pgrep -u streamrelay -x ffmpeg || true; }

echo "# sudo ./install.sh (first install)"
t0=$SECONDS
inside bash -c "cd /root/sr && ./install.sh --port $port" >"$work/install.log" 2>&1 && rc=0 || rc=$?
install_s=$((SECONDS - t0))
sed -n '/^==> streamrelay/,$p' "$work/install.log"
echo "# install took $install_s s (apt-get install ffmpeg included)"
check "install.sh exits 0" test "$rc" = 0
password=$(sed -n 's/.*initial password: \([^ ]*\)$/\1/p' "$work/install.log")
check "the initial password is printed" test -n "$password"
check "the address http://pitest.local:$port/ is printed" grep -q "http://pitest.local:$port/" "$work/install.log"
check "the service is active" inside systemctl is-active --quiet streamrelay
check "it runs as user streamrelay" test "$(inside ps -o user= -p "$(main_pid)")" = streamrelay
check "/var/lib/streamrelay is 0700 streamrelay" test "$(inside stat -c '%a %U' /var/lib/streamrelay)" = "700 streamrelay"
check "user streamrelay is in group video" bash -c "nsenter -t $leader -a id -nG streamrelay | grep -qw video"
check "/healthz answers 200" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = 200
check "the printed password signs in (Basic)" test "$(api -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/stream/status")" = 200
check "a wrong password does not" test "$(curl -s -u admin:wrong -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/stream/status")" = 401
check "the CDS archive was made on the board" inside bash -c 'compgen -G "/var/cache/streamrelay/streamrelay-*.jsa" >/dev/null'
shared=$(inside setpriv --reuid=streamrelay --regid=streamrelay --init-groups env STREAMRELAY_CDS_DIR=/var/cache/streamrelay \
  STREAMRELAY_JAVA_OPTS=-Xlog:class+load=info /opt/streamrelay/bin/streamrelay --help | grep -c 'source: shared objects file' || true)
check "the launcher maps it ($shared classes from it)" test "$shared" -gt 100
score=$(inside systemd-analyze security streamrelay --no-pager | sed -n 's/.*Overall exposure level for streamrelay.service: \([0-9.]*\).*/\1/p')
echo "# systemd-analyze security: $score"
check "security exposure at most 2.0 (is $score)" python3 -c "import sys; sys.exit(0 if float('$score') <= 2.0 else 1)"
verify=$(inside systemd-analyze verify /etc/systemd/system/streamrelay.service 2>&1)
check "systemd-analyze verify is clean${verify:+: $verify}" test -z "$verify"

echo "# the Pi 3/4 encoder's device (/dev/video11, group video) from inside the unit's sandbox"
# a copy of the unit that only opens device nodes: video4linux nodes with no driver behind them answer ENXIO once
# the permission checks pass; the same node without the group's permission answers EACCES
inside sh -c 'mknod -m 660 /dev/video11 c 81 11 && chgrp video /dev/video11 && mknod -m 660 /dev/video12 c 81 12'
printf '%s\n' 'for d in /dev/video11 /dev/video12; do (exec 3<"$d") 2>&1 || true; done' >"$root/usr/local/lib/open-devices.sh"
grep -v -E '^(ExecStart|Type|Restart|RestartSec|WorkingDirectory)=' "$root/etc/systemd/system/streamrelay.service" \
  | sed '/^\[Service\]/a Type=oneshot\nExecStart=/bin/sh /usr/local/lib/open-devices.sh' \
  >"$root/etc/systemd/system/streamrelay-devices.service"
inside sh -c 'systemctl daemon-reload && systemctl start streamrelay-devices'
devlog=$(inside journalctl -u streamrelay-devices --no-pager -o cat)
check "the service user opens /dev/video11 through group video (ENXIO: no driver here)" \
  grep -q "cannot open /dev/video11: No such device or address" <<<"$devlog"
check "a video node without the group's permission is refused (EACCES), so the check is real" \
  grep -q "cannot open /dev/video12: Permission denied" <<<"$devlog"
rm -f "$root/etc/systemd/system/streamrelay-devices.service" "$root/usr/local/lib/open-devices.sh"
inside sh -c 'rm -f /dev/video11 /dev/video12; systemctl daemon-reload'

echo "# streaming from the test camera"
api -o /dev/null -X PUT -H 'Content-Type: application/json' -d '{"preset":"copy"}' "http://127.0.0.1:$port/api/config"
api -o /dev/null -H 'Content-Type: application/json' \
  -d "{\"rtsp_url\":\"rtsp://127.0.0.1:$cam_port/cam1\",\"rtmp_url\":\"rtmp://127.0.0.1:$rtmp_port/live/ct\"}" \
  "http://127.0.0.1:$port/api/stream/start"
check "the stream runs" wait_for 90 stream_state_is running
check "nginx-rtmp receives it" wait_for 30 publishing
check "ffmpeg runs inside the service's sandbox" test -n "$(ffmpeg_pids)"

echo "# systemctl restart resumes the stream"
before=$(main_pid)
inside systemctl restart streamrelay
check "a new main process" test "$(main_pid)" != "$before"
check "the stream is running again after the restart" wait_for 90 stream_state_is running
check "nginx-rtmp receives it again" wait_for 30 publishing

echo "# kill -9 of the main process"
wait_for 30 bash -c "[ -n \"\$(nsenter -t $leader -a pgrep -u streamrelay -x ffmpeg)\" ]"
old_ffmpeg=$(ffmpeg_pids)
inside ps -o pid,ppid,etime,args -p "$(echo $old_ffmpeg | tr ' ' ',')" | sed 's/^/#   /' | cut -c1-160 || true
main=$(main_pid)
restarts=$(inside systemctl show -p NRestarts --value streamrelay)
inside kill -9 "$main"
# systemd stops what is left in the cgroup before it starts the service again (RestartSec=5)
gone() { for p in $old_ffmpeg; do inside kill -0 "$p" 2>/dev/null && return 1; done; return 0; }
check "the old ffmpeg ($old_ffmpeg) is gone" wait_for 20 gone
for p in $old_ffmpeg; do inside ps -o pid,ppid,stat,etime,args -p "$p" 2>/dev/null | tail -n +2 | sed 's/^/#   left: /' | cut -c1-160 || true; done
check "it was gone before the restart" test "$(inside systemctl show -p NRestarts --value streamrelay)" = "$restarts"
check "systemd restarts the service" wait_for 60 bash -c "[ \"\$(nsenter -t $leader -a systemctl show -p NRestarts --value streamrelay)\" -gt $restarts ]"
check "the stream resumes after the crash" wait_for 90 stream_state_is running

echo "# upgrade in place"
echo "1.0.1-test" >"$root/root/sr/VERSION"
t0=$SECONDS
inside bash -c "cd /root/sr && ./install.sh" >"$work/upgrade.log" 2>&1 && rc=0 || rc=$?
echo "# upgrade took $((SECONDS - t0)) s"
sed -n '/^==> streamrelay/,$p' "$work/upgrade.log"
check "the upgrade exits 0" test "$rc" = 0
check "it prints the new version" grep -q "upgraded to 1.0.1-test" "$work/upgrade.log"
check "it prints no new password" bash -c "! grep -q 'initial password' '$work/upgrade.log'"
check "the old password still signs in" test "$(api -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/stream/status")" = 200
check "the stream's camera is kept" bash -c "curl -s -u 'admin:$password' http://127.0.0.1:$port/api/config | grep -q '127.0.0.1:$cam_port/cam1'"
check "the port setting is kept" inside grep -q "^STREAMRELAY_PORT=$port$" /etc/streamrelay/streamrelay.env
check "the stream resumes after the upgrade" wait_for 90 stream_state_is running

echo "# reset the password"
inside bash -c "/opt/streamrelay/install.sh --reset-password" >"$work/reset.log" 2>&1 || true
newpw=$(sed -n 's/.*New admin password for user admin: \(.*\)$/\1/p' "$work/reset.log")
check "a new password is printed" test -n "$newpw"
check "the new password signs in" test "$(curl -s -u "admin:$newpw" -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/stream/status")" = 200
check "the old one does not" test "$(api -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/stream/status")" = 401

echo "# uninstall"
inside bash -c "/opt/streamrelay/install.sh --uninstall" >"$work/uninstall.log" 2>&1 && rc=0 || rc=$?
cat "$work/uninstall.log"
check "uninstall exits 0" test "$rc" = 0
check "the service is gone" bash -c "! nsenter -t $leader -a systemctl cat streamrelay >/dev/null 2>&1"
check "no ffmpeg is left" test -z "$(inside pgrep -x ffmpeg || true)"
check "/opt/streamrelay is gone" inside test ! -e /opt/streamrelay
check "the user is gone" bash -c "! nsenter -t $leader -a id streamrelay >/dev/null 2>&1"
check "the data is kept" inside test -f /var/lib/streamrelay/streamrelay.db
check "it says where the data is" grep -q "kept the data: /var/lib/streamrelay" "$work/uninstall.log"
check "and how to delete it" grep -q "rm -rf /var/lib/streamrelay" "$work/uninstall.log"

echo "# purge"
inside bash -c "cd /root/sr && ./install.sh --purge </dev/null" >"$work/purge-no.log" 2>&1 && rc=0 || rc=$?
check "purge without --yes on no terminal refuses" test "$rc" != 0
check "and keeps the data" inside test -f /var/lib/streamrelay/streamrelay.db
inside bash -c "cd /root/sr && ./install.sh --purge --yes" >"$work/purge.log" 2>&1 && rc=0 || rc=$?
check "purge --yes exits 0" test "$rc" = 0
check "the data is gone" inside test ! -e /var/lib/streamrelay

echo "install-container: $passed passed, $failed failed"
[ "$failed" = 0 ]
