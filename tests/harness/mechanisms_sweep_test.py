#!/usr/bin/python3
"""End to end: `ftbench run --mechanisms 3.14,3.13,none` on create_object (C++) and
py.create_object gives the variants gil, brc, brc:3.13 and brc:none, each cell in a child process
with its FTBENCH_MECHANISMS; results.json records the names, nothing leaks, and the counters show
each setting at work: a class counted per thread (3.14) or immortal (3.13) takes no shared-path
count operation per instance, where brc:none takes several (the C++ create_object too: it makes
its instances through the runtime's Class/AllocInstance, which count the class per thread). An
interrupted sweep resumes with the recorded names; the report draws them.
Usage: mechanisms_sweep_test.py FTBENCH"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def check(condition, message):
    if not condition:
        print(f"FAIL: {message}", file=sys.stderr)
        sys.exit(1)


def main():
    ftbench = sys.argv[1]
    env = {k: v for k, v in os.environ.items() if k != "FTBENCH_MECHANISMS"}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sweep"
        args = [ftbench, "run", "--workloads", "create_object,py.create_object", "--variants", "gil,brc",
                "--mechanisms", "3.14,3.13,none", "--threads", "1,2", "--repetitions", "2", "--warmup", "0",
                "--work-scale", "0.02", "--out", str(out)]
        run = subprocess.run(args, capture_output=True, text=True, timeout=600, env=env)
        check(run.returncode == 0, f"ftbench run exited {run.returncode}: {run.stderr}")
        doc = json.loads((out / "results.json").read_text())
        ft = doc["context"]["ftbench"]
        check(ft["variants"] == ["gil", "brc", "brc:3.13", "brc:none"], f"the variants: {ft['variants']}")
        check(ft["mechanisms"] == ["3.14", "3.13", "none"], f"the settings: {ft.get('mechanisms')}")
        runs = [r for r in doc["benchmarks"] if r["run_type"] == "iteration"]
        rows = [r for r in runs if r["variant"] != "machine"]  # the calibration cells run too
        check(len(rows) == 2 * 4 * 2 * 2 and len(runs) == 36, f"32 runs and 4 calibration runs: {len(runs)}")
        ops = {}
        for r in rows:
            check(r["leaked_objects"] == 0, f"{r['name']}: {r['leaked_objects']} objects leaked")
            ops.setdefault((r["workload"], r["variant"]), []).append(r["counters"]["shared_refcount_ops"])
        for workload in ("create_object", "py.create_object"):
            none = min(ops[(workload, "brc:none")])
            for v in ("brc", "brc:3.13"):
                mine = max(ops[(workload, v)])
                check(none > 1000 and mine * 100 < none,
                      f"{workload}: {v} takes {mine} shared-path count operations, brc:none {none}")
        # Resume: drop the last runs and complete them with the recorded names.
        kept = doc["benchmarks"]
        doc["benchmarks"] = [r for r in kept if r["run_type"] == "iteration"][:-5]
        (out / "results.json").write_text(json.dumps(doc))
        resume = subprocess.run([ftbench, "run", "--resume", str(out)], capture_output=True, text=True, timeout=600,
                                env=env)
        check(resume.returncode == 0, f"resume exited {resume.returncode}: {resume.stderr}")
        check("31 runs already done" in resume.stderr, f"resume: {resume.stderr}")
        doc = json.loads((out / "results.json").read_text())
        rows = [r for r in doc["benchmarks"] if r["run_type"] == "iteration"]
        check(len(rows) == 36 and {r["variant"] for r in rows} == {"gil", "brc", "brc:3.13", "brc:none", "machine"},
              "resumed: 32 runs of the four variants and 4 calibration runs")
        report = subprocess.run([ftbench, "report", str(out), "--out", str(Path(tmp) / "report")],
                                capture_output=True, text=True, timeout=600, env=env)
        check(report.returncode == 0, f"report exited {report.returncode}: {report.stderr}")
        html = next((Path(tmp) / "report").glob("*.html")).read_text()
        for v in ("brc:3.13", "brc:none"):
            check(v in html, f"the report shows {v}")
    print("ok")


if __name__ == "__main__":
    main()
