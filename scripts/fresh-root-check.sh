#!/usr/bin/env bash
# Runs the README's two commands on a fresh Debian bookworm that holds only git and sudo, to catch a package that
# scripts/deps.sh forgets: builds the root with mmdebstrap, clones this repository's current commit into it (what is
# committed, not the work tree), then as an ordinary user with sudo
#   1. ./scripts/run.sh: waits for /healthz on 127.0.0.1, stops it with SIGTERM and expects exit status 0;
#   2. ./scripts/test.sh: the whole test command.
# The root shares this machine's network (the tests' servers listen on 127.0.0.1 here too).
# Prints each step's result and duration, appends them to bench/results/fresh-root.txt; exit status 0 only if both
# commands succeeded. Needs root or sudo; installs mmdebstrap and systemd-container through apt-get when missing.
# usage: scripts/fresh-root-check.sh [--keep] [--port N]   (N: the run command's port, default 8080 as in the README)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
keep=no port=8080
while [ $# -gt 0 ]; do
  case $1 in
    --keep) keep=yes ;;
    --port) port=$2; shift ;;
    *) echo "usage: $0 [--keep] [--port N]" >&2; exit 2 ;;
  esac
  shift
done

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
missing=()
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
command -v systemd-nspawn >/dev/null || missing+=(systemd-container)
command -v ss >/dev/null || missing+=(iproute2)
if [ ${#missing[@]} -gt 0 ]; then
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

commit=$(git -C "$repo" rev-parse HEAD)
root=$($sudo mktemp -d /var/tmp/streamrelay-fresh.XXXXXX)
log_dir=$(mktemp -d /tmp/streamrelay-fresh-logs.XXXXXX)
cleanup() {
  # a chroot fallback leaves mounts behind; nspawn cleans up after itself
  for m in dev/pts dev proc sys; do mountpoint -q "$root/$m" 2>/dev/null && $sudo umount -l "$root/$m"; done
  if [ "$keep" = no ]; then $sudo rm -rf --one-file-system "$root"; else echo "fresh-root: kept $root" >&2; fi
}
trap cleanup EXIT

say() { echo "fresh-root: $*" >&2; }
used_ports=$(ss -Hltn 2>/dev/null | awk '{print $4}' | grep -E '^(127\.0\.0\.1|0\.0\.0\.0|\*|\[::\]):' | sort -u | tr '\n' ' ' || true)
[ -z "$used_ports" ] || say "note: on this machine something already listens on: $used_ports"
if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
  say "port $port is in use on this machine; the run command cannot listen there (use --port N)"; exit 1
fi

t0=$(date +%s)
# minbase: the smallest bookworm (no curl, no python3, no procps...), plus what the README assumes. ca-certificates
# is on every installed Debian; without it neither apt over https nor Maven Central is reachable.
say "building a bookworm root in $root"
$sudo mmdebstrap --quiet --variant=minbase --include=git,sudo,ca-certificates bookworm "$root" \
  http://deb.debian.org/debian >"$log_dir/mmdebstrap.log" 2>&1 || { cat "$log_dir/mmdebstrap.log" >&2; exit 1; }
# this machine reaches the registries through its own certificate authorities
if [ -d /usr/local/share/ca-certificates ]; then
  $sudo cp -r /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
fi
# like a container image: installing a package does not start its service (Debian's nginx would take port 80 of this
# machine, since the root shares its network)
printf '#!/bin/sh\nexit 101\n' | $sudo tee "$root/usr/sbin/policy-rc.d" >/dev/null
$sudo chmod 755 "$root/usr/sbin/policy-rc.d"
$sudo chroot "$root" update-ca-certificates >/dev/null
# what the Debian installer and Raspberry Pi OS images write and mmdebstrap does not: without "localhost" in
# /etc/hosts chromedriver cannot reach the browser it started ("unable to connect to renderer")
echo streamrelay-fresh | $sudo tee "$root/etc/hostname" >/dev/null
printf '127.0.0.1\tlocalhost\n127.0.1.1\tstreamrelay-fresh\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
  | $sudo tee "$root/etc/hosts" >/dev/null
$sudo chroot "$root" useradd -m -s /bin/bash tester
echo 'tester ALL=(ALL) NOPASSWD:ALL' | $sudo tee "$root/etc/sudoers.d/tester" >/dev/null
$sudo git clone -q --no-hardlinks "$repo" "$root/home/tester/streamrelay"
$sudo git -C "$root/home/tester/streamrelay" -c advice.detachedHead=false checkout -q "$commit"
$sudo chroot "$root" chown -R tester:tester /home/tester/streamrelay
t_root=$(( $(date +%s) - t0 ))
say "root ready in ${t_root} s (commit $commit)"

# Runs a command as tester inside the root, sharing this machine's network. nspawn when it works here, else chroot.
runner=nspawn
if ! $sudo systemd-nspawn -q --register=no --keep-unit -D "$root" /bin/true >/dev/null 2>&1; then
  runner=chroot
  for m in proc sys dev dev/pts; do $sudo mount --bind "/$m" "$root/$m"; done
fi
in_root() {
  if [ $runner = nspawn ]; then
    $sudo systemd-nspawn -q --register=no --keep-unit -D "$root" --hostname=streamrelay-fresh --user=tester --chdir=/home/tester/streamrelay \
      --setenv=HOME=/home/tester /bin/bash -c "$1"
  else
    $sudo chroot --userspec=tester:tester "$root" /usr/bin/env -i HOME=/home/tester PATH=/usr/sbin:/usr/bin:/sbin:/bin \
      /bin/bash -c "cd /home/tester/streamrelay && $1"
  fi
}
say "commands run through $runner"

# 1. the run command. Only bash is there to ask /healthz (curl is not installed yet): one HTTP/1.0 request over
# /dev/tcp. The build downloads Maven and the dependencies first, hence the long deadline.
run_script='
./scripts/run.sh --port '"$port"' --bind 127.0.0.1 > /tmp/run.log 2>&1 &
pid=$!
healthz() {
  exec 3<>/dev/tcp/127.0.0.1/'"$port"' || return 1
  printf "GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
  local status; read -r status <&3; exec 3<&-
  case $status in "HTTP/1."?" 200"*) return 0 ;; *) return 1 ;; esac
}
deadline=$((SECONDS + 1200))
until healthz 2>/dev/null; do
  if ! kill -0 $pid 2>/dev/null; then echo "run.sh ended before /healthz answered"; cat /tmp/run.log; exit 1; fi
  if [ $SECONDS -ge $deadline ]; then echo "no /healthz after 1200 s"; cat /tmp/run.log; kill $pid; exit 1; fi
  sleep 1
done
echo "healthz answered after ${SECONDS} s"
kill -TERM $pid
status=0; wait $pid || status=$?
tail -3 /tmp/run.log
echo "run.sh exit status after SIGTERM: $status"
[ $status -eq 0 ]'
t1=$(date +%s)
run_result=FAIL
in_root "$run_script" >"$log_dir/run.log" 2>&1 && run_result=PASS
t_run=$(( $(date +%s) - t1 ))
tail -5 "$log_dir/run.log" >&2
say "run command: $run_result in ${t_run} s"

# 2. the test command, whole
t2=$(date +%s)
test_result=FAIL
in_root "./scripts/test.sh" >"$log_dir/test.log" 2>&1 && test_result=PASS
t_test=$(( $(date +%s) - t2 ))
grep -E 'Tests run:.*Fail|BUILD|ERROR' "$log_dir/test.log" | tail -15 >&2 || true
# the test reports, to read after the root is gone
for d in "$root"/home/tester/streamrelay/modules/*/target/surefire-reports; do
  [ -d "$d" ] && cp -r "$d" "$log_dir/$(basename "$(dirname "$(dirname "$d")")")-reports"
done
say "test command: $test_result in ${t_test} s"

line="$(date -u +%FT%TZ) commit=${commit:0:12} runner=$runner root=${t_root}s run_command=$run_result (${t_run}s) test_command=$test_result (${t_test}s) logs=$log_dir"
echo "$line"
echo "$line" >> "$repo/bench/results/fresh-root.txt"
[ $run_result = PASS ] && [ $test_result = PASS ]
