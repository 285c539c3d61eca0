"""One Python workload, run by ftbench's interpreter and by a real CPython: same checksum.

    python_vs_cpython.py FTBENCH FILE [--python PYTHON] [--variants gil,atomic,brc] [--threads 1,2]

Runs FILE under PYTHON (default: Debian's /usr/bin/python3) with harness/python/cell_driver.py
at the file's validate size, then `ftbench cell` for each variant and thread count at the same
size, and checks that every checksum equals CPython's and that ftbench leaked no object. Exit 0
when they agree, 1 when they do not (each disagreement printed), 2 for bad input.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "..", "..", "harness", "python", "cell_driver.py")


def validate_size(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                break
            key, _, value = line[1:].partition(":")
            if key.strip() == "validate-size":
                return int(value)
    raise SystemExit(f"error: {path} has no '# validate-size:' line")


def run_json(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        return None, f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr.strip()}"
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1]), None
    except (ValueError, IndexError):
        return None, f"{' '.join(cmd)} printed no JSON:\n{proc.stdout[-500:]}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ftbench")
    ap.add_argument("file")
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--variants", default="gil,atomic,brc")
    ap.add_argument("--threads", default="1,2")
    args = ap.parse_args()
    if not os.path.isfile(args.file):
        print(f"error: no such file {args.file}", file=sys.stderr)
        return 2
    size = validate_size(args.file)
    name = "py." + os.path.splitext(os.path.basename(args.file))[0]
    failures = []
    reference = None
    for threads in args.threads.split(","):
        cpython, err = run_json([args.python, DRIVER, args.file, "--threads", threads, "--size", str(size)])
        if err:
            print(f"error: CPython could not run {args.file}: {err}", file=sys.stderr)
            return 2
        expected = cpython["checksum"] % (1 << 64)
        if reference is None:
            reference = expected
        elif expected != reference:
            failures.append(f"CPython {cpython['python']}: {threads} threads gave {expected}, 1 thread {reference}")
        for variant in args.variants.split(","):
            cell, err = run_json([args.ftbench, "cell", "--workload", name, "--variant", variant,
                                  "--threads", threads, "--size", str(size), "--placement", "none"])
            if err:
                failures.append(f"{variant} x{threads}: {err}")
                continue
            got = cell["checksum"] % (1 << 64)
            line = f"{name} {variant} x{threads}: ftbench {got}, CPython {cpython['python']} {expected}"
            print(line)
            if got != expected:
                failures.append(line + "  <- differ")
            if cell.get("leaked_objects", 0) != 0:
                failures.append(f"{name} {variant} x{threads}: {cell['leaked_objects']} objects leaked")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
