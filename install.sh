#!/usr/bin/env bash
# streamrelay installer for Raspberry Pi OS and Debian bookworm (arm64, armhf, x86_64).
#
#   sudo ./install.sh                  install, or upgrade in place (data and settings are kept)
#   sudo ./install.sh --uninstall      remove everything but the data (/var/lib/streamrelay)
#   sudo ./install.sh --purge [--yes]  remove the data too, after a confirmation
#   sudo ./install.sh --reset-password set a new admin password and print it
#
# It uses the ready-made image beside it (a release tarball's image/), or builds one when run from a clone.
# Run ./install.sh --help for every option.
set -euo pipefail

readonly NAME=streamrelay
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)

usage() {
  cat <<'EOF'
Usage: sudo ./install.sh [OPTION]...
Installs streamrelay as a systemd service; run again to upgrade in place (data and settings are kept).

  --uninstall         stop and remove the service, the program, its settings and its user; keep the data
  --purge             like --uninstall, and delete the data too (asks first, unless --yes)
  --yes               answer yes to the --purge question
  --reset-password    set a new random admin password and print it
  --port N            dashboard port (default 8080; kept from the last install when not given)
  --image DIR         install this runtime image instead of the one beside this script or a fresh build
  --prefix DIR        install under DIR instead of / (a staging or test install: no system user, no apt-get)
  --no-systemd        do not write or start a systemd unit; start the appliance as a background process
                      (its pid in DATA/streamrelay.pid, its output in DATA/streamrelay.log)
  --help              print this help

Layout: program /opt/streamrelay, data /var/lib/streamrelay (0700), settings /etc/streamrelay/streamrelay.env,
class-data-sharing archive /var/cache/streamrelay, unit /etc/systemd/system/streamrelay.service.
EOF
}

# ---- output: every step says what it did; a failure says what failed and what is left as it was ----
step() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
warn() { printf 'install.sh: warning: %s\n' "$*" >&2; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

action=install port="" image_arg="" prefix="" use_systemd=1 assume_yes=0
while [ $# -gt 0 ]; do
  case $1 in
    --uninstall) action=uninstall ;;
    --purge) action=purge ;;
    --reset-password) action=reset-password ;;
    --yes|-y) assume_yes=1 ;;
    --port) [ $# -ge 2 ] || die "--port needs a value"; port=$2; shift ;;
    --port=*) port=${1#*=} ;;
    --image) [ $# -ge 2 ] || die "--image needs a directory"; image_arg=$2; shift ;;
    --image=*) image_arg=${1#*=} ;;
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift ;;
    --prefix=*) prefix=${1#*=} ;;
    --no-systemd) use_systemd=0 ;;
    --help|-h) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
if [ -n "$port" ]; then
  [[ $port =~ ^[0-9]{1,5}$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] \
    || die "--port must be a number from 1 to 65535, not '$port'"
fi
if [ -n "$prefix" ]; then
  case $prefix in /*) ;; *) prefix=$(pwd)/$prefix ;; esac
  prefix=${prefix%/}
  [ "$prefix" != "" ] || die "--prefix / is the default; leave it out"
fi

opt_dir=$prefix/opt/$NAME
data_dir=$prefix/var/lib/$NAME
cache_dir=$prefix/var/cache/$NAME
conf_dir=$prefix/etc/$NAME
env_file=$conf_dir/$NAME.env
unit_file=$prefix/etc/systemd/system/$NAME.service
# a real install runs as the system user; a --prefix install belongs to whoever ran it
system_install=0
[ -z "$prefix" ] && system_install=1

if [ "$system_install" = 1 ] && [ "$(id -u)" -ne 0 ]; then
  die "run it as root: sudo ./install.sh $*"
fi
if [ "$use_systemd" = 1 ] && [ "$system_install" = 1 ] && [ ! -d /run/systemd/system ]; then
  die "systemd is not running here; use --no-systemd (and --prefix DIR for a staging install)"
fi
# with --prefix the unit is only written (for inspection), never enabled: the host's systemd does not read it
manage_unit=0
[ "$use_systemd" = 1 ] && [ "$system_install" = 1 ] && manage_unit=1

# the prefix that runs a command as the service user: setpriv execs the command itself, so a pid taken with $!
# is the appliance's own (runuser, or a shell function, would stay its parent and a signal would not reach the JVM)
run_as=()
started_pid= # the background appliance start_background made in this run
[ "$system_install" = 1 ] && run_as=(setpriv --reuid="$NAME" --regid="$NAME" --init-groups --)

configured_port() {
  local p=""
  [ -f "$env_file" ] && p=$(sed -n 's/^STREAMRELAY_PORT=\([0-9]*\)$/\1/p' "$env_file" | tail -n1)
  echo "${p:-8080}"
}

# GET PATH on loopback with bash's /dev/tcp (no curl needed on a fresh board); true on a 200. A third argument
# is sent as Basic credentials (user:password).
http_ok() { # port path [credentials]
  local reply auth=""
  [ -n "${3:-}" ] && auth="Authorization: Basic $(printf '%s' "$3" | base64 -w0)"$'\r\n'
  reply=$(timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: localhost\r\n%s\r\n" "$2" "$3" >&3; head -c 64 <&3' _ "$1" "$2" "$auth" 2>/dev/null) || return 1
  [[ $reply == "HTTP/1."?" 200"* ]]
}
healthz_ok() { http_ok "$1" /healthz; }

wait_for_health() { # port seconds
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt "$deadline" ]; do
    healthz_ok "$1" && return 0
    if [ "$manage_unit" = 1 ] && systemctl is-failed --quiet "$NAME"; then return 1; fi
    # the process start_background made, not background_pid: until its subshell has run exec, that pid's command
    # line is this script's, so the name check would call a starting appliance dead (seen under load)
    if [ "$manage_unit" = 0 ] && ! kill -0 "$started_pid" 2>/dev/null; then return 1; fi
    sleep 0.5
  done
  return 1
}

# ---- the appliance as a background process (--no-systemd) ----
background_pid() {
  local pid
  [ -f "$data_dir/$NAME.pid" ] || return 1
  pid=$(cat "$data_dir/$NAME.pid")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && grep -qa "streamrelay" "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}

stop_background() {
  local pid
  pid=$(background_pid) || { rm -f "$data_dir/$NAME.pid"; return 0; }
  kill -TERM "$pid"
  local deadline=$((SECONDS + 20))
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt "$deadline" ]; do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    warn "the appliance (pid $pid) did not stop within 20 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$data_dir/$NAME.pid"
  note "stopped the appliance (pid $pid)"
}

start_background() {
  # the same settings the unit reads; setsid so that the appliance outlives this shell
  (
    set -a; [ -f "$env_file" ] && . "$env_file"; set +a
    export STREAMRELAY_CDS_DIR=$cache_dir
    cd "$data_dir"
    exec setsid "${run_as[@]}" "$opt_dir/bin/$NAME" --data "$data_dir" </dev/null >>"$data_dir/$NAME.log" 2>&1
  ) &
  started_pid=$!
  echo "$started_pid" >"$data_dir/$NAME.pid"
}

stop_service() {
  if [ "$manage_unit" = 1 ]; then
    if systemctl is-active --quiet "$NAME" 2>/dev/null; then
      systemctl stop "$NAME" && note "stopped the service"
    fi
  else
    stop_background
  fi
}

# ---- uninstall and purge ----
uninstall() {
  local purge=$1
  if [ "$purge" = 1 ] && [ "$assume_yes" = 0 ]; then
    if [ ! -t 0 ]; then
      die "--purge deletes $data_dir (the database and settings); add --yes to confirm when not asked on a terminal. Nothing was removed."
    fi
    printf 'Delete %s with the database, the streams and the settings? Type yes: ' "$data_dir"
    local answer; read -r answer
    [ "$answer" = yes ] || die "not confirmed; nothing was removed"
  fi
  step "Removing streamrelay"
  if [ "$system_install" = 1 ] && [ -d /run/systemd/system ]; then
    if systemctl list-unit-files "$NAME.service" >/dev/null 2>&1 && [ -f "$unit_file" ]; then
      systemctl disable --now "$NAME" >/dev/null 2>&1 && note "stopped and disabled the service" \
        || warn "could not stop the service (systemctl disable --now $NAME failed)"
    fi
  fi
  stop_background
  local removed=()
  for p in "$unit_file" "$opt_dir" "$cache_dir" "$conf_dir"; do
    if [ -e "$p" ]; then rm -rf "$p" && removed+=("$p"); fi
  done
  if [ "$system_install" = 1 ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
  if [ "$system_install" = 1 ] && id "$NAME" >/dev/null 2>&1; then
    userdel "$NAME" && removed+=("user $NAME") || warn "could not remove the user $NAME"
  fi
  if [ ${#removed[@]} -gt 0 ]; then note "removed: ${removed[*]}"; else note "nothing was installed"; fi
  if [ "$purge" = 1 ]; then
    if [ -e "$data_dir" ]; then rm -rf "$data_dir" && note "deleted the data: $data_dir"; else note "no data at $data_dir"; fi
    step "streamrelay is removed, with its data"
  else
    [ -d "$data_dir" ] && note "kept the data: $data_dir (the database streamrelay.db and its settings)"
    # this script may have been the installed copy, which is gone now
    [ -d "$data_dir" ] && note "a new install uses it again; to delete it: $([ "$system_install" = 1 ] && echo 'sudo ')rm -rf $data_dir (or install.sh --purge)"
    step "streamrelay is removed"
  fi
}

# ---- packages ----
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

apt_install() {
  step "Installing with apt-get: $*"
  if ! apt-get update -q >/dev/null; then warn "apt-get update failed; trying with the package lists there are"; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" \
    || die "apt-get could not install $* (see the lines above); nothing else was changed"
}

ensure_ffmpeg() {
  if command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null; then return 0; fi
  if [ "$system_install" = 0 ]; then
    die "ffmpeg is not installed; a --prefix install does not run apt-get: apt-get install ffmpeg"
  fi
  apt_install ffmpeg
}

# ---- the image: beside this script (release tarball), given, or built from this clone ----
machine_arch() {
  case $(uname -m) in
    x86_64|amd64) echo x86_64 ;;
    aarch64|arm64) echo aarch64 ;;
    armv7l|armv6l|armhf|arm) echo arm ;;
    *) uname -m ;;
  esac
}

# the architecture a jlinked image was made for, from its java's ELF header (e_machine at byte 18; the release
# file of Debian's jlink has no OS_ARCH)
image_arch() {
  local m
  m=$(od -An -tu2 -j18 -N2 "$1/bin/java" 2>/dev/null | tr -d ' ')
  case $m in 62) echo x86_64 ;; 183) echo aarch64 ;; 40) echo arm ;; *) echo "unknown (ELF machine ${m:-?})" ;; esac
}

check_image() {
  local dir=$1
  [ -x "$dir/bin/$NAME" ] && [ -x "$dir/bin/java" ] && [ -f "$dir/release" ] \
    || die "$dir is not a streamrelay image (no bin/$NAME, bin/java or release file)"
  local want have
  want=$(machine_arch) have=$(image_arch "$dir")
  [ "$have" = "$want" ] || die "$dir is an image for $have, this machine is $want: use the tarball for this machine's architecture"
}

version_of_clone() {
  local v rev
  v=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$here/pom.xml" | head -n1)
  rev=$(git -C "$here" describe --always --dirty 2>/dev/null || true)
  echo "${v:-unknown}${rev:+ (git $rev)}"
}

image_dir="" image_version=""
find_image() {
  if [ -n "$image_arg" ]; then
    image_dir=$(cd "$image_arg" 2>/dev/null && pwd) || die "--image $image_arg: no such directory"
    image_version=$(cat "$image_dir/VERSION" 2>/dev/null || { [ -f "$here/pom.xml" ] && version_of_clone; } || echo unknown)
  elif [ -d "$here/image" ]; then
    image_dir=$here/image
    image_version=$(cat "$here/VERSION" 2>/dev/null || cat "$image_dir/VERSION" 2>/dev/null || echo unknown)
    step "Using the ready-made image beside this script: $image_version"
  elif [ -f "$here/pom.xml" ] && [ -f "$here/scripts/deps.sh" ]; then
    [ "$system_install" = 1 ] || die "a --prefix install does not build; build first (mvn package) and pass --image build/image"
    step "Building the image from this clone (installs the JDK 17 and Maven through apt-get if they are missing)"
    # deps.sh installs the build tools only when they are missing
    bash "$here/scripts/deps.sh" build || die "could not install the build tools; nothing was changed"
    ( cd "$here" && . scripts/env.sh && mvn -B -q -DskipTests package ) \
      || die "the build failed (see the lines above); nothing was changed"
    image_dir=$here/build/image
    image_version=$(version_of_clone)
  else
    die "no image beside this script ($here/image) and not a clone to build from; use a release tarball"
  fi
  check_image "$image_dir"
}

# ---- class-data sharing: an archive of the classes the appliance loads, made on this board (jlink cannot make one
# for another architecture) by the launcher (bin/streamrelay --make-cds) into the cache folder, where the launcher
# finds it at every start. It saves start-up time and memory; without it the JVM starts without sharing. ----
make_cds_archive() {
  if ! grep -q -- '--make-cds' "$opt_dir/bin/$NAME"; then
    note "this image's launcher makes no class-data-sharing archive; it starts without one"
    return 0
  fi
  local out
  if out=$(cd "$cache_dir" && "${run_as[@]}" env STREAMRELAY_CDS_DIR="$cache_dir" "$opt_dir/bin/$NAME" --make-cds 2>&1); then
    note "made the class-data-sharing archive for this board: ${out##*CDS archive }"
  else
    warn "could not make the class-data-sharing archive (the service makes one after its first start): $(echo "$out" | tail -n1)"
  fi
}

# ---- the unit ----
write_unit() {
  mkdir -p "$(dirname "$unit_file")"
  cat >"$unit_file.new" <<UNIT
# Written by streamrelay's install.sh; running it again rewrites this file (put local changes in a drop-in:
# systemctl edit $NAME). Scored with systemd-analyze security $NAME.
[Unit]
Description=streamrelay: RTSP camera to RTMP (YouTube Live) relay
Documentation=file:///opt/$NAME/README.md
Wants=network-online.target
After=network-online.target
# a board that keeps failing (no camera, a full disk) retries every RestartSec forever instead of giving up
StartLimitIntervalSec=0

[Service]
Type=exec
User=$NAME
Group=$NAME
# the Pi 3/4 hardware encoder (/dev/video11) belongs to group video
SupplementaryGroups=video
WorkingDirectory=/var/lib/$NAME
EnvironmentFile=-/etc/$NAME/$NAME.env
ExecStart=/opt/$NAME/bin/$NAME --data /var/lib/$NAME
# the appliance exits 0 on SIGTERM after stopping ffmpeg gracefully (q, then SIGTERM after 3 s, SIGKILL after 5 s
# more): the stop timeout leaves it room; then every process left in the service's cgroup, an ffmpeg included,
# is killed, so none outlives the service
KillMode=control-group
TimeoutStopSec=25
Restart=always
RestartSec=5
StandardOutput=journal
StandardError=journal
SyslogIdentifier=$NAME
# a 1 GB board: the JVM's heap is bounded by the launcher (-Xmx64m); this bounds the service with ffmpeg, where
# the kernel has the memory controller (Raspberry Pi kernels ship it disabled)
MemoryMax=70%
StateDirectory=$NAME
StateDirectoryMode=0700
# the class-data-sharing archive made at install for this board (the launcher finds it through CACHE_DIRECTORY)
CacheDirectory=$NAME
CacheDirectoryMode=0700
UMask=0077

# sandbox: the service sees the file system read-only but for its state and cache directories, has no
# capabilities, no devices but video4linux ones, and only the system calls of an ordinary service.
# Not set, on purpose: MemoryDenyWriteExecute (the JIT writes code), PrivateNetwork and IPAddressDeny (it talks
# to the camera and the RTMP server), PrivateDevices (it would hide /dev/video*).
NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
PrivateUsers=yes
PrivateTmp=yes
ProtectSystem=strict
ProtectHome=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
ProcSubset=pid
DevicePolicy=closed
DeviceAllow=char-video4linux rw
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
RemoveIPC=yes
KeyringMode=private
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged
SystemCallErrorNumber=EPERM

[Install]
WantedBy=multi-user.target
UNIT
  mv -f "$unit_file.new" "$unit_file"
  chmod 0644 "$unit_file"
  note "wrote $unit_file"
}

write_env_file() {
  mkdir -p "$conf_dir"
  if [ -f "$env_file" ]; then
    if [ -n "$port" ] && [ "$(configured_port)" != "$port" ]; then
      sed -i "s/^STREAMRELAY_PORT=.*/STREAMRELAY_PORT=$port/" "$env_file"
      grep -q '^STREAMRELAY_PORT=' "$env_file" || echo "STREAMRELAY_PORT=$port" >>"$env_file"
      note "set the port to $port in $env_file"
    else
      note "kept the settings in $env_file"
    fi
    return 0
  fi
  cat >"$env_file" <<ENV
# streamrelay's service settings, read at every start (sudo systemctl restart streamrelay after a change).
# An upgrade keeps this file; the streams and the other settings live in /var/lib/streamrelay/streamrelay.db.
STREAMRELAY_PORT=${port:-8080}
STREAMRELAY_BIND=0.0.0.0
# STREAMRELAY_SSE_URL=https://control.example/events
# JVM options added to the launcher's small-board defaults (-Xmx64m, serial GC, C1 only), e.g. a larger heap:
# STREAMRELAY_JAVA_OPTS=-Xmx96m
ENV
  chmod 0640 "$env_file"
  [ "$system_install" = 1 ] && chgrp "$NAME" "$env_file"
  note "wrote the settings $env_file (port ${port:-8080})"
}

ensure_user() {
  if id "$NAME" >/dev/null 2>&1; then
    id -nG "$NAME" | tr ' ' '\n' | grep -qx video || { usermod -a -G video "$NAME"; note "added user $NAME to group video"; }
    return 0
  fi
  getent group video >/dev/null || groupadd --system video
  useradd --system --user-group --groups video --home-dir "/var/lib/$NAME" --no-create-home \
    --shell /usr/sbin/nologin --comment "streamrelay appliance" "$NAME" || die "could not create the user $NAME"
  note "created the system user $NAME (group video)"
}

# swaps the new program in beside the old one, so a failed copy leaves the old one in place
install_image() {
  local new=$opt_dir.new old=$opt_dir.old
  rm -rf "$new" "$old"
  mkdir -p "$(dirname "$opt_dir")"
  cp -a "$image_dir" "$new" || { rm -rf "$new"; die "could not copy the image to $new; the installed program is unchanged"; }
  echo "$image_version" >"$new/VERSION"
  cp "$here/install.sh" "$new/install.sh"
  [ -f "$here/README.md" ] && cp "$here/README.md" "$new/README.md"
  chmod 0755 "$new/install.sh"
  chown -R root:root "$new" 2>/dev/null || true
  chmod -R go-w,a+rX "$new"
  [ -d "$opt_dir" ] && mv "$opt_dir" "$old"
  mv "$new" "$opt_dir"
  rm -rf "$old"
  note "installed the program in $opt_dir ($(du -sh "$opt_dir" | cut -f1))"
}

print_addresses() {
  local p=$1 host a
  host=$(hostname 2>/dev/null || cat /etc/hostname)
  echo "  http://$host.local:$p/"
  for a in $(hostname -I 2>/dev/null || true); do
    case $a in *:*) echo "  http://[$a]:$p/" ;; *) echo "  http://$a:$p/" ;; esac
  done
}

# how to run the installed copy of this script again with the same layout
installed_self() {
  if [ "$system_install" = 1 ]; then echo "sudo /opt/$NAME/install.sh"
  else echo "$opt_dir/install.sh --prefix $prefix$([ "$use_systemd" = 0 ] && echo ' --no-systemd')"; fi
}

start_and_wait() {
  local p; p=$(configured_port)
  if [ "$manage_unit" = 1 ]; then
    systemctl daemon-reload
    systemctl enable "$NAME" >/dev/null 2>&1 || die "systemctl enable $NAME failed"
    systemctl restart "$NAME" || die "the service did not start: journalctl -u $NAME -n 50"
  else
    start_background
  fi
  step "Waiting for the dashboard on port $p"
  if ! wait_for_health "$p" 180; then
    if [ "$manage_unit" = 1 ]; then
      journalctl -u "$NAME" -n 20 --no-pager >&2 || true
      die "the service is installed but does not answer on port $p; see journalctl -u $NAME"
    fi
    tail -n 20 "$data_dir/$NAME.log" >&2 || true
    die "the appliance is installed but does not answer on port $p; see $data_dir/$NAME.log"
  fi
}

install_or_upgrade() {
  local upgrade=0 previous=""
  [ -f "$data_dir/streamrelay.db" ] && upgrade=1
  [ -f "$opt_dir/VERSION" ] && previous=$(cat "$opt_dir/VERSION")
  find_image
  if [ "$upgrade" = 1 ]; then step "Upgrading streamrelay${previous:+ $previous} to $image_version (data in $data_dir is kept)"
  else step "Installing streamrelay $image_version"; fi
  ensure_ffmpeg
  [ "$system_install" = 1 ] && ensure_user
  stop_service
  install_image
  mkdir -p "$data_dir" "$cache_dir"
  chmod 0700 "$data_dir"
  if [ "$system_install" = 1 ]; then
    # owned by the service user, also when a reinstall made the user anew with another uid
    chown -R "$NAME:$NAME" "$data_dir"
    chown "$NAME:$NAME" "$cache_dir"
  fi
  write_env_file
  make_cds_archive
  # a staging install writes the unit too, for inspection (systemd-analyze verify/security --offline)
  if [ "$use_systemd" = 1 ] || [ "$system_install" = 0 ]; then write_unit; fi
  start_and_wait
  local p; p=$(configured_port)
  echo
  if [ "$upgrade" = 1 ]; then
    step "streamrelay is upgraded to $image_version and running; data and settings are kept"
    print_addresses "$p"
  else
    step "streamrelay $image_version is installed and running. Open the dashboard:"
    print_addresses "$p"
    if [ -f "$data_dir/initial-admin-password" ]; then
      echo "  user: admin   initial password: $(cat "$data_dir/initial-admin-password")"
    fi
    echo "  forgot it? $(installed_self) --reset-password"
  fi
  if [ "$manage_unit" = 1 ]; then
    echo "  logs: journalctl -u $NAME   status: systemctl status $NAME   remove: $(installed_self) --uninstall"
  fi
}

reset_password() {
  [ -x "$opt_dir/bin/$NAME" ] || die "streamrelay is not installed in $opt_dir"
  local pw p; p=$(configured_port)
  pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
  step "Setting a new admin password"
  local was_active=0
  if [ "$manage_unit" = 1 ]; then systemctl is-active --quiet "$NAME" && was_active=1
  else background_pid >/dev/null && was_active=1; fi
  stop_service
  # one short run that stores the password (given through the environment, which only its user can read),
  # on loopback, then the service starts as before
  local pid
  "${run_as[@]}" env STREAMRELAY_ADMIN_PASSWORD="$pw" STREAMRELAY_CDS_DIR="$cache_dir" "$opt_dir/bin/$NAME" \
    --data "$data_dir" --bind 127.0.0.1 --port "$p" >/dev/null 2>&1 &
  pid=$!
  local deadline=$((SECONDS + 120))
  # the appliance answers /healthz before it has stored the password; a call signed with the new one waits for it
  local stored=0
  while [ $SECONDS -lt $deadline ] && kill -0 "$pid" 2>/dev/null; do
    if http_ok "$p" /api/stream/status "admin:$pw"; then stored=1; break; fi
    sleep 0.3
  done
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ "$stored" = 1 ] || die "could not set the password (the appliance did not start; see journalctl -u $NAME)"
  rm -f "$data_dir/initial-admin-password"
  if [ "$was_active" = 1 ]; then start_and_wait; fi
  step "New admin password for user admin: $pw"
}

case $action in
  install) install_or_upgrade ;;
  uninstall) uninstall 0 ;;
  purge) uninstall 1 ;;
  reset-password) reset_password ;;
esac
