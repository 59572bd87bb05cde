#!/usr/bin/env bash
# Builds a ready-made image for a Raspberry Pi (or any Debian bookworm machine) on an x86 machine:
#   scripts/release.sh ARCH [--no-try]     ARCH: arm64, armhf or amd64
# makes build/release/streamrelay-VERSION-linux-ARCH.tar.gz holding install.sh, VERSION and image/ (a runtime
# jlinked against Debian's OpenJDK 17 for ARCH, whose .deb is downloaded and unpacked, not installed, with
# sqlite-jdbc's native library for ARCH). On the board: tar xzf ...; cd streamrelay-*; sudo ./install.sh
# (no JDK or Maven there). Then it tries the image: --help and /healthz with a fresh data folder, under
# qemu-user-static for a foreign ARCH (Debian's arm64/armhf libc unpacked as its sysroot). --no-try skips that.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

target=${1:-}
try=1
[ "${2:-}" = --no-try ] && try=0
case $target in
  arm64) target_arch=aarch64 qemu=qemu-aarch64-static ;;
  armhf) target_arch=arm qemu=qemu-arm-static ;;
  amd64) target_arch=x86_64 qemu="" ;;
  *) echo "usage: scripts/release.sh arm64|armhf|amd64 [--no-try]" >&2; exit 2 ;;
esac
host_arch=$(dpkg --print-architecture)
[ "$host_arch" = amd64 ] || { echo "release.sh: runs on an amd64 machine (this one is $host_arch)" >&2; exit 1; }
[ "$target" = amd64 ] && qemu=""

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

bash scripts/deps.sh build
. scripts/env.sh

# (env.sh's own $arch is this machine's; the target is $target)
# Debian's packages for ARCH: downloaded, never installed (dpkg needs to know the architecture to fetch them)
added_arch=0
if [ "$target" != "$host_arch" ] && ! dpkg --print-foreign-architectures | grep -qx "$target"; then
  echo "release: dpkg --add-architecture $target (to download its packages; nothing of it is installed)"
  as_root dpkg --add-architecture "$target"
  added_arch=1
  as_root apt-get update -q || echo "release: apt-get update had errors (above); going on with the lists there are" >&2
fi
# leave this machine's dpkg as it was: a foreign architecture would make every later apt-get update fetch its lists
restore_arch() {
  if [ "$added_arch" = 1 ]; then
    as_root dpkg --remove-architecture "$target" && as_root apt-get update -q >/dev/null 2>&1 || true
  fi
}
trap restore_arch EXIT
if [ -n "$qemu" ] && [ "$try" = 1 ] && ! command -v "$qemu" >/dev/null; then
  as_root apt-get install -y -q --no-install-recommends qemu-user-static
fi

version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -n1)
name=streamrelay-$version-linux-$target
out=$repo/build/release
work=$out/work-$target
debs=$out/debs-$target
rm -rf "$work"
mkdir -p "$work" "$debs"

fetch() { # package: the .deb for ARCH in $debs, unpacked into $2
  local pkg=$1 dest=$2 deb
  deb=$(ls "$debs/${pkg}_"*"_$target.deb" 2>/dev/null | tail -n1 || true)
  if [ -z "$deb" ]; then
    # as root apt would warn that its sandbox user cannot write here; the download is only unpacked
    (cd "$debs" && apt-get -o APT::Sandbox::User="$(id -un)" download -q "$pkg:$target" >/dev/null) || { echo "release: apt-get download $pkg:$target failed" >&2; exit 1; }
    deb=$(ls "$debs/${pkg}_"*"_$target.deb" | tail -n1)
  fi
  dpkg-deb -x "$deb" "$dest"
  basename "$deb"
}

echo "release: Debian's OpenJDK 17 for $target"
jdk_deb=$(fetch openjdk-17-jdk-headless "$work/jdk")
jmods=$(echo "$work"/jdk/usr/lib/jvm/java-17-openjdk-"$target"/jmods)
[ -f "$jmods/java.base.jmod" ] || { echo "release: no jmods in $jdk_deb" >&2; exit 1; }

echo "release: building the application modules"
mvn -B -q -DskipTests package
mods=$repo/modules/stream-app/target/mods

mkdir -p "$work/$name"
TARGET_JMODS=$jmods TARGET_ARCH=$target_arch \
  bash modules/stream-app/src/build/make-image.sh "$JAVA_HOME" "$mods" "$work/$name/image" "$repo"
rev=$(git describe --always --dirty 2>/dev/null || true)
echo "$version${rev:+ (git $rev)}" >"$work/$name/VERSION"
cp install.sh "$work/$name/"
cp README.md "$work/$name/"
tar -C "$work" --owner=0 --group=0 -czf "$out/$name.tar.gz" "$name"
echo "release: $out/$name.tar.gz ($(du -h "$out/$name.tar.gz" | cut -f1) packed, image $(du -sh "$work/$name/image" | cut -f1) unpacked, $jdk_deb)"

[ "$try" = 1 ] || exit 0

# ---- try the image on this machine: --help, then /healthz with a fresh data folder ----
trial=$work/trial
# a 32-bit program under qemu-user cannot list folders of a large ext4 file system (readdir: "Value too large for
# defined data type", the 64-bit directory offsets); on tmpfs it can
if [ "$target" = armhf ] && [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then trial=$(mktemp -d /dev/shm/streamrelay-trial.XXXXXX); fi
mkdir -p "$trial"
tar -C "$trial" -xzf "$out/$name.tar.gz"
image=$trial/$name/image
if [ -n "$qemu" ]; then
  # the target's C and C++ runtime as qemu's sysroot; java runs through a wrapper so that the real launcher,
  # bin/streamrelay, is what is tried
  sysroot=$work/sysroot
  for p in libc6 libgcc-s1 libstdc++6 zlib1g; do fetch "$p" "$sysroot" >/dev/null; done
  mv "$image/bin/java" "$image/bin/java.$target"
  printf '#!/bin/sh\nexec %s -L %s "$(dirname "$0")/java.%s" "$@"\n' "$(command -v "$qemu")" "$sysroot" "$target" >"$image/bin/java"
  chmod 755 "$image/bin/java"
fi
trial_opts=""
# the same readdir limit hits the JVM's listing of java.io.tmpdir (sqlite-jdbc cleans it at load)
[ "$target" = armhf ] && { mkdir -p "$trial/tmp"; trial_opts="-Djava.io.tmpdir=$trial/tmp"; }
echo "release: trying the $target image${qemu:+ under $qemu}"
t0=$(date +%s%N)
STREAMRELAY_CDS=off STREAMRELAY_JAVA_OPTS=$trial_opts "$image/bin/streamrelay" --help >"$trial/help.txt"
echo "release: --help in $(( ($(date +%s%N) - t0) / 1000000 )) ms: $(head -n1 "$trial/help.txt")"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
t0=$(date +%s%N)
STREAMRELAY_CDS=off STREAMRELAY_JAVA_OPTS=$trial_opts "$image/bin/streamrelay" --data "$trial/data" --bind 127.0.0.1 --port "$port" >"$trial/run.log" 2>&1 &
pid=$!
ok=0
for _ in $(seq 1 600); do
  if curl -sf "http://127.0.0.1:$port/healthz" >"$trial/healthz.json" 2>/dev/null; then ok=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
kill -TERM "$pid" 2>/dev/null || true
wait "$pid" && rc=0 || rc=$?
if [ "$ok" = 1 ]; then
  echo "release: /healthz answered $(cat "$trial/healthz.json") after $ms ms; SIGTERM exit status $rc"
  [ -f "$trial/data/streamrelay.db" ] || { echo "release: no database was made" >&2; exit 1; }
else
  echo "release: the $target image did not answer /healthz:" >&2
  tail -n 20 "$trial/run.log" >&2
  exit 1
fi
rm -rf "$trial"
restore_arch
trap - EXIT
