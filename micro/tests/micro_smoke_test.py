#!/usr/bin/env python3
"""Smoke test of `ftbench micro`: a quick selection runs, DIR/micro.json exists and parses as
Google Benchmark JSON, every expected benchmark is in it without error, and bad arguments exit
with code 2. Not a timing assertion.

usage: micro_smoke_test.py FTBENCH WORKDIR
"""
import json
import pathlib
import shutil
import subprocess
import sys

# Quick, but touching each kind of machinery: a per-variant single-thread row, brc's two-thread
# queue-and-merge, gil's shared row (threads detach at Google Benchmark's barriers), the global
# lock hand-off, and a contended lock row (own threads, fairness counters).
EXPECTED = [
    "gil/refcount/owner_incref_decref",
    "atomic/refcount/owner_incref_decref",
    "brc/refcount/owner_incref_decref",
    "brc/refcount/queue_and_merge/manual_time",
    "gil/refcount/shared_incref_decref/real_time/threads:2",
    "gil/global_lock/two_cpu_threads/manual_time",
    "lock/ftb_mutex/contended/inside_ns:0/outside_ns_x_threads:0/threads:2/manual_time",
]
FILTER = "|".join(
    [
        r"^(gil|atomic|brc)/refcount/owner_incref_decref$",
        r"^brc/refcount/queue_and_merge",
        r"^gil/refcount/shared_incref_decref/real_time/threads:2$",
        r"^gil/global_lock/two_cpu_threads",
        r"^lock/ftb_mutex/contended/inside_ns:0/outside_ns_x_threads:0/threads:2/",
    ]
)


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    ftbench, workdir = sys.argv[1], pathlib.Path(sys.argv[2])
    shutil.rmtree(workdir, ignore_errors=True)
    out = workdir / "out"
    run = subprocess.run([ftbench, "micro", "--filter", FILTER, "--min-time", "0.01", "--out", str(out)],
                         capture_output=True, text=True, timeout=100)
    if run.returncode != 0:
        fail(f"ftbench micro exited {run.returncode}\n{run.stdout}\n{run.stderr}")
    path = out / "micro.json"
    if not path.is_file():
        fail(f"{path} was not written")
    doc = json.loads(path.read_text())
    if "context" not in doc or "benchmarks" not in doc:
        fail("micro.json lacks Google Benchmark's context or benchmarks")
    names = {b["name"]: b for b in doc["benchmarks"]}
    for name in EXPECTED:
        if name not in names:
            fail(f"{name} missing from micro.json (have: {sorted(names)})")
        if names[name].get("error_occurred"):
            fail(f"{name} reported an error: {names[name].get('error_message')}")
    if names[EXPECTED[2]].get("shared_ops_per_iter", -1) != 0:
        fail("brc owner path took the shared path")
    if "jain" not in names[EXPECTED[-1]]:
        fail("contended lock row has no fairness index")

    for bad in (["--min-time", "0"], ["--filter", "("], ["--filter", "^no_such_benchmark$"], ["--bogus"]):
        run = subprocess.run([ftbench, "micro", "--out", str(workdir / "bad"), *bad],
                             capture_output=True, text=True, timeout=60)
        if run.returncode != 2:
            fail(f"ftbench micro {' '.join(bad)} exited {run.returncode}, expected 2\n{run.stderr}")
        if not run.stderr.strip():
            fail(f"ftbench micro {' '.join(bad)} printed no message")
    print(f"ok: {len(names)} benchmarks in {path}")


if __name__ == "__main__":
    main()
