#!/usr/bin/env bash
# Google Benchmark's compare.py (Debian's libbenchmark-tools) reads two ftbench results files.
# usage: compare_py_test.sh FTBENCH
set -euo pipefail
ftbench=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for run in a b; do
  "$ftbench" run --workloads fib --variants gil,brc --threads 1 --repetitions 3 --warmup 0 --work-scale 0.1 \
    --seed 1 --out "$dir/$run" >/dev/null 2>&1
done
out=$(/usr/bin/python3 /usr/share/benchmark/compare.py benchmarks "$dir/a/results.json" "$dir/b/results.json")
echo "$out" | grep -q "fib/gil/threads:1/strong/compact" || { echo "compare.py did not list the gil cell"; echo "$out"; exit 1; }
echo "$out" | grep -q "fib/brc/threads:1/strong/compact_pvalue" || { echo "compare.py did not compare repetitions"; echo "$out"; exit 1; }
echo "ok: compare.py read both files"
