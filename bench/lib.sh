# Sourced by the benchmark scripts that run a class of modules/stream-it through Maven.

# bench_run NAME PATTERN [-Dprop=value ...]: builds this checkout's modules and image in the reactor (nothing goes to
# ~/.m2, where another checkout's artifacts would be found instead), runs the benchmark class NAME, shows its figure
# lines (those matching PATTERN) as they come and keeps the whole output in build/bench-NAME.log. A benchmark that
# failed fails the script, with where to look: a run that printed no figures must not pass for one that did.
bench_run() {
  local name="$1" pattern="$2" rc
  shift 2
  mkdir -p build
  set +e
  mvn -B -q -pl modules/stream-it -am verify -Dtest="$name" -Dsurefire.failIfNoSpecifiedTests=false \
    -DredirectTestOutputToFile=false -DtrimStackTrace=false "$@" 2>&1 | tee "build/bench-$name.log" \
    | grep --line-buffered -E "$pattern"
  rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" -ne 0 ]; then
    echo "$name failed (exit $rc): build/bench-$name.log and modules/stream-it/target/surefire-reports/ tell why" >&2
    grep -E 'Tests run:.*Fail|AssertionError|Exception' "build/bench-$name.log" | head -5 >&2 || true
    return "$rc"
  fi
}
