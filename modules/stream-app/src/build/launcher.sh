#!/bin/sh
# streamrelay launcher: runs the appliance on the Java runtime inside this image (no installed JDK needed).
#
# Class-data sharing: the image holds no CDS archive (it would add about 16 MB). The archive of the JDK's and the
# appliance's classes is made on the machine that runs it, into a writable cache folder:
#   STREAMRELAY_CDS_DIR, else systemd's CACHE_DIRECTORY (CacheDirectory=), else $XDG_CACHE_HOME/streamrelay, else
#   $HOME/.cache/streamrelay.
#   streamrelay --make-cds   makes it now (an installer calls this; exit status 0 when the archive is ready);
#   STREAMRELAY_CDS=off      neither uses nor makes one; STREAMRELAY_CDS=use: uses one, never makes one by itself.
# Without an archive the first start answers as usual and a background job makes one 20 s later, at the lowest
# priority. A damaged archive must never stop a start: the JVM crashes on a truncated one (SIGBUS, measured) and on
# one with damaged contents unless it checks them. So the archive's name carries its size, which the launcher
# compares, and the JVM checks its checksums (-XX:+VerifySharedSpaces) whenever the archive may have changed since
# it was last found sound. That check costs about 140 ms of every start on the 2-core test machine (measured with
# --help), so it is not paid when nothing can have changed:
#   - --make-cds checks the new archive's checksums and records its identity (size, device, inode, change time) in
#     streamrelay-BUILD.verified; a start with the check records it too, once the JVM has mapped the archive;
#   - a start whose archive has exactly that identity skips the check: any write to the file (or a copy, a restore)
#     gives it a new change time, which nobody can set back;
#   - each start that uses the archive leaves a marker .running-PID, locked (flock) for as long as the process lives,
#     which the appliance removes when it stops cleanly. A marker nobody holds any more is a run that ended without
#     stopping cleanly (a crash, a power cut, SIGKILL): damage that leaves the change time alone (a failing SD card)
#     ends a start at most once, since the next start checks again.
# An archive the JVM refuses (damaged, another build's, other JVM options) is ignored (-Xshare:auto) and removed by
# the appliance, to be made again.
# Where the image is, without a readlink and two dirname processes at every start (each a fork and exec: the
# launcher's own time before java is what a start pays beyond the JVM's): readlink only for a launcher called
# through a symbolic link; cd -P resolves linked folders.
self=$0
[ -L "$self" ] && self=$(readlink -f "$self")
case $self in */*) ;; *) self=./$self ;; esac
home=$(cd -P -- "${self%/*}/.." && pwd) || exit 1
self=$home/bin/${self##*/}
# Small-board defaults (a 1 GB Pi): serial GC, a small bounded heap and code cache, C1 only, and two malloc arenas
# (glibc makes one per thread otherwise, each keeping freed memory). -XX:-UsePerfData: no hsperfdata file and no
# sampler waking 20 times a second, the JVM's busiest thread while streaming (bench/footprint.sh); jps no longer lists
# the process, jcmd PID still reaches it. Two more wake-ups a second board does not need while it streams for months
# (bench/footprint.sh, threads by CPU ticks over 60 s: VM Thread 3 -> 0, Monitor Deflation Thread 5 -> 1): no
# safepoint forced every second just to tidy up (GuaranteedSafepointInterval=0; the GCs' safepoints still do it),
# and idle monitors looked for once a second instead of four times (AsyncDeflationInterval).
# STREAMRELAY_JAVA_OPTS adds to and overrides them.
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
# Every file the appliance or its ffmpeg creates (database, snapshots, the CDS archive) is for this user only.
umask 077

# run_java [exec] JVM-OPTIONS... : this image's java with the launcher's options. No module path: the application's
# modules are linked into the image, their graph resolved when it was built (make-image.sh).
run_java() {
  how=
  [ "$1" = exec ] && { how=exec; shift; }
  # shellcheck disable=SC2086 # STREAMRELAY_JAVA_OPTS is a list of options
  $how "$home/bin/java" -XX:+UseSerialGC -Xms4m -Xmx64m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 \
    -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=24m -XX:TieredStopAtLevel=1 -Xss512k -XX:+ExitOnOutOfMemoryError \
    -XX:-UsePerfData -XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=0 -XX:AsyncDeflationInterval=1000 \
    -Dorg.sqlite.lib.path="$home/lib/sqlite" -Dorg.sqlite.lib.name=libsqlitejdbc.so \
    -Dstreamrelay.home="$home" -Djava.util.logging.SimpleFormatter.format='%1$tF %1$tT %4$s %3$s: %5$s%6$s%n' \
    $STREAMRELAY_JAVA_OPTS "$@"
}

cds_dir=${STREAMRELAY_CDS_DIR:-}
if [ -z "$cds_dir" ] && [ -n "${CACHE_DIRECTORY:-}" ]; then cds_dir=${CACHE_DIRECTORY%%:*}; fi
if [ -z "$cds_dir" ] && [ -n "${XDG_CACHE_HOME:-}" ]; then cds_dir=$XDG_CACHE_HOME/streamrelay; fi
if [ -z "$cds_dir" ] && [ -n "${HOME:-}" ]; then cds_dir=$HOME/.cache/streamrelay; fi
# one archive per build of the image: a rebuilt image never meets the archive of the previous one
build_id=
[ -r "$home/lib/streamrelay-build" ] && read -r build_id <"$home/lib/streamrelay-build"
archive_base=
[ -n "$cds_dir" ] && [ -n "$build_id" ] && archive_base=$cds_dir/streamrelay-$build_id

# Sets archive to this build's archive when its size is the one in its name, and identity to its size, device,
# inode and change time (one stat); removes one of another size.
find_archive() {
  archive= identity=
  [ -n "$archive_base" ] || return 1
  for f in "$archive_base"-*.jsa; do
    [ -f "$f" ] || continue
    expected=${f##*-}
    expected=${expected%.jsa}
    identity=$(stat -c '%s:%d:%i:%.9Z' -- "$f" 2>/dev/null) || identity=
    if [ -n "$identity" ] && [ "${identity%%:*}" = "$expected" ]; then
      archive=$f
      return 0
    fi
    identity=
    rm -f "$f" 2>/dev/null
  done
  return 1
}

# True when the archive found has the identity recorded when its checksums were last found sound, and no run that
# used an archive from this folder ended without stopping cleanly; removes the markers of such runs.
archive_trusted() {
  trusted=yes
  for m in "$cds_dir"/.running-*; do
    [ -f "$m" ] || continue
    # held: that appliance still runs; free: it ended, and had it stopped cleanly it would have removed the marker
    if flock -n "$m" true 2>/dev/null; then
      trusted=
      rm -f "$m" 2>/dev/null
    fi
  done
  recorded=
  [ -r "$archive_base.verified" ] && read -r recorded <"$archive_base.verified"
  [ -n "$trusted" ] && [ "$recorded" = "$identity" ]
}

# Training run under -XX:DumpLoadedClassList, static dump from that list, then a check with -Xshare:on (which fails
# instead of quietly running without sharing) before the archive takes its name in one rename.
make_cds() {
  [ -n "$archive_base" ] || { echo "streamrelay: no folder for the CDS archive: set STREAMRELAY_CDS_DIR" >&2; return 1; }
  mkdir -p "$cds_dir" || return 1
  work=$cds_dir/.making-$build_id
  # a job that died (power cut) leaves its folder behind; one older than 10 minutes is not running any more
  find "$cds_dir" -maxdepth 1 -name '.making-*' -mmin +10 -exec rm -rf {} + 2>/dev/null
  if ! mkdir "$work" 2>/dev/null; then
    echo "streamrelay: the CDS archive is being made by another process ($work)" >&2
    return 1
  fi
  trap 'rm -rf "$work"' EXIT
  if [ "${1:-}" = --if-missing ] && find_archive; then return 0; fi
  trap 'exit 1' INT TERM
  ffmpeg=${STREAMRELAY_FFMPEG:-ffmpeg}
  if ! run_java -Xshare:off -XX:DumpLoadedClassList="$work/classlist" \
      -m stream.app/stream.app.CdsTraining "$work/data" "$ffmpeg" >"$work/training.log" 2>&1; then
    echo "streamrelay: CDS training run failed:" >&2; tail -5 "$work/training.log" >&2; return 1
  fi
  if ! run_java -Xshare:dump -XX:SharedClassListFile="$work/classlist" -XX:SharedArchiveFile="$work/archive.jsa" \
      -m stream.app/stream.app.Main >"$work/dump.log" 2>&1; then
    echo "streamrelay: CDS dump failed:" >&2; tail -5 "$work/dump.log" >&2; return 1
  fi
  if ! run_java -Xshare:on -XX:+VerifySharedSpaces -XX:SharedArchiveFile="$work/archive.jsa" \
      -m stream.app/stream.app.Main --help >"$work/check.log" 2>&1; then
    echo "streamrelay: the new CDS archive does not map:" >&2; tail -5 "$work/check.log" >&2; return 1
  fi
  size=$(wc -c <"$work/archive.jsa") || return 1
  for f in "$archive_base"-*.jsa; do [ -f "$f" ] && rm -f "$f"; done
  rm -f "$archive_base.verified"
  mv -f "$work/archive.jsa" "$archive_base-$((size)).jsa" || return 1
  # its checksums were just checked: the identity it has under its name (the rename gave it its change time)
  if find_archive; then
    printf '%s\n' "$identity" >"$work/verified" && mv -f "$work/verified" "$archive_base.verified"
  fi
  # archives of earlier builds nobody has read for a week (an upgraded image's)
  find "$cds_dir" -maxdepth 1 -name 'streamrelay-*.jsa' ! -name "streamrelay-$build_id-*.jsa" -atime +7 -delete 2>/dev/null
  echo "streamrelay: CDS archive $archive_base-$((size)).jsa"
}

if [ "${1:-}" = --make-cds ]; then
  [ "${STREAMRELAY_CDS:-}" != off ] || { echo "streamrelay: STREAMRELAY_CDS=off" >&2; exit 1; }
  shift
  make_cds "$@"
  exit
fi

if [ "${STREAMRELAY_CDS:-}" != off ] && [ -n "$archive_base" ]; then
  if find_archive; then
    check=-XX:+VerifySharedSpaces checked=$identity
    archive_trusted && check=-XX:-VerifySharedSpaces checked=
    # The marker is locked under a name no other start looks at, then renamed, so that no start ever sees it
    # unlocked. The lock stays with this process through exec and ends with it, however it ends; java closes the
    # descriptor in the processes it starts (ffmpeg), so none of them keeps it.
    marker=$cds_dir/.running-$$
    if { command exec 9>"$cds_dir/.starting-$$"; } 2>/dev/null && flock -n 9 && mv -f "$cds_dir/.starting-$$" "$marker"; then
      :
    else
      # without a marker a crash of this run would go unnoticed: check this time (and next time, as nothing is
      # recorded without a marker)
      rm -f "$cds_dir/.starting-$$" 2>/dev/null
      check=-XX:+VerifySharedSpaces checked= marker=
    fi
    # streamrelay.cds.identity: given when the JVM checks the archive; the appliance records it once the archive is
    # mapped. streamrelay.cds.marker: removed by the appliance when it stops cleanly.
    run_java exec -XX:SharedArchiveFile="$archive" -Xshare:auto "$check" -Dstreamrelay.cds.archive="$archive" \
      -Dstreamrelay.cds.identity="$checked" -Dstreamrelay.cds.verified="$archive_base.verified" \
      -Dstreamrelay.cds.marker="$marker" -m stream.app/stream.app.Main "$@"
  elif [ "${STREAMRELAY_CDS:-}" != use ] && mkdir -p "$cds_dir" 2>/dev/null && [ -w "$cds_dir" ]; then
    # after the appliance's own start-up, at the lowest priority; its output would only disturb the journal
    (sleep 20 && exec nice -n 19 "$self" --make-cds --if-missing) </dev/null >/dev/null 2>&1 &
  fi
fi
run_java exec -m stream.app/stream.app.Main "$@"
