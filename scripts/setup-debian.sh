#!/usr/bin/env bash
# Installs what ftbench needs to build, test and plot, from Debian 12's own packages.
# Idempotent and quiet when everything is already there. Run as root (or with sudo available).
set -euo pipefail

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
