#!/usr/bin/python3
"""The harness (C++) and plots/ftbplots (Python) name cells and runs alike.

CellName and RunName (harness/src/results.h) against results.cell_name and results.run_name, on
ordinary and odd names (separators, spaces, braces, quotes, non-ASCII, empty), through
cell_name_probe; and run_name against every iteration row of a recorded sweep, whose names the
harness wrote.

usage: cell_name_test.py CELL_NAME_PROBE PLOTS_DIR RESULTS_DIR
"""
import json
import os
import subprocess
import sys


def main():
    probe, plots, results_dir = sys.argv[1:4]
    sys.path.insert(0, plots)
    from ftbplots.results import cell_name, run_name

    cases = [
        ["fib", "gil", 1, "strong", "compact"],
        ["dict_churn", "brc", 4096, "weak", "scatter"],
        ["calibration", "machine", 2, "strong", "none"],
        ["a/b", "c:d", 0, "x/y", "threads:3"],
        ["with space", "tab\there", -1, "new\nline", ""],
        ["{}", "{0}", 7, "{:>4}", "%s%d"],
        ['quote"s', "back\\slash", 12, "'", "`"],
        ["wörk", "变体", 3, "στρονγ", "ø"],
        ["", "", 1, "", ""],
    ]
    done = subprocess.run([probe], input=json.dumps(cases), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"cell_name_probe: exit {done.returncode}\n{done.stderr}"
    names = json.loads(done.stdout)
    assert len(names) == len(cases), f"{len(names)} answers for {len(cases)} cases"
    for (workload, variant, threads, scaling, placement), (cpp_cell, cpp_run) in zip(cases, names):
        py_cell = cell_name(workload, variant, threads)
        py_run = run_name(workload, variant, threads, scaling, placement)
        assert py_cell == cpp_cell, f"cell name: Python {py_cell!r}, C++ {cpp_cell!r}"
        assert py_run == cpp_run, f"run name: Python {py_run!r}, C++ {cpp_run!r}"

    with open(os.path.join(results_dir, "results.json")) as f:
        rows = [r for r in json.load(f)["benchmarks"] if r["run_type"] == "iteration"]
    assert rows, f"{results_dir}: no iteration rows"
    for r in rows:
        expected = run_name(r["workload"], r["variant"], r["threads"], r["scaling"], r["placement"])
        assert r["run_name"] == expected and r["name"] == expected, f"{r['name']!r}: Python names it {expected!r}"
    print(f"ok: {len(cases)} cases named alike by C++ and Python; {len(rows)} recorded runs named as Python names them")


main()
