#!/usr/bin/env bash
# Builds and runs every test: the release suite, the clang build (clang's thread-safety analysis
# checks the lock annotations; then the runtime suites compiled by clang), the ThreadSanitizer suite
# and the AddressSanitizer + UBSan suite (CMakePresets.json; it has the runtime's invariant checks
# and death tests on), then the plot tests. Usage: scripts/test.sh [preset ...]   (default: those
# four; `scripts/test.sh debug` adds the whole suite at -O0 with the invariant checks, which CI
# leaves out for time: asan-ubsan runs the same checks and death tests)
set -euo pipefail
cd "$(dirname "$0")/.."

presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(release clang tsan asan-ubsan)
jobs=$(nproc)
# A 64 MiB stack for the tests' main threads (and, by glibc's default, their other threads): the
# interpreter's recursion-limit and nesting-limit tests go 1,000 Python frames and 2,500 nested
# expressions deep, and AddressSanitizer's frames are several times a release build's.
ulimit -s 65536 2>/dev/null || echo "warning: could not raise the stack limit to 64 MiB (ulimit -s)" >&2

for preset in "${presets[@]}"; do
  echo "=== ${preset}: configure, build, test"
  cmake --preset "${preset}" >/dev/null
  cmake --build --preset "${preset}" -j "${jobs}"
  ctest --preset "${preset}" -j "${jobs}"
done

if [ -d plots/tests ]; then
  echo "=== plots: pytest"
  /usr/bin/python3 -m pytest -q plots/tests
fi
