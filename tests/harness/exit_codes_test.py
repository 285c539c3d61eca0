#!/usr/bin/env python3
"""Walks README's exit-code table ("### Exit codes"): every code in it, and for each one a command
that must produce it.

usage: exit_codes_test.py FTBENCH README RESULTS_DIR

Rows provoked here: 0, 2, 70, and 128+N for SIGINT (130) and SIGTERM (143) through `micro`, whose
interrupt must also leave the previous micro.json as it was. Code 1 (a regression) needs a
significant slowdown: plots/tests/test_compare.py and tests/harness/compare_cli_test.sh cover it.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

FTBENCH, README, RESULTS = (os.path.abspath(a) for a in sys.argv[1:4])


def table_codes():
    text = open(README).read()
    section = text.split("### Exit codes", 1)[1].split("\n#", 1)[0]
    return [m.group(1) for m in re.finditer(r"^\| *([0-9]+(?:\+N)?) *\|", section, re.M)]


def run(argv, cwd, env=None):
    """In the scratch directory: a command that wrongly succeeds leaves its output there."""
    p = subprocess.run([FTBENCH, *argv], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)
    return p.returncode, p.stdout + p.stderr


def interrupted_micro(scratch, sig):
    """micro, interrupted mid-benchmark: exit 128+sig, micro.json unchanged, nothing partial left."""
    out = os.path.join(scratch, f"micro-{sig}")
    os.makedirs(out)
    previous = os.path.join(out, "micro.json")
    with open(previous, "w") as f:
        f.write('{"previous": true}\n')
    p = subprocess.Popen([FTBENCH, "micro", "--filter", "refcount", "--min-time", "5", "--out", out],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    p.send_signal(sig)
    stdout, stderr = p.communicate(timeout=60)
    problems = []
    if p.returncode != 128 + sig:
        problems.append(f"micro interrupted by signal {sig}: exit {p.returncode}, expected {128 + sig}\n{stderr}")
    if open(previous).read() != '{"previous": true}\n':
        problems.append(f"micro interrupted by signal {sig}: micro.json changed")
    left = sorted(set(os.listdir(out)) - {"micro.json"})
    if left:
        problems.append(f"micro interrupted by signal {sig}: left {left}")
    return problems


def main():
    codes = table_codes()
    expected = ["0", "1", "2", "70", "128+N"]
    if codes != expected:
        print(f"README's exit-code table has {codes}, expected {expected}")
        return 1
    scratch = tempfile.mkdtemp(prefix="ftbench-exit-codes-")
    problems = []
    try:
        # 0: done.
        rc, out = run(["list"], scratch)
        if rc != 0:
            problems.append(f"0: `ftbench list` exited {rc}\n{out}")
        # 2: unusable input (a bad argument) and unusable environment (a missing Python module).
        rc, out = run(["run", "--work-scale", "nan", "--workloads", "fib", "--variants", "gil", "--threads", "1",
                       "--repetitions", "1", "--out", "nan"], scratch)
        if rc != 2:
            problems.append(f"2: `run --work-scale nan` exited {rc}\n{out}")
        fake = os.path.join(scratch, "no-numpy")
        os.makedirs(fake)
        with open(os.path.join(fake, "numpy.py"), "w") as f:
            f.write("raise ModuleNotFoundError(\"No module named 'numpy'\", name='numpy')\n")
        rc, out = run(["compare", RESULTS, RESULTS], scratch, env={**os.environ, "PYTHONPATH": fake})
        if rc != 2:
            problems.append(f"2: compare without numpy exited {rc}\n{out}")
        # 70: an internal error, here an exception inside the Python tool that nothing handles
        # (numpy itself failing): never 0, and never 1, which would read as a regression.
        broken = os.path.join(scratch, "broken-numpy")
        os.makedirs(broken)
        with open(os.path.join(broken, "numpy.py"), "w") as f:
            f.write("raise RuntimeError('a bug while importing numpy')\n")
        rc, out = run(["compare", RESULTS, RESULTS], scratch, env={**os.environ, "PYTHONPATH": broken})
        if rc != 70 or "internal error" not in out:
            problems.append(f"70: compare with a failing numpy exited {rc}\n{out}")
        # 128+N: SIGINT and SIGTERM.
        problems += interrupted_micro(scratch, signal.SIGINT)
        problems += interrupted_micro(scratch, signal.SIGTERM)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for p in problems:
        print(p)
    print(f"exit-code table {codes}: {len(problems)} problem(s); code 1 is covered by the compare tests")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
