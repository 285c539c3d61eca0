#!/usr/bin/env bash
# scripts/build-cpython.sh's argument handling (not the build): every bad command line exits 2 with
# a one-line message naming the problem, and a good one is parsed as meant
# (BUILD_CPYTHON_CHECK_ARGS_ONLY=1 stops after parsing). Also setup-debian.sh's optional list.
#   build_cpython_args_test.sh SOURCE_DIR
set -u
script="$1/scripts/build-cpython.sh"
setup="$1/scripts/setup-debian.sh"
failures=0
expect() {  # NAME CODE NEEDLE ARGS...
  local name=$1 code=$2 needle=$3
  shift 3
  local out rc
  out=$(BUILD_CPYTHON_CHECK_ARGS_ONLY=1 "$script" "$@" 2>&1)
  rc=$?
  if [ "$rc" != "$code" ] || [[ "$out" != *"$needle"* ]]; then
    echo "FAIL $name: exit $rc (expected $code), output: $out"
    failures=$((failures + 1))
    return 1
  elif [ "$code" = 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" != 1 ]; then
    echo "FAIL $name: expected one line, got: $out"
    failures=$((failures + 1))
    return 1
  fi
}
expect "no arguments" 2 "missing VERSION"
expect "no --prefix" 2 "missing --prefix" 3.13.5
expect "--prefix without a value" 2 "--prefix needs a directory" 3.13.5 --prefix
expect "short version" 2 "VERSION must look like 3.13.5, got '3.13'" 3.13 --prefix /tmp/x
expect "not a version" 2 "VERSION must look like" latest --prefix /tmp/x
expect "no Debian release" 2 "no Debian release known to carry python3.12" 3.12.4 --prefix /tmp/x
expect "unknown option" 2 "unknown option '--enable-optimizations'" 3.13.5 --prefix /tmp/x --enable-optimizations
expect "two versions" 2 "one VERSION only" 3.13.5 3.13.4 --prefix /tmp/x
expect "bad --jobs" 2 "--jobs must be a positive whole number" 3.13.5 --prefix /tmp/x --jobs 0
expect "good" 0 "version=3.13.5 suite=trixie prefix=/tmp/x disable_gil=0 jobs=3" 3.13.5 --prefix /tmp/x --jobs 3
expect "free-threaded" 0 "suite=trixie prefix=/tmp/y disable_gil=1" --disable-gil --prefix=/tmp/y 3.13.5
expect "3.11" 0 "suite=bookworm" 3.11.2 --prefix /tmp/x
expect "3.14" 0 "suite=forky" 3.14.8 --prefix /tmp/x
(cd /tmp && expect "relative prefix" 0 "prefix=/tmp/rel" 3.13.5 --prefix rel) || failures=$((failures + 1))
(cd /tmp && expect "relative prefix (self-check)" 0 "prefix=/tmp/other" 3.13.5 --prefix rel) >/dev/null &&
  { echo "FAIL the test cannot see a failure"; failures=$((failures + 1)); }
out=$("$script" --help 2>&1) && [[ "$out" == usage:* ]] || { echo "FAIL --help: $out"; failures=$((failures + 1)); }
deps=$("$setup" --print-cpython-build-deps)
for p in libssl-dev libffi-dev zlib1g-dev libbz2-dev liblzma-dev libsqlite3-dev libreadline-dev gpgv; do
  grep -qx "$p" <<<"$deps" || { echo "FAIL setup-debian.sh --print-cpython-build-deps lacks $p"; failures=$((failures + 1)); }
done
out=$("$setup" --bogus 2>&1)
[ $? = 2 ] && [[ "$out" == *"unknown option '--bogus'"* ]] || { echo "FAIL setup-debian.sh --bogus: $out"; failures=$((failures + 1)); }
echo "$failures failed"
[ "$failures" = 0 ]
