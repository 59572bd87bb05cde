#!/usr/bin/env bash
# Builds the self-contained runtime image: a jlinked JDK of only the modules the appliance needs, the
# application's modules beside it on a module path, sqlite-jdbc's native library for this machine only,
# the presets and the dashboard, and the launcher bin/streamrelay.
# usage: make-image.sh JAVA_HOME MODS_DIR IMAGE_DIR REPO_ROOT
#
# For another architecture (the Raspberry Pi release), without changing anything else:
#   TARGET_JMODS=DIR   the jmods folder of Debian's OpenJDK 17 for the target (openjdk-17-jdk-headless:arm64 unpacked
#                      with dpkg-deb -x, e.g.
#                      .../usr/lib/jvm/java-17-openjdk-arm64/jmods); default: JAVA_HOME/jmods (this machine)
#   TARGET_ARCH=NAME   x86_64, aarch64 or arm: which of sqlite-jdbc's Linux native libraries to keep;
#                      default: this machine's
# This machine's jlink links the target's jmods (it must be the same feature release, 17).
set -euo pipefail
java_home=$1 mods=$(realpath "$2") image=$(realpath -m "$3") root=$(realpath "$4")
jlink="$java_home/bin/jlink"
[ -x "$jlink" ] || { echo "make-image: no jlink in $java_home (install openjdk-17-jdk-headless)" >&2; exit 1; }
jmods=${TARGET_JMODS:-$java_home/jmods}
[ -f "$jmods/java.base.jmod" ] || { echo "make-image: no java.base.jmod in $jmods (TARGET_JMODS)" >&2; exit 1; }

target_arch=${TARGET_ARCH:-$(uname -m)}
case "$target_arch" in
  x86_64|amd64) sqlite_arch=x86_64 ;;
  aarch64|arm64) sqlite_arch=aarch64 ;;
  arm|armhf|armv7l|armv6l) sqlite_arch=arm ;;
  *) echo "make-image: unsupported target architecture $target_arch (TARGET_ARCH: x86_64, aarch64 or arm)" >&2; exit 1 ;;
esac

# jlink makes the CDS archive by running the new image's java, which only works for this machine
cds_flag=--generate-cds-archive
[ -z "${TARGET_JMODS:-}" ] || cds_flag=

rm -rf "$image"
mkdir -p "$(dirname "$image")"
# JDK modules only: jlink refuses automatic modules (minimal-json), so the application is not linked in but
# launched from the module path inside the image. java.sql.rowset, java.naming and java.security.sasl are what
# sqlite-jdbc's module descriptor requires; jdk.crypto.ec gives TLS to an https SSE server.
# --strip-java-debug-attributes, not --strip-debug: the latter also runs binutils' objcopy on the native libraries,
# which a fresh machine lacks (jlink stops with 'Cannot run program "objcopy"'), and Debian's libraries carry no
# debug sections anyway (the two flags gave byte-identical images).
"$jlink" --module-path "$jmods" --add-modules java.base,java.sql,java.sql.rowset,java.naming,java.security.sasl,java.net.http,jdk.httpserver,jdk.unsupported,jdk.crypto.ec \
  --strip-java-debug-attributes --no-header-files --no-man-pages $cds_flag \
  --output "$image"

# No --compress: classes are then mapped from lib/modules instead of inflated into the heap of the process, which
# measured 6 MB less resident memory (57.6 vs 63.6 MB) for 17 MB more on disk. The CDS archive for uncompressed oops
# is never used (the heap is far below 32 GB), so it goes.
rm -f "$image/lib/server/classes_nocoops.jsa"

mkdir -p "$image/app" "$image/lib/sqlite"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for jar in "$mods"/*.jar; do
  name=$(basename "$jar")
  case "$name" in
    sqlite-jdbc-*.jar)
      # keep only this machine's native library, outside the jar, so nothing is extracted to /tmp at each start
      (cd "$work" && "$java_home/bin/jar" xf "$jar")
      cp "$work/org/sqlite/native/Linux/$sqlite_arch/libsqlitejdbc.so" "$image/lib/sqlite/"
      rm -rf "$work/org/sqlite/native"
      # rebuild the jar without the natives, keeping its manifest and multi-release module descriptor
      "$java_home/bin/jar" --create --file "$image/app/$name" --manifest "$work/META-INF/MANIFEST.MF" -C "$work" .
      rm -rf "${work:?}"/*
      ;;
    *) cp "$jar" "$image/app/" ;;
  esac
done

mkdir -p "$image/share"
cp -r "$root/ffmpeg-presets" "$image/share/ffmpeg-presets" 2>/dev/null || mkdir -p "$image/share/ffmpeg-presets"
cp -r "$root/web" "$image/share/web" 2>/dev/null || mkdir -p "$image/share/web"

# only the java launcher is needed (jlink also adds keytool and friends)
find "$image/bin" -type f ! -name java -delete
cat > "$image/bin/streamrelay" <<'LAUNCHER'
#!/bin/sh
# streamrelay launcher: runs the appliance on the Java runtime inside this image (no installed JDK needed).
self=$(readlink -f "$0")
home=$(dirname "$(dirname "$self")")
# Small-board defaults (a 1 GB Pi): serial GC, a small bounded heap and code cache, C1 only, and two malloc arenas
# (glibc makes one per thread otherwise, each keeping freed memory). STREAMRELAY_JAVA_OPTS adds to and overrides them.
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
exec "$home/bin/java" -XX:+UseSerialGC -Xms4m -Xmx64m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=24m \
  -XX:TieredStopAtLevel=1 -Xss512k -XX:+ExitOnOutOfMemoryError \
  -Dorg.sqlite.lib.path="$home/lib/sqlite" -Dorg.sqlite.lib.name=libsqlitejdbc.so \
  -Dstreamrelay.home="$home" -Djava.util.logging.SimpleFormatter.format='%1$tF %1$tT %4$s %3$s: %5$s%6$s%n' \
  $STREAMRELAY_JAVA_OPTS \
  -p "$home/app" -m stream.app/stream.app.Main "$@"
LAUNCHER
chmod 755 "$image/bin/streamrelay"
echo "make-image: $image ($(du -sh "$image" | cut -f1))"
