#!/usr/bin/env bash
# Builds the self-contained runtime image: a jlinked runtime of only the JDK modules the appliance needs and the
# application's own modules, sqlite-jdbc's native library for this machine only, the presets and the dashboard, and
# the launcher bin/streamrelay.
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
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The application's modules are linked into the image with the JDK's: jlink's system-modules plugin then resolves
# the module graph at build time, where a module path beside the image (as before) was scanned and resolved at every
# start (about 75 ms of each start on the 2-core test machine, measured with --help; 119 classes fewer loaded).
# jlink links only explicit modules: sqlite-jdbc has its own descriptor; minimal-json has none (an automatic
# module, which jlink refuses), so it gets the descriptor jdeps derives from its classes (it needs java.base only
# and exports its one package), under the name it has as an automatic module.
mkdir -p "$work/mods" "$work/unpacked" "$work/native"
for jar in "$mods"/*.jar; do
  name=$(basename "$jar")
  case "$name" in
    sqlite-jdbc-*.jar)
      # keep only this machine's native library, outside the module, so nothing is extracted to /tmp at each start
      (cd "$work/unpacked" && "$java_home/bin/jar" xf "$jar")
      cp "$work/unpacked/org/sqlite/native/Linux/$sqlite_arch/libsqlitejdbc.so" "$work/native/"
      rm -rf "$work/unpacked/org/sqlite/native"
      # rebuild the jar without the natives, keeping its manifest and multi-release module descriptor
      "$java_home/bin/jar" --create --file "$work/mods/$name" --manifest "$work/unpacked/META-INF/MANIFEST.MF" \
        -C "$work/unpacked" .
      rm -rf "${work:?}/unpacked"/*
      ;;
    minimal-json-*.jar)
      cp "$jar" "$work/mods/$name"
      "$java_home/bin/jdeps" --generate-module-info "$work/gen" "$jar" >/dev/null
      [ -f "$work/gen/minimal.json/module-info.java" ] \
        || { echo "make-image: jdeps named minimal-json's module otherwise: $(ls "$work/gen")" >&2; exit 1; }
      "$java_home/bin/javac" --release 17 --patch-module minimal.json="$jar" -d "$work/gen/classes" \
        "$work/gen/minimal.json/module-info.java"
      "$java_home/bin/jar" --update --file "$work/mods/$name" -C "$work/gen/classes" module-info.class
      ;;
    stream-app-*.jar)
      # The main class in the module descriptor (ModuleMainClass): jlink then stores the module graph resolved for
      # `-m stream.app` in the image, and a start skips resolving it (the JVM's Resolver, about 20 ms of each start;
      # -Xlog:class+load shows java.lang.module.Resolver no more).
      cp "$jar" "$work/mods/$name"
      "$java_home/bin/jar" --update --file "$work/mods/$name" --main-class stream.app.Main
      ;;
    *) cp "$jar" "$work/mods/" ;;
  esac
done
# JDK modules the application's do not require: java.naming and java.security.sasl come with java.sql.rowset,
# which sqlite-jdbc's descriptor requires; jdk.crypto.ec gives TLS to an https SSE server.
# --strip-java-debug-attributes, not --strip-debug: the latter also runs binutils' objcopy on the native libraries,
# which a fresh machine lacks (jlink stops with 'Cannot run program "objcopy"'), and Debian's libraries carry no
# debug sections anyway (the two flags gave byte-identical images).
"$jlink" --module-path "$jmods:$work/mods" \
  --add-modules stream.app,java.base,java.sql,java.sql.rowset,java.naming,java.security.sasl,java.net.http,jdk.httpserver,jdk.unsupported,jdk.crypto.ec \
  --strip-java-debug-attributes --no-header-files --no-man-pages --compress=2 \
  --output "$image"
# --compress=2 (zip) takes 17 MB off lib/modules. The classes it would inflate into memory at each start come from
# the class-data sharing archive instead, which the launcher makes on the target machine, outside the image (jlink's
# --generate-cds-archive would put about 20 MB into it, and can only run for this machine's architecture).
mkdir -p "$image/lib/sqlite"
cp "$work/native/libsqlitejdbc.so" "$image/lib/sqlite/"

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
