#!/usr/bin/env bash
# Builds a CPython interpreter from Debian's source package, so that a machine with only Debian 12
# can measure a GIL and a free-threaded CPython as `ftbench run --python` variants.
#   scripts/build-cpython.sh VERSION [--disable-gil] --prefix DIR [--jobs N] [--keep-source]
# VERSION is an upstream release (e.g. 3.13.5); its major.minor picks the Debian release whose
# pythonX.Y source package carries it (3.11: bookworm, 3.13: trixie, 3.14: forky, whose versions
# move on: an unknown VERSION's error lists those there), and the package version whose upstream
# part is exactly VERSION is fetched.
# How:
#  - `apt-get source --download-only` with a private apt configuration (its own sources list, lists
#    and cache under a temporary directory; the system's apt state is not touched): one deb-src line
#    that reuses the first Debian mirror this machine is configured with (/etc/apt/sources.list.d/
#    *.sources, /etc/apt/sources.list) with the suite changed, Signed-By the system's Debian archive
#    keyring. apt checks the signed Release file and, against the Sources index it signs, the hashes
#    of the .dsc, the upstream tarball (and its signature file) and Debian's packaging tarball.
#  - when the package ships the upstream tarball's OpenPGP signature (.orig.tar.xz.asc) and the
#    upstream signing key (debian/upstream/signing-key.asc in the packaging tarball), gpgv checks the
#    tarball against that key; without them the script says so and relies on apt's hashes.
#  - the pristine upstream tree is built (not Debian's patches or packaging rules):
#    ./configure --prefix DIR [--disable-gil]; make -jN; make install. No PGO/LTO.
# Build dependencies: `scripts/setup-debian.sh --cpython-build-deps` lists them; missing ones are
# installed with apt-get when running as root, otherwise the script names them and exits 2.
# Exit status: 0 built and installed; 2 unusable input or environment (bad VERSION, missing
# --prefix, unknown option, no Debian mirror configured, package or version not found, signature
# check failed, missing build dependencies); other non-zero: the build itself failed.
set -euo pipefail

usage="usage: scripts/build-cpython.sh VERSION [--disable-gil] --prefix DIR [--jobs N] [--keep-source]"
die() { echo "build-cpython: $*" >&2; exit 2; }
say() { echo "build-cpython: $*" >&2; }

version="" prefix="" disable_gil=0 keep=0
jobs=$(nproc 2>/dev/null || echo 2)
while [ $# -gt 0 ]; do
  case "$1" in
    --disable-gil) disable_gil=1 ;;
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory; $usage"; prefix=$2; shift ;;
    --prefix=*) prefix=${1#--prefix=} ;;
    --jobs) [ $# -ge 2 ] || die "--jobs needs a number; $usage"; jobs=$2; shift ;;
    --jobs=*) jobs=${1#--jobs=} ;;
    --keep-source) keep=1 ;;
    -h|--help) echo "$usage"; exit 0 ;;
    -*) die "unknown option '$1'; $usage" ;;
    *) [ -z "$version" ] || die "one VERSION only (got '$version' and '$1'); $usage"; version=$1 ;;
  esac
  shift
done
[ -n "$version" ] || die "missing VERSION; $usage"
[[ "$version" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] || die "VERSION must look like 3.13.5, got '$version'"
minor="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
case "$minor" in
  3.11) suite=bookworm ;;
  3.13) suite=trixie ;;
  3.14) suite=forky ;;
  *) die "no Debian release known to carry python$minor (known: 3.11 bookworm, 3.13 trixie, 3.14 forky); VERSION was '$version'" ;;
esac
[ -n "$prefix" ] || die "missing --prefix DIR; $usage"
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "--jobs must be a positive whole number, got '$jobs'"
case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac
if [ "${BUILD_CPYTHON_CHECK_ARGS_ONLY:-0}" = 1 ]; then  # for the argument-handling test
  echo "version=$version suite=$suite prefix=$prefix disable_gil=$disable_gil jobs=$jobs"
  exit 0
fi
for tool in apt-get apt-cache dpkg gpg gpgv tar make; do
  command -v "$tool" >/dev/null || die "needs '$tool' (Debian: apt-get install apt dpkg gpgv gpg tar make)"
done

# --- build dependencies --------------------------------------------------------------------------
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mapfile -t deps < <("$here/setup-debian.sh" --print-cpython-build-deps)
missing=()
for p in "${deps[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "missing build dependencies: ${missing[*]} (run scripts/setup-debian.sh --cpython-build-deps as root)"
  say "installing build dependencies: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "could not install ${missing[*]}"
fi

# --- the machine's Debian mirror -----------------------------------------------------------------
# The first URI of a deb/deb-src entry whose suite is a plain release name (not -security/-updates).
mirror=""
shopt -s nullglob
for f in /etc/apt/sources.list.d/*.sources; do
  mirror=$(awk '
    function flush() { if (types ~ /deb/ && plain && uri != "" && found == "") found = uri; types = ""; uri = ""; plain = 0 }
    /^[ \t]*$/ { flush(); next }
    /^[ \t]*#/ { next }
    tolower($1) == "types:" { types = $0 }
    tolower($1) == "uris:" { uri = $2 }
    tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i !~ /[-\/]/) plain = 1 }
    END { flush(); print found }' "$f")
  [ -z "$mirror" ] || break
done
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(awk '$1 ~ /^deb(-src)?$/ {
      i = 2; if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
      if ($(i+1) !~ /[-\/]/) { print $i; exit } }' /etc/apt/sources.list)
fi
[ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyring" ] || die "$keyring missing (apt-get install debian-archive-keyring)"

# --- private apt configuration and download ------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/build-cpython.XXXXXX")
cleanup() { if [ "$keep" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/src" "$work/gnupg"
chmod 700 "$work/gnupg"
printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
  "$mirror" "$suite" "$keyring" >"$work/apt/ftbench.sources"
apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/apt"
  -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache"
  -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=/dev/null"
  -o "APT::Sandbox::User=root")
say "python$minor $version from $suite (deb-src $mirror)"
apt-get "${apt_opts[@]}" -qq update || die "apt-get update of $suite's sources from $mirror failed"
debver=$(apt-cache "${apt_opts[@]}" showsrc "python$minor" 2>/dev/null | awk '/^Version:/ {print $2}' |
  while read -r v; do u=${v#*:}; if [ "${u%-*}" = "$version" ]; then echo "$v"; fi; done |
  sort -V | tail -n 1)
[ -n "$debver" ] || die "$suite's python$minor source package has no upstream $version (has: $(apt-cache "${apt_opts[@]}" showsrc "python$minor" 2>/dev/null | awk '/^Version:/ {printf "%s ", $2}'))"
say "source package python$minor $debver"
(cd "$work/src" && apt-get "${apt_opts[@]}" -qq source --download-only "python$minor=$debver") \
  || die "apt-get source python$minor=$debver failed"

# --- upstream signature, as Debian ships it --------------------------------------------------------
orig=$(ls "$work"/src/python"$minor"_"$version".orig.tar.* 2>/dev/null | grep -v '\.asc$' | head -n 1 || true)
[ -n "$orig" ] || die "no upstream tarball in the source package"
debtar=$(ls "$work"/src/python"$minor"_*.debian.tar.* 2>/dev/null | head -n 1 || true)
if [ -f "$orig.asc" ] && [ -n "$debtar" ] &&
   tar -xf "$debtar" -C "$work" debian/upstream/signing-key.asc 2>/dev/null; then
  gpg --homedir "$work/gnupg" --batch --quiet --dearmor <"$work/debian/upstream/signing-key.asc" >"$work/upstream-keys.gpg" \
    || die "could not read debian/upstream/signing-key.asc"
  gpgv --keyring "$work/upstream-keys.gpg" "$orig.asc" "$orig" 2>"$work/gpgv.log" \
    || { cat "$work/gpgv.log" >&2; die "upstream signature check of $(basename "$orig") FAILED"; }
  say "verified: $(basename "$orig") against $(basename "$orig").asc with debian/upstream/signing-key.asc:"
  sed 's/^/build-cpython:   /' "$work/gpgv.log" >&2
else
  say "the package ships no upstream signature (.asc) or signing key: relying on apt's hashes from the signed Release"
fi

# --- build the upstream tree ---------------------------------------------------------------------
tar -xf "$orig" -C "$work/src"
tree="$work/src/Python-$version"
[ -d "$tree" ] || die "the upstream tarball has no Python-$version directory"
configure=(--prefix "$prefix")
if [ "$disable_gil" = 1 ]; then configure+=(--disable-gil); fi
say "configure ${configure[*]}"
cd "$tree"
./configure "${configure[@]}"
make -j"$jobs"
make install
binary=""
for name in python3 "python${minor}t" "python$minor"; do
  if [ -x "$prefix/bin/$name" ]; then binary="$prefix/bin/$name"; break; fi
done
[ -n "$binary" ] || { say "make install left no python3 in $prefix/bin"; exit 1; }
say "installed $binary: $("$binary" -c 'import sys; print(sys.version.replace(chr(10), " "), "GIL", "on" if getattr(sys, "_is_gil_enabled", lambda: True)() else "off")')"
