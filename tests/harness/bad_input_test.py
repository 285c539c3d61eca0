#!/usr/bin/env python3
"""Bad command lines: each must exit with its code (2 for bad input or environment) and a message
that names the problem, never a crash, a traceback or a silent run.

usage: bad_input_test.py FTBENCH RESULTS_DIR

RESULTS_DIR: a valid results directory (for report and compare). Every row runs in a scratch
directory that is removed at the end; rows that must not leave an output directory behind say so.
"""
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile

FTBENCH = os.path.abspath(sys.argv[1])
RESULTS = os.path.abspath(sys.argv[2])
FIB = ["--workloads", "fib", "--variants", "gil", "--repetitions", "1", "--work-scale", "0.01"]

# (name, argv, expected exit code, regex the output must match, options)
#   options: "nofile": RLIMIT_NOFILE for the child; "absent": paths that must not exist afterwards;
#            "env": "no-numpy" or a dict of extra variables; "timeout": seconds.
ROWS = [
    # Every floating-point option refuses NaN and the infinities.
    ("run --work-scale nan", ["run", "--work-scale", "nan", *FIB[:6], "--out", "X"], 2,
     r"--work-scale: 'nan' is not a finite number", {"absent": ["X"]}),
    ("run --work-scale inf", ["run", "--work-scale", "inf", *FIB[:6], "--out", "X"], 2,
     r"--work-scale: 'inf' is not a finite number", {"absent": ["X"]}),
    ("run --work-scale -inf", ["run", "--work-scale=-inf", *FIB[:6], "--out", "X"], 2,
     r"--work-scale: '-inf' is not a finite number", {"absent": ["X"]}),
    ("validate --size-scale nan", ["validate", "--size-scale", "nan", "-w", "fib"], 2,
     r"--size-scale: 'nan' is not a finite number", {}),
    ("validate --size-scale inf", ["validate", "--size-scale", "inf", "-w", "fib"], 2,
     r"--size-scale: 'inf' is not a finite number", {}),
    ("knob nan", ["validate", "-w", "fib", "--knob", "depth=nan"], 2, r"knob depth: 'nan' is not a number", {}),
    ("knob inf", ["run", *FIB, "--knob", "depth=inf", "--out", "X"], 2, r"knob depth: 'inf' is not a number",
     {"absent": ["X"]}),
    ("compare --alpha inf", ["compare", RESULTS, RESULTS, "--alpha", "inf"], 2, r"--alpha must be in .*got inf", {}),
    ("compare --noise-factor nan", ["compare", RESULTS, RESULTS, "--noise-factor", "nan"], 2,
     r"--noise-factor must be in .*got nan", {}),
    ("compare --threshold -inf", ["compare", RESULTS, RESULTS, "--threshold=-inf"], 2, r"--threshold must be in .*got -inf",
     {}),
    ("micro --min-time inf", ["micro", "--min-time", "inf", "--out", "M/sub"], 2,
     r"--min-time: 'inf' is not a finite number", {"absent": ["M"]}),
    ("micro --min-time nan", ["micro", "--min-time", "nan", "--out", "M"], 2,
     r"--min-time: 'nan' is not a finite number", {"absent": ["M"]}),
    ("micro --filter nomatch", ["micro", "--filter", "nomatch", "--min-time", "0.01", "--out", "M/sub"], 2,
     r"--filter 'nomatch' matches no benchmark", {"absent": ["M"]}),
    # File descriptors: refused before anything runs, naming the limit.
    ("cell tcp_echo x1000 under ulimit -n 1024",
     ["cell", "--variant", "gil", "--workload", "tcp_echo", "--threads", "1000", "--size", "3000"], 2,
     r"tcp_echo at 1000 threads needs about \d+ file descriptors; the limit \(ulimit -n\) is 1024", {"nofile": 1024}),
    ("validate tcp_echo x1000 under ulimit -n 1024", ["validate", "-w", "tcp_echo", "-v", "gil", "-t", "1000"], 2,
     r"tcp_echo at 1000 threads needs about \d+ file descriptors; the limit \(ulimit -n\) is 1024", {"nofile": 1024}),
    ("run tcp_echo x1000 under ulimit -n 1024",
     ["run", "--workloads", "tcp_echo", "--variants", "gil", "--threads", "1,1000", "--out", "X"], 2,
     r"tcp_echo at 1000 threads needs about \d+ file descriptors; the limit \(ulimit -n\) is 1024",
     {"nofile": 1024, "absent": ["X"]}),
    # Output paths and subcommands.
    ("run --out a file", ["run", *FIB, "--threads", "1", "--out", "afile"], 2, r"--out afile: .*[Nn]ot a directory", {}),
    ("run --out under a file", ["run", *FIB, "--threads", "1", "--out", "afile/sub"], 2,
     r"--out afile/sub: cannot create the results directory", {}),
    ("report DIR --out a file", ["report", RESULTS, "--out", "afile"], 2, r"--out afile: not a directory", {}),
    ("ftbench bogus", ["bogus"], 2, r"unknown subcommand 'bogus' \(valid: list, run", {}),
    # Silent acceptance.
    ("run --threads 1,1", ["run", *FIB, "--threads", "1,1", "--out", "X"], 2, r"--threads: 1 is given twice",
     {"absent": ["X"]}),
    ("validate -t 2,2", ["validate", "-w", "fib", "-t", "2,2"], 2, r"--threads: 2 is given twice", {}),
    ("integer knob given a fraction", ["validate", "-w", "shared_read", "--knob", "shared_read.immortal=0.5"], 2,
     r"knob immortal of workload shared_read takes whole numbers, got 0.5", {}),
    ("integer knob given a fraction (run)", ["run", *FIB, "--knob", "depth=20.5", "--out", "X"], 2,
     r"knob depth of workload fib takes whole numbers, got 20.5", {"absent": ["X"]}),
    # A synthetic topology too large to build.
    ("topology --synthetic 2M PUs", ["topology", "--synthetic", "pack:1000 core:1000 pu:2"], 2,
     r"has 2000000 PUs; at most 4096", {"timeout": 10}),
    # Messages that name the problem.
    ("run --threads ''", ["run", "--threads", "", "--workloads", "fib"], 2, r"--threads: the list is empty", {}),
    ("validate -t abc", ["validate", "-t", "abc"], 2, r"--threads: 'abc' is not a whole number", {}),
    ("run --repetitions abc", ["run", "--repetitions", "abc"], 2, r"--repetitions: 'abc' is not a whole number", {}),
    ("run --workloads , --out D", ["run", "--workloads", ",", "--out", "D"], 2, r"--workloads: the list is empty",
     {"absent": ["D"]}),
    ("validate --variants ,", ["validate", "--variants", ","], 2, r"--variants: the list is empty", {}),
    # The Python tools: a module that cannot be imported is an environment problem, not a verdict.
    ("compare without numpy", ["compare", RESULTS, RESULTS], 2, r"cannot import numpy", {"env": "no-numpy"}),
    ("report without numpy", ["report", RESULTS, "--out", "R"], 2, r"cannot import numpy", {"env": "no-numpy"}),
    # The runtime's environment: refused at startup, before anything runs.
    ("FTBENCH_GIL=yes", ["run", *FIB, "--out", "X"], 2, r"^ftbench: error: FTBENCH_GIL must be 0 or 1, got 'yes'$",
     {"env": {"FTBENCH_GIL": "yes"}, "absent": ["X"]}),
    # --mechanisms and variant names that carry a setting (mechanism_variants.h).
    ("run --mechanisms fast", ["run", *FIB, "--mechanisms", "3.14,fast", "--out", "X"], 2,
     r"^ftbench: error: unknown mechanisms setting 'fast' \(valid: 3.14, 3.13, none, or mechanisms joined by '\+'",
     {"absent": ["X"]}),
    ("run --mechanisms twice", ["run", *FIB, "--mechanisms", "none,none", "--out", "X"], 2,
     r"^ftbench: error: --mechanisms: none appears twice$", {"absent": ["X"]}),
    ("run --mechanisms word twice", ["run", *FIB, "--mechanisms", "deferred+deferred", "--out", "X"], 2,
     r"^ftbench: error: mechanisms setting 'deferred\+deferred': deferred appears twice$", {"absent": ["X"]}),
    ("run gil:3.13", ["run", *FIB[:2], "--variants", "gil:3.13", *FIB[4:], "--out", "X"], 2,
     r"^ftbench: error: variant 'gil:3.13': gil has no mechanisms to set \(only brc has\)$", {"absent": ["X"]}),
    ("run brc:3.14", ["run", *FIB[:2], "--variants", "brc:3.14", *FIB[4:], "--out", "X"], 2,
     r"^ftbench: error: variant 'brc:3.14': the default setting is the plain name 'brc'$", {"absent": ["X"]}),
    ("run brc:bogus", ["run", *FIB[:2], "--variants", "brc:bogus", *FIB[4:], "--out", "X"], 2,
     r"^ftbench: error: unknown mechanisms setting 'bogus'", {"absent": ["X"]}),
    ("run nope:3.13", ["run", *FIB[:2], "--variants", "nope:3.13", *FIB[4:], "--out", "X"], 2,
     r"^ftbench: error: unknown variant 'nope'", {"absent": ["X"]}),
    ("run brc:3.13 --in-process", ["run", *FIB[:2], "--variants", "brc:3.13", *FIB[4:], "--in-process", "--out", "X"], 2,
     r"^ftbench: error: --variants: variant 'brc:3.13' needs a process per run .*drop --in-process$",
     {"absent": ["X"]}),
    ("run --mechanisms with FTBENCH_MECHANISMS", ["run", *FIB[:2], "--variants", "brc", *FIB[4:], "--mechanisms",
     "none", "--out", "X"], 2,
     r"^ftbench: error: --variants: variant 'brc:none' sets the mechanisms itself: unset FTBENCH_MECHANISMS",
     {"env": {"FTBENCH_MECHANISMS": "none"}, "absent": ["X"]}),
    ("cell brc:3.13 without its environment", ["cell", "--variant", "brc:3.13", "--workload", "fib", "--size", "1"], 2,
     r"^ftbench: error: variant 'brc:3.13' needs FTBENCH_MECHANISMS=3.13 in its environment$", {}),
    ("FTBENCH_MECHANISMS=fast", ["run", *FIB, "--out", "X"], 2,
     r"^ftbench: error: FTBENCH_MECHANISMS: unknown mechanism 'fast' \(valid: all, 3.14, 3.13, none, or a comma-separated list",
     {"env": {"FTBENCH_MECHANISMS": "fast"}, "absent": ["X"]}),
]


def fake_modules(scratch, kind):
    """A directory for PYTHONPATH whose numpy fails to import like a missing one."""
    path = os.path.join(scratch, "fake-" + kind)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "numpy.py"), "w") as f:
        f.write("raise ModuleNotFoundError(\"No module named 'numpy'\", name='numpy')\n")
    return path


def run_row(scratch, name, argv, code, pattern, options):
    work = tempfile.mkdtemp(dir=scratch)
    with open(os.path.join(work, "afile"), "w") as f:
        f.write("a plain file\n")
    env = dict(os.environ)
    if options.get("env") == "no-numpy":
        env["PYTHONPATH"] = fake_modules(scratch, "no-numpy")
    elif isinstance(options.get("env"), dict):
        env.update(options["env"])

    def limits():
        if "nofile" in options:
            n = options["nofile"]
            resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))

    try:
        p = subprocess.run([FTBENCH, *argv], cwd=work, env=env, capture_output=True, text=True,
                           timeout=options.get("timeout", 120), preexec_fn=limits)
    except subprocess.TimeoutExpired:
        return [f"{name}: still running after {options.get('timeout', 120)} s"]
    out = p.stdout + p.stderr
    problems = []
    if p.returncode != code:
        problems.append(f"{name}: exit {p.returncode}, expected {code}")
    if not re.search(pattern, out):
        problems.append(f"{name}: output does not match /{pattern}/")
    if "Traceback" in out or "terminate called" in out:
        problems.append(f"{name}: a traceback or an abort")
    for path in options.get("absent", []):
        if os.path.exists(os.path.join(work, path)):
            problems.append(f"{name}: left {path} behind")
    if problems:
        problems.append("  output: " + out.strip().replace("\n", "\n          ")[:2000])
    return problems


def instructions_in_process_record(scratch):
    """--instructions --in-process: every run is a callgrind child, and the record says so."""
    if shutil.which("valgrind") is None:
        return ["--instructions --in-process: valgrind is not installed (apt-get install valgrind)"]
    out = os.path.join(scratch, "instructions")
    p = subprocess.run([FTBENCH, "run", "--instructions", "--in-process", "--workloads", "fib", "--variants", "gil",
                        "--work-scale", "0.1", "--out", out], capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        return [f"--instructions --in-process: exit {p.returncode}\n{p.stderr}"]
    with open(os.path.join(out, "results.json")) as f:
        isolation = json.load(f)["context"]["ftbench"]["isolation"]
    if isolation != "process":
        return [f"--instructions --in-process: recorded isolation {isolation!r}, but every run was a callgrind child"]
    return []


def main():
    scratch = tempfile.mkdtemp(prefix="ftbench-bad-input-")
    try:
        problems = []
        for row in ROWS:
            problems += run_row(scratch, *row)
        problems += instructions_in_process_record(scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for p in problems:
        print(p)
    print(f"{len(ROWS) + 1} checks, {sum(1 for p in problems if not p.startswith('  '))} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
