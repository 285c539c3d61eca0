#!/usr/bin/env bash
# Builds and runs every test: the release suite, the clang build (clang's thread-safety analysis
# checks the lock annotations; then the runtime suites compiled by clang), the debug suite (adds the
# death tests), the ThreadSanitizer suite and the AddressSanitizer + UBSan suite (CMakePresets.json),
# then the plot tests. Usage: scripts/test.sh [preset ...]   (default: all five)
set -euo pipefail
cd "$(dirname "$0")/.."

presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(release clang debug tsan asan-ubsan)
jobs=$(nproc)

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
