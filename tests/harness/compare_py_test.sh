#!/usr/bin/env bash
# Google Benchmark's compare.py (Debian's libbenchmark-tools; it imports scipy) reads two ftbench
# results files and prints, for each cell's median row, the very medians ftbench computed, with
# at least three significant digits; `ftbench export --aggregates-only` writes one row per name.
# usage: compare_py_test.sh FTBENCH
set -euo pipefail
ftbench=$1
compare=/usr/share/benchmark/compare.py
[ -f "$compare" ] || { echo "missing $compare: install libbenchmark-tools (scripts/setup-debian.sh)"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for run in a b; do
  "$ftbench" run --no-calibration --workloads fib --variants gil,brc --threads 1 --repetitions 3 --warmup 0 --work-scale 0.1 \
    --seed 1 --out "$dir/$run" >/dev/null 2>&1
done
/usr/bin/python3 "$compare" --no-color benchmarks "$dir/a/results.json" "$dir/b/results.json" >"$dir/out.txt"
out=$(cat "$dir/out.txt")
grep -q "fib/gil/threads:1/strong/compact" <<<"$out" || { echo "compare.py did not list the gil cell"; echo "$out"; exit 1; }
grep -q "fib/brc/threads:1/strong/compact_pvalue" <<<"$out" || { echo "compare.py did not compare repetitions"; echo "$out"; exit 1; }

"$ftbench" export "$dir/a" --aggregates-only --out "$dir/a-agg.json"
"$ftbench" export "$dir/a" --aggregates-only --time-unit ms >"$dir/a-agg-ms.json"
if "$ftbench" export "$dir/missing" >/dev/null 2>&1; then echo "export of a missing directory succeeded"; exit 1; fi

/usr/bin/python3 - "$dir" <<'PY'
import json, re, sys
d = sys.argv[1]
UNITS = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}
docs = {run: json.load(open(f"{d}/{run}/results.json")) for run in "ab"}
printed = {}
for line in open(f"{d}/out.txt"):
    parts = line.split()
    if len(parts) == 7 and parts[0].endswith("_median"):
        printed[parts[0]] = [float(x) for x in parts[3:]]  # time old, time new, cpu old, cpu new
medians = 0
for run, column in (("a", 0), ("b", 1)):
    for row in docs[run]["benchmarks"]:
        if row["run_type"] == "iteration":
            for counter, value in row["counters"].items():
                assert row.get(counter) == value, f"{row['name']}: counter {counter} not top-level"
        if row.get("aggregate_name") != "median":
            continue
        medians += 1
        assert isinstance(row["wall_seconds"], (int, float)), f"{row['name']}: wall_seconds not a number"
        expected = row["wall_seconds"] * UNITS[row["time_unit"]]
        shown = printed[row["name"]][column]
        assert shown == round(expected), f"{row['name']}: compare.py shows {shown}, ftbench's median is {expected} {row['time_unit']}"
        assert shown >= 100, f"{row['name']}: compare.py shows {shown} {row['time_unit']}, under three significant digits"
        same_unit = {r["time_unit"] for r in docs[run]["benchmarks"] if r["run_name"] == row["run_name"]}
        assert same_unit == {row["time_unit"]}, f"{row['run_name']}: units {same_unit} in one cell"
assert medians == 4, f"{medians} median rows, expected 4"

agg = json.load(open(f"{d}/a-agg.json"))["benchmarks"]
assert agg and all(r["run_type"] == "aggregate" for r in agg), "export --aggregates-only kept iteration rows"
names = [r["name"] for r in agg]
assert len(names) == len(set(names)), "export --aggregates-only: a name appears twice"
ms = json.load(open(f"{d}/a-agg-ms.json"))["benchmarks"]
for r, m in zip(agg, ms):
    assert m["time_unit"] == "ms"
    if r["aggregate_unit"] == "time":
        assert abs(m["real_time"] - r["real_time"] / UNITS[r["time_unit"]] * 1e3) <= 1e-9 * m["real_time"]
print(f"ok: compare.py printed ftbench's {medians} medians; export --aggregates-only: {len(agg)} rows")
PY
