#!/usr/bin/python3
"""End to end: a tiny sweep's results.json carries each run's memory (peak RSS, RSS growth over
setup, live object bytes, bytes per object by kind), each cell's memory aggregate and robust CV,
and the sweep's noise figure (docs/results-format.md). Usage: memory_sweep_test.py FTBENCH"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HEADER = {"gil": 16, "brc": 32}  # bytes, type pointer included (runtime/include/ftb/object.h)


def check(condition, message):
    if not condition:
        print(f"FAIL: {message}", file=sys.stderr)
        sys.exit(1)


def main():
    ftbench = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sweep"
        # matmul holds its input matrices from setup to teardown; fib holds nothing between calls.
        run = subprocess.run([ftbench, "run", "--workloads", "fib,matmul", "--variants", "gil,brc",
                              "--threads", "1,2", "--repetitions", "3", "--work-scale", "0.05", "--no-calibration",
                              "--out", str(out)], capture_output=True, text=True, timeout=300)
        check(run.returncode == 0, f"ftbench run exited {run.returncode}: {run.stderr}")
        check("noise: median cell CV" in run.stdout, "the console table states the noise figure")
        doc = json.loads((out / "results.json").read_text())

    noise = doc["context"]["noise"]
    check(noise["cells"] == 8, f"noise figure over the 8 cells: {noise}")
    check(0 <= noise["median_cell_cv"] <= noise["p90_cell_cv"], f"median <= p90: {noise}")
    check("1.4826" in noise["cv_definition"], "the CV is defined")

    rows = doc["benchmarks"]
    iterations = [r for r in rows if r["run_type"] == "iteration"]
    medians = [r for r in rows if r.get("aggregate_name") == "median"]
    check(len(iterations) == 24 and len(medians) == 8, "24 runs, 8 cells")
    for r in iterations:
        m = r["memory"]
        name = f"{r['name']} rep {r['repetition_index']}"
        check(m["peak_rss_reset"] is True, f"{name}: the high-water mark was reset before setup")
        check(m["rss_before_setup"] > 1 << 20, f"{name}: RSS before setup is the process's: {m}")
        check(m["peak_rss"] >= max(m["rss_before_setup"], m["rss_after_setup"]), f"{name}: {m}")
        check(m["rss_setup_growth"] == m["rss_after_setup"] - m["rss_before_setup"], name)
        check(m["live_bytes_peak"] >= m["live_bytes_setup"] >= 0, f"{name}: {m}")
        check(m["allocated_bytes"] == sum(a["bytes"] for a in m["allocated"].values()), name)
        check(r["leaked_objects"] == 0, f"{name}: leaked objects")
        # fib's boxed ints and matmul's floats: the header and 8 bytes of value each.
        kind = "int" if r["workload"] == "fib" else "float"
        objs = m["allocated"].get(kind)
        check(objs and objs["bytes"] == objs["objects"] * (HEADER[r["variant"]] + 8),
              f"{name}: each {kind} is {HEADER[r['variant']] + 8} bytes: {objs}")
        if r["workload"] == "matmul":
            check(m["live_bytes_setup"] > 0, f"{name}: matmul's matrices are live after setup: {m}")
        else:
            check(m["live_bytes_setup"] == 0, f"{name}: fib holds no object after setup: {m}")
    for r in medians:
        m = r["memory"]
        kind = "int" if r["workload"] == "fib" else "float"
        check(m["bytes_per_object"][kind] == HEADER[r["variant"]] + 8, f"{r['name']}: {m}")
        check(isinstance(r["robust_cv"], float), f"{r['name']}: robust_cv")
    # The same work, so the same objects; each brc float is 16 bytes larger than gil's.
    by = {(r["workload"], r["variant"], r["threads"]): r["memory"] for r in medians}
    gil, brc = by[("matmul", "gil", 1)], by[("matmul", "brc", 1)]
    check(gil["objects_allocated"] == brc["objects_allocated"], "same objects on every variant")
    check(brc["live_bytes_setup"] > gil["live_bytes_setup"], "brc's headers are larger")
    print("ok")


if __name__ == "__main__":
    main()
