#!/usr/bin/env bash
# Installs what ftbench needs to build, test and plot, from Debian 12's own packages.
# Idempotent and quiet when everything is already there. Run as root (or with sudo available).
# Optional: --cpython-build-deps installs (only) what scripts/build-cpython.sh needs to build CPython;
# --print-cpython-build-deps lists those packages, one a line.
set -euo pipefail

# optional: CPython's build dependencies (scripts/build-cpython.sh), for the extension modules the
# Python workloads and ftbench's cell driver use (ssl, ctypes, zlib, bz2, lzma, sqlite3, readline, ...)
cpython_build_packages=(
  build-essential gpg gpgv pkg-config libssl-dev libffi-dev zlib1g-dev libbz2-dev liblzma-dev
  libsqlite3-dev libreadline-dev libncurses-dev uuid-dev tk-dev
)
case "${1:-}" in
  --print-cpython-build-deps) printf '%s\n' "${cpython_build_packages[@]}"; exit 0 ;;
  --cpython-build-deps) only_cpython=1 ;;
  "") only_cpython=0 ;;
  *) echo "setup: unknown option '$1' (usage: scripts/setup-debian.sh [--cpython-build-deps | --print-cpython-build-deps])" >&2; exit 2 ;;
esac

packages=(
  # toolchain (valgrind: callgrind counts instructions for run --instructions; its header marks the
  # region; clang: the clang preset's thread-safety analysis of the lock annotations)
  g++ clang cmake ninja-build pkg-config binutils git valgrind
  # packaging: dpkg-shlibdeps names the Debian packages of the libraries for `cpack -G DEB`
  dpkg-dev
  # libraries (found with find_package / pkg-config)
  libmimalloc-dev libgtest-dev libgmock-dev libbenchmark-dev libbenchmark-tools libtbb-dev libeigen3-dev
  libhwloc-dev hwloc libcli11-dev nlohmann-json3-dev libfmt-dev
  # plots and their tests, run with /usr/bin/python3 (scipy: Google Benchmark's compare.py imports it)
  python3 python3-matplotlib python3-numpy python3-pytest python3-scipy
  # the CI examples' tests: the workflows loaded and checked against a schema, and the Slurm
  # example run on a one-node cluster (scripts/slurm/local-cluster.sh; installs and starts in seconds)
  python3-yaml python3-jsonschema slurm-wlm
  # the report's browser test renders report.html headless
  chromium
)
[ "$only_cpython" = 0 ] || packages=("${cpython_build_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: run as root (or install sudo): need ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
