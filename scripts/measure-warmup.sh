#!/usr/bin/env bash
# How many warm-up runs a quick sweep needs, measured: the same single-thread cells (6 CPU
# workloads x 3 variants, 10 repetitions, each in a fresh process) with 0, 1 and 2 warm-up runs
# before the measured one, at quick's size and at smaller sizes. Prints, per setting, the wall time
# and the median and 90th percentile of the cells' robust CV (1.4826 MAD / median), and the
# brc/gil and atomic/gil ratios of medians (geometric means). Run it on an idle machine.
# Usage: scripts/measure-warmup.sh [ftbench binary] [output directory]
set -euo pipefail
cd "$(dirname "$0")/.."
ftbench=${1:-build/release/harness/ftbench}
out=${2:-$(mktemp -d)}
workloads=fib,nbody,dict_churn,list_ops,objects,matmul_private
settings=("0 1" "1 1" "2 1" "1 0.5" "2 0.5" "3 0.5")  # warm-up runs, work scale (times quick's size)

for s in "${settings[@]}"; do
  read -r warmup scale <<<"$s"
  dir="$out/w${warmup}-s${scale}"
  start=$(date +%s.%N)
  "$ftbench" run --quick --threads 1 --workloads "$workloads" --warmup "$warmup" --work-scale "$scale" \
    --no-calibration --seed 1 --out "$dir" >/dev/null 2>&1
  end=$(date +%s.%N)
  echo "$warmup $scale $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') $dir"
done | /usr/bin/python3 -c "$(cat <<'PY'
import json, math, statistics, sys

def quantile(xs, q):
    xs = sorted(xs)
    pos = q * (len(xs) - 1)
    lo = math.floor(pos)
    return xs[lo] + (xs[min(lo + 1, len(xs) - 1)] - xs[lo]) * (pos - lo)

print(f"{'warm-up':>7} {'scale':>5} {'wall s':>6} {'CV median':>9} {'CV p90':>6} {'brc/gil':>7} {'atomic/gil':>10}")
for line in sys.stdin:
    warmup, scale, wall, path = line.split()
    times = {}
    for b in json.load(open(path + "/results.json"))["benchmarks"]:
        if b.get("run_type") == "iteration":
            times.setdefault((b["workload"], b["variant"]), []).append(b["wall_seconds"])
    cvs, medians = [], {}
    for key, xs in times.items():
        m = statistics.median(xs)
        medians[key] = m
        cvs.append(1.4826 * statistics.median(abs(x - m) for x in xs) / m)
    def ratio(v):
        rs = [medians[(w, v)] / medians[(w, "gil")] for (w, var) in medians if var == "gil"]
        return math.exp(sum(map(math.log, rs)) / len(rs))
    print(f"{warmup:>7} {scale:>5} {wall:>6} {100*quantile(cvs, .5):8.1f}% {100*quantile(cvs, .9):5.1f}% "
          f"{ratio('brc'):7.2f} {ratio('atomic'):10.2f}")
PY
)"
