#!/usr/bin/env bash
# How many warm-up runs a quick sweep needs, measured: the same single-thread cells (6 CPU
# workloads x 3 variants, 10 repetitions, each in a fresh process) with 0, 1 and 2 warm-up runs
# before the measured one, at quick's size and at smaller sizes. Prints, per setting, the wall time
# and the median and 90th percentile of the cells' robust CV (1.4826 MAD / median), and the
# brc/gil and atomic/gil ratios of medians (geometric means), by plots/ftbplots/stats.py
# (docs/statistics.md). Run it on an idle machine.
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
import json, sys
sys.path.insert(0, "plots")  # the repository root (cd above): the project's statistics
from ftbplots import stats

print(f"{'warm-up':>7} {'scale':>5} {'wall s':>6} {'CV median':>9} {'CV p90':>6} {'brc/gil':>7} {'atomic/gil':>10}")
for line in sys.stdin:
    warmup, scale, wall, path = line.split()
    times = {}
    for b in json.load(open(path + "/results.json"))["benchmarks"]:
        if b.get("run_type") == "iteration":
            times.setdefault((b["workload"], b["variant"]), []).append(b["wall_seconds"])
    cvs, medians = [], {}
    for key, xs in times.items():
        medians[key] = stats.median(xs)
        cvs.append(stats.robust_cv(xs))
    def ratio(v):
        return stats.geometric_mean(medians[(w, v)] / medians[(w, "gil")]
                                    for (w, var) in medians if var == "gil")
    print(f"{warmup:>7} {scale:>5} {wall:>6} {100*stats.median(cvs):8.1f}% {100*stats.percentile(cvs, 90):5.1f}% "
          f"{ratio('brc'):7.2f} {ratio('atomic'):10.2f}")
PY
)"
