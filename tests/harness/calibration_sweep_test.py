#!/usr/bin/python3
"""A tiny real sweep writes the machine calibration: its cells, the sweep-level block and the
machine's speedup on the other cells' rows; --no-calibration leaves all of it out.

usage: calibration_sweep_test.py FTBENCH
"""
import json
import subprocess
import sys
import tempfile


def sweep(ftbench, *extra):
    out = tempfile.mkdtemp(prefix="ftbench-calibration-")
    args = [ftbench, "run", "--workloads", "fib", "--variants", "gil", "--threads", "1,2",
            "--repetitions", "2", "--warmup", "0", "--work-scale", "0.02", "--seed", "4",
            "--out", out, *extra]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(args)}: exit {done.returncode}\n{done.stderr}"
    with open(f"{out}/results.json") as f:
        return json.load(f), done.stdout


def main():
    ftbench = sys.argv[1]
    doc, table = sweep(ftbench)
    rows = doc["benchmarks"]
    assert doc["context"]["ftbench"]["calibration"] is True
    calibration = [r for r in rows if r["workload"] == "calibration"]
    iterations = [r for r in calibration if r["run_type"] == "iteration"]
    # Once per thread count per round, in the sweep's scaling and placement.
    assert sorted((r["threads"], r["repetition_index"]) for r in iterations) == \
        [(1, 0), (1, 1), (2, 0), (2, 1)], iterations
    assert all(r["variant"] == "machine" and r["category"] == "calibration" for r in iterations)
    assert all(r["placement"] == "compact" and r["scaling"] == "strong" for r in iterations)
    assert all(r["units"] == iterations[0]["units"] for r in iterations), "strong: same total work"

    block = doc["calibration"]
    assert [r["repetition"] for r in block["rounds"]] == [0, 1], block
    for r in block["rounds"]:
        assert r["speedup"]["1"] == 1.0 and r["speedup"]["2"] > 0, r
        assert r["flagged"] == (r["efficiency"]["2"] < block["threshold"]), r
    assert block["flagged_rounds"] == [r["repetition"] for r in block["rounds"] if r["flagged"]]
    assert set(block["threads"]) == {"1", "2"}, block["threads"]

    fib2 = [r for r in rows if r["workload"] == "fib" and r["threads"] == 2]
    median = next(r for r in fib2 if r.get("aggregate_name") == "median")
    assert median["machine_speedup"] == block["threads"]["2"]["speedup"], median
    ratio = median["speedup"]["value"] / median["machine_speedup"]["value"]
    assert abs(median["efficiency_vs_machine"]["value"] - ratio) < 1e-9, median
    for r in fib2:
        if r["run_type"] == "iteration":
            round_ = block["rounds"][r["repetition_index"]]
            assert r["machine_speedup"] == round_["speedup"]["2"], r
    assert "machine calibration" in table and "rounds below 0.90" in table, table

    doc, table = sweep(ftbench, "--no-calibration")
    assert doc["context"]["ftbench"]["calibration"] is False
    assert "calibration" not in doc
    assert not [r for r in doc["benchmarks"] if r["workload"] == "calibration"]
    assert not [r for r in doc["benchmarks"] if "machine_speedup" in r]
    assert "machine calibration" not in table
    print("ok: the calibration cells, the block and the per-cell fields are written; "
          "--no-calibration leaves them out")


main()
