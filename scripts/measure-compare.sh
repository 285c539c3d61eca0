#!/usr/bin/env bash
# Measures ftbench compare's false-alarm and detection rates on this machine
# (docs/compare.md "Measured on this machine"). N triples of quick sweeps, one after another:
#   A_i  ftbench run --quick                      (base)
#   B_i  ftbench run --quick --work-scale 1.10    (every workload does 10% more work)
#   C_i  ftbench run --quick                      (the same build again)
# then compare A_i C_i (same build: exit 0 expected) and A_i B_i --allow-mismatch (exit 1
# expected), and writes DIR/summary.md. Sweeps already in DIR are kept: rerunning finishes an
# interrupted measurement, or only re-tabulates (e.g. with other compare options, passed after --).
# usage: scripts/measure-compare.sh DIR [N=10] [-- COMPARE_OPTIONS...]
set -euo pipefail
usage="usage: scripts/measure-compare.sh DIR [N] [-- COMPARE_OPTIONS...]"
[ $# -ge 1 ] && [ "$1" != "--" ] || { echo "$usage" >&2; exit 2; }
dir=$1
n=10
shift
if [ $# -gt 0 ] && [ "$1" != "--" ]; then n=$1; shift; fi
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "measure-compare: N must be a positive whole number, got '$n'" >&2; echo "$usage" >&2; exit 2; }
if [ $# -gt 0 ]; then [ "$1" = "--" ] || { echo "$usage" >&2; exit 2; }; shift; fi
ftbench=${FTBENCH:-build/release/harness/ftbench}
[ -x "$ftbench" ] || { echo "measure-compare: $ftbench not built (cmake --preset release && cmake --build --preset release)" >&2; exit 2; }
mkdir -p "$dir"

sweep() {  # NAME SEED [ARGS...]
  local name=$1 seed=$2
  shift 2
  [ -f "$dir/$name/done" ] && return 0
  rm -rf "${dir:?}/$name"
  echo "$(date +%T) sweep $name" >&2
  "$ftbench" run --quick --seed "$seed" --out "$dir/$name" "$@" >"$dir/$name.log" 2>&1
  touch "$dir/$name/done"
}
for i in $(seq 1 "$n"); do
  sweep "A$i" $((1000 + i))
  sweep "B$i" $((2000 + i)) --work-scale 1.10
  sweep "C$i" $((3000 + i))
done

summary="$dir/summary.md"
{
  echo "| pair | same build (A, C): exit | regressed cells | 10% more work (A, B): exit | regressed cells | geomean B/A |"
  echo "|---|---|---|---|---|---|"
} >"$summary"
same_ok=0
detect_ok=0
for i in $(seq 1 "$n"); do
  row="| $i"
  for kind in C B; do
    set +e
    "$ftbench" compare "$dir/A$i" "$dir/$kind$i" --allow-mismatch --format json "$@" >"$dir/compare-A$i-$kind$i.json"
    rc=$?
    set -e
    read -r regressed geomean < <(/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(len(d["regressions"]), round(d["summary"]["all"]["geomean_ratio"], 3))' "$dir/compare-A$i-$kind$i.json")
    row="$row | $rc | $regressed"
    [ "$kind" = C ] && [ $rc -eq 0 ] && same_ok=$((same_ok + 1))
    [ "$kind" = B ] && [ $rc -eq 1 ] && detect_ok=$((detect_ok + 1))
  done
  echo "$row | $geomean |" >>"$summary"
done
{
  echo
  echo "Same build, exit 0: $same_ok of $n. Work scale 1.10, exit 1: $detect_ok of $n."
  echo "compare options: ${*:-(defaults)}"
} >>"$summary"
cat "$summary"
