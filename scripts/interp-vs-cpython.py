#!/usr/bin/python3
"""ftbench's interpreter against a real CPython on the same Python workload files, one thread.

    scripts/interp-vs-cpython.py [--ftbench PATH] [--python PATH] [--variant gil] [--rounds 5]
                                 [--work-scale 0.2] [--workloads fib,nbody,...]

For each workloads/py file: `ftbench cell --variant V` and harness/python/cell_driver.py under
PYTHON (default Debian's /usr/bin/python3), each with one warm-up run in its process, alternated
for ROUNDS rounds; prints each one's median time of the timed region, the ratio ftbench/CPython
(below 1: ftbench's interpreter is faster) with the ratio's range over rounds, and checks that the
checksums agree. What the ratio says: how far the model's interpreter is from a real one in speed,
so that its overheads (a dict lookup, a call, a reference count) weigh about as much per
operation as they do in CPython.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "harness", "python"))
from cell_driver import header  # noqa: E402  (the workload header, read as the driver reads it)


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        sys.exit(f"error: {' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()[-400:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ftbench", default=os.path.join(ROOT, "build/release/harness/ftbench"))
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--variant", default="gil")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--work-scale", type=float, default=0.2)
    ap.add_argument("--workloads", default="", help="file stems (default: every file of workloads/py)")
    args = ap.parse_args()
    pydir = os.path.join(ROOT, "workloads", "py")
    names = args.workloads.split(",") if args.workloads else sorted(f[:-3] for f in os.listdir(pydir) if f.endswith(".py"))
    driver = os.path.join(ROOT, "harness", "python", "cell_driver.py")
    ratios = []
    print(f"{'workload':22} {'category':11} {'ftbench ms':>11} {'CPython ms':>11} {'ratio':>6}  range        checksums")
    for name in names:
        path = os.path.join(pydir, name + ".py")
        if not os.path.isfile(path):
            sys.exit(f"error: no workload file {path}")
        fields = header(path)
        size = max(1, round(int(fields["size"]) * args.work_scale))
        ours, theirs, per_round = [], [], []
        agree = True
        for _ in range(args.rounds):
            a = run([args.ftbench, "cell", "--workload", "py." + name, "--variant", args.variant, "--threads", "1",
                     "--size", str(size), "--warmup", "1", "--placement", "none"])
            b = run([args.python, driver, path, "--threads", "1", "--size", str(size), "--warmup", "1"])
            ours.append(a["wall_seconds"])
            theirs.append(b["seconds"])
            per_round.append(a["wall_seconds"] / b["seconds"])
            agree = agree and (a["checksum"] % (1 << 64)) == (b["checksum"] % (1 << 64))
        ratio = statistics.median(ours) / statistics.median(theirs)
        ratios.append(ratio)
        print(f"{name:22} {fields.get('category', ''):11} {1e3 * statistics.median(ours):11.2f} "
              f"{1e3 * statistics.median(theirs):11.2f} {ratio:6.2f}  [{min(per_round):.2f}, {max(per_round):.2f}]  "
              f"{'equal' if agree else 'DIFFER'}")
    geo = statistics.geometric_mean(ratios)
    print(f"geometric mean ftbench {args.variant} / CPython: {geo:.2f} over {len(ratios)} workloads")
    return 0


if __name__ == "__main__":
    sys.exit(main())
