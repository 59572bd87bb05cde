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
  # sqlite-jdbc's Linux/arm is ARMv5 soft-float (armel), which Debian's armhf JVM refuses ("No native library found",
  # seen under qemu-arm); Linux/armv6 is hard-float and runs on every board Raspberry Pi OS's armhf supports
  arm|armhf|armv7l|armv6l) sqlite_arch=armv6 ;;
  *) echo "make-image: unsupported target architecture $target_arch (TARGET_ARCH: x86_64, aarch64 or arm)" >&2; exit 1 ;;
esac

rm -rf "$image"
mkdir -p "$(dirname "$image")"
# JDK modules only: jlink refuses automatic modules (minimal-json), so the application is not linked in but
# launched from the module path inside the image. java.sql.rowset, java.naming and java.security.sasl are what
# sqlite-jdbc's module descriptor requires; jdk.crypto.ec gives TLS to an https SSE server.
# --strip-java-debug-attributes, not --strip-debug: the latter also runs binutils' objcopy on the native libraries,
# which a fresh machine lacks (jlink stops with 'Cannot run program "objcopy"'), and Debian's libraries carry no
# debug sections anyway (the two flags gave byte-identical images).
"$jlink" --module-path "$jmods" --add-modules java.base,java.sql,java.sql.rowset,java.naming,java.security.sasl,java.net.http,jdk.httpserver,jdk.unsupported,jdk.crypto.ec \
  --strip-java-debug-attributes --no-header-files --no-man-pages --compress=2 \
  --output "$image"
# --compress=2 (zip) takes 17 MB off lib/modules. The classes it would inflate into memory at each start come from
# the class-data sharing archive instead, which the launcher makes on the target machine, outside the image (jlink's
# --generate-cds-archive would put about 20 MB into it, and can only run for this machine's architecture).

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
cp "$root/modules/stream-app/src/build/launcher.sh" "$image/bin/streamrelay"
# names this build's CDS archive in the cache folder (see the launcher)
printf '%s-%s\n' "$(date -u +%Y%m%d%H%M%S)" "$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')" >"$image/lib/streamrelay-build"
chmod 755 "$image/bin/streamrelay"
echo "make-image: $image ($(du -sh "$image" | cut -f1))"
