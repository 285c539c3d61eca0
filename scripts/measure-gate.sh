#!/usr/bin/env bash
# measure-gate.sh: the false-alarm and detection rates of the paired gate (ftbench run
# --baseline-binary, then ftbench compare --paired) on this machine, as docs/compare.md reports them.
#
#   scripts/measure-gate.sh [OUT] [TRIALS]         run TRIALS (default 10) trials, then compare each
#   scripts/measure-gate.sh --compare-only OUT     compare the sweeps already in OUT again
#
# A trial is two paired sweeps, both with this very binary as the base build:
#   aa-N:  A/A, both sides at the same work scale: exit 1 from compare is a false alarm;
#   w5-N:  the new side at --work-scale 1.05 against a base at 1: exit 1 is a detection.
# The two sweeps of a trial run in alternating order. Each sweep: WORKLOADS (default six CPU
# workloads) x gil,brc x 1,2 threads, --quick, 10 repetitions. The load of the machine before each
# sweep goes to OUT/load.log. Environment: FTBENCH (the binary; default build/release's),
# WORKLOADS, REPETITIONS, COMPARE_ARGS (more options for compare, e.g. "--sweep-threshold 0.05";
# with --compare-only the same sweeps are tabulated again under other settings). Exit 0 once
# every sweep and comparison ran (whatever they found).
set -euo pipefail
cd "$(dirname "$0")/.."
FTBENCH=${FTBENCH:-$PWD/build/release/harness/ftbench}
WORKLOADS=${WORKLOADS:-fib,nbody,dict_churn,list_ops,matmul_private,str_build}
REPETITIONS=${REPETITIONS:-10}

compare_only=0
if [[ ${1:-} == --compare-only ]]; then compare_only=1; shift; fi
OUT=${1:-results/measure-gate-$(date +%Y%m%d-%H%M%S)}
TRIALS=${2:-10}
[[ -x $FTBENCH ]] || { echo "measure-gate.sh: $FTBENCH is not executable (build the release preset)" >&2; exit 2; }
mkdir -p "$OUT"

sweep() {  # NAME EXTRA-ARGS...
  local name=$1; shift
  [[ -f $OUT/$name/results.json && ! -f $OUT/$name/.incomplete ]] && return 0
  echo "$(date -u +%FT%TZ) $name $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/load.log"
  rm -rf "${OUT:?}/$name"
  mkdir -p "$OUT/$name" && touch "$OUT/$name/.incomplete"
  "$FTBENCH" run --quick --repetitions "$REPETITIONS" --workloads "$WORKLOADS" --variants gil,brc --threads 1,2 \
    --baseline-binary "$FTBENCH" --out "$OUT/$name" "$@" > "$OUT/$name.log" 2>&1
  rm -f "$OUT/$name/.incomplete"
}

if (( ! compare_only )); then
  for ((i = 1; i <= TRIALS; ++i)); do
    if (( i % 2 )); then
      sweep "aa-$i"; sweep "w5-$i" --work-scale 1.05 --baseline-work-scale 1
    else
      sweep "w5-$i" --work-scale 1.05 --baseline-work-scale 1; sweep "aa-$i"
    fi
    echo "trial $i of $TRIALS done $(date -u +%T)" >&2
  done
fi

false_alarms=0 aa=0 detections=0 w5=0
for dir in "$OUT"/aa-* "$OUT"/w5-*; do
  [[ -f $dir/results.json && ! -f $dir/.incomplete ]] || continue
  set +e
  # shellcheck disable=SC2086  # COMPARE_ARGS: words
  "$FTBENCH" compare --paired "$dir" ${COMPARE_ARGS:-} > "$dir.compare.txt" 2>&1
  rc=$?
  set -e
  echo "$(basename "$dir"): exit $rc: $(grep -E '^(Whole sweep|Result:)' "$dir.compare.txt" | tr '\n' ' ')"
  case $(basename "$dir") in
    aa-*) aa=$((aa + 1)); ((rc == 1)) && false_alarms=$((false_alarms + 1)) ;;
    w5-*) w5=$((w5 + 1)); ((rc == 1)) && detections=$((detections + 1)) ;;
  esac
  ((rc == 0 || rc == 1)) || echo "  (exit $rc: see $dir.compare.txt)"
done
echo "A/A false alarms: $false_alarms of $aa; +5% work detected: $detections of $w5"
