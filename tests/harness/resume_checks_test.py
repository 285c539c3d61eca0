#!/usr/bin/python3
"""What run --resume and run --out refuse, and a large resume.

usage: resume_checks_test.py FTBENCH lock|validation|large

  lock        a second process on a directory a sweep is writing exits 2 naming the sweep's pid.
  validation  recorded settings the command line would refuse (huge repetitions, a missing key,
              an unknown workload, wrong types...) exit 2 with one line naming the problem.
  large       resuming a finished sweep of 24,000 runs completes, runs nothing and rewrites nothing.
              (The old resume searched every stored run for each planned run: minutes here. Its
              timing is in docs/results-format.md, not asserted.)
"""
import copy
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

FTBENCH = sys.argv[1]
CASE = sys.argv[2]
DELETE = object()


def limit_memory():
    # A regression that plans 10^8 runs must fail here, not take the machine's memory.
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


def ftbench(*args, timeout=120):
    return subprocess.run([FTBENCH, *args], capture_output=True, text=True, timeout=timeout, preexec_fn=limit_memory)


def small_sweep(out, variants="gil,brc", workloads="fib", threads="1"):
    done = ftbench("run", "--no-calibration", "--workloads", workloads, "--variants", variants, "--threads", threads, "--repetitions", "1",
                   "--warmup", "0", "--work-scale", "0.01", "--in-process", "--seed", "1", "--out", out)
    assert done.returncode == 0, f"a small sweep: exit {done.returncode}\n{done.stderr}"
    with open(os.path.join(out, "results.json")) as f:
        return json.load(f)


def write(out, doc):
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(doc, f)


def lock(tmp):
    out = os.path.join(tmp, "sweep")
    proc = subprocess.Popen([FTBENCH, "run", "--no-calibration", "--workloads", "sleep", "--variants", "gil", "--threads", "1",
                             "--repetitions", "2", "--warmup", "0", "--work-scale", "0.1", "--knob",
                             "sleep.sleep_us=300000", "--seed", "1", "--out", out],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:  # printed once the directory is locked and results.json written
            if line.startswith("sweep:"):
                break
        else:
            raise AssertionError(f"the sweep ended with exit {proc.wait()}")
        for args in (["run", "--resume", out], ["run", "--workloads", "fib", "--out", out]):
            second = ftbench(*args)
            lines = second.stderr.strip().splitlines()
            assert second.returncode == 2, f"{args}: exit {second.returncode}, expected 2\n{second.stderr}"
            assert len(lines) == 1 and f"being written by ftbench pid {proc.pid}" in lines[0], \
                f"{args}: expected one line naming pid {proc.pid}:\n{second.stderr}"
        assert proc.poll() is None, "the first sweep should still be running"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    assert proc.returncode == 130, f"the first sweep: exit {proc.returncode}"
    return f"a second process on {out} was refused naming pid {proc.pid}"


def validation(tmp):
    out = os.path.join(tmp, "base")
    doc = small_sweep(out)

    def change(d, changes):
        for k, v in changes.items():
            if v is DELETE:
                del d[k]
            else:
                d[k] = v

    def settings(**changes):
        return lambda d: change(d["context"]["ftbench"], changes)

    def first_row(**changes):
        return lambda d: change(next(r for r in d["benchmarks"] if r["run_type"] == "iteration"), changes)

    cases = [
        ("huge repetitions", settings(repetitions=100000000), "repetitions"),
        ("repetitions 0", settings(repetitions=0), "repetitions"),
        ("repetitions too big for an int", settings(repetitions=10**12), "repetitions"),
        ("no variants", settings(variants=DELETE), "variants"),
        ("no workloads", settings(workloads=DELETE), "workloads"),
        ("unknown workload", settings(workloads=["fib", "nosuch"]), "nosuch"),
        ("unknown variant", settings(variants=["gil", "nogil"]), "nogil"),
        ("no thread count", settings(threads=[]), "threads"),
        ("5000 threads", settings(threads=[1, 5000]), "threads"),
        ("threads twice", settings(threads=[1, 1]), "threads"),
        ("threads a string", settings(threads="1,2"), "threads"),
        ("warmup -1", settings(warmup=-1), "warmup"),
        ("work_scale a string", settings(work_scale="nan"), "work_scale"),
        ("work_scale null (NaN written)", settings(work_scale=None), "work_scale"),
        ("no work_scale", settings(work_scale=DELETE), "work_scale"),
        ("work_scale huge", settings(work_scale=1e300), "work_scale"),
        ("negative seed", settings(seed=-1), "seed"),
        ("unknown placement", settings(placement="diagonal"), "placement"),
        ("unknown knob", settings(knobs={"nosuch": 1}), "nosuch"),
        ("knob out of range", settings(knobs={"fib.depth": 1e9}), "depth"),
        ("knob not a number", settings(knobs={"depth": "deep"}), "knobs"),
        ("too many runs", settings(threads=list(range(1, 2001)), repetitions=1000), "runs"),
        ("settings not an object", lambda d: d["context"].__setitem__("ftbench", [1]), "ftbench"),
        ("a row without wall_seconds", first_row(wall_seconds=DELETE), "wall_seconds"),
        ("a row with a string thread count", first_row(threads="2"), "threads"),
        ("a row with a string counter", first_row(counters={"gil_switches": "many"}), "gil_switches"),
    ]
    for name, mutate, word in cases:
        d = copy.deepcopy(doc)
        mutate(d)
        write(out, d)
        done = ftbench("run", "--resume", out, timeout=60)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2, f"{name}: exit {done.returncode}, expected 2\n{done.stderr}"
        assert len(lines) == 1, f"{name}: expected one line, got:\n{done.stderr}"
        assert word in lines[0] and "exception" not in lines[0], f"{name}: the message should name {word}: {lines[0]}"
        print(f"{name}: {lines[0]}")
    return f"{len(cases)} bad recorded settings refused, one line each, exit 2"


def large(tmp):
    # A real small sweep (3 variants x 4 workloads x 2 thread counts, 1 repetition), its runs copied
    # to 1,000 repetitions: a finished sweep of 24,000 runs.
    out = os.path.join(tmp, "large")
    doc = small_sweep(out, variants="gil,atomic,brc", workloads="fib,list_ops,dict_churn,str_build", threads="1,2")
    base = [r for r in doc["benchmarks"] if r["run_type"] == "iteration"]
    assert len(base) == 24, len(base)
    repetitions = 1000
    doc["context"]["ftbench"]["repetitions"] = repetitions
    doc["benchmarks"] = [dict(r, repetition_index=i, repetitions=repetitions) for r in base for i in range(repetitions)]
    write(out, doc)
    path = os.path.join(out, "results.json")
    before = os.stat(path).st_mtime_ns

    done = ftbench("run", "--resume", out, timeout=600)
    assert done.returncode == 0, f"resume: exit {done.returncode}\n{done.stderr}"
    assert "24000 runs already done" in done.stderr, done.stderr
    assert not any(l.startswith("[") for l in done.stderr.splitlines()), "nothing was left to run:\n" + done.stderr
    assert os.stat(path).st_mtime_ns == before, "nothing ran, so nothing should be rewritten"
    assert done.stdout.count("fib ") == 6, "the table should have a line per fib cell:\n" + done.stdout
    return "a finished sweep of 24,000 runs resumed with nothing to do"


def main():
    tmp = tempfile.mkdtemp(prefix="ftbench-resume-checks-")
    try:
        print("ok:", {"lock": lock, "validation": validation, "large": large}[CASE](tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
