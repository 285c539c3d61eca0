"""`--workload-file`: a user's Python workload runs like a shipped one, and every bad file is a
clear error (exit 2) naming the file, never a crash.

    workload_file_test.py FTBENCH
"""
import json
import os
import subprocess
import sys
import tempfile

HEADER = "# category: cpu\n# size: 100\n# validate-size: 4\n# description: {}\n"
GOOD = HEADER.format("a user's workload") + """
def square_sum(begin, end):
    total = 0
    for u in range(begin, end):
        total += u * u
    return total

def setup(threads, size, scaling):
    return None

def worker(state, index, begin, end):
    return square_sum(begin, end)

def finish(state, results):
    return sum(results)
"""
SYNTAX = HEADER.format("a syntax error") + """
def setup(threads, size, scaling):
    return lambda x: x
"""
RAISES = HEADER.format("raises in a worker") + """
def setup(threads, size, scaling):
    return None

def lookup(d):
    return d["missing"]

def worker(state, index, begin, end):
    return lookup({})

def finish(state, results):
    return 0
"""
NO_HEADER = "def setup(threads, size, scaling):\n    return None\n"
BAD_SIZE = "# category: cpu\n# size: lots\n# validate-size: 4\n# description: x\n"


def main():
    ftbench = sys.argv[1]
    failures = []

    def check(name, args, rc, *needles):
        proc = subprocess.run([ftbench] + args, capture_output=True, text=True, timeout=300)
        out = proc.stdout + proc.stderr
        if proc.returncode != rc:
            failures.append(f"{name}: exit {proc.returncode}, expected {rc}\n{out[-800:]}")
            return out
        for needle in needles:
            if needle not in out:
                failures.append(f"{name}: output lacks {needle!r}\n{out[-800:]}")
        if "Traceback" in out and "ftbench" in out.split("Traceback")[0] and "internal error" in out:
            failures.append(f"{name}: reported as an internal error\n{out[-800:]}")
        return out

    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, text in (("good", GOOD), ("syntax", SYNTAX), ("raises", RAISES), ("noheader", NO_HEADER),
                           ("badsize", BAD_SIZE)):
            files[name] = os.path.join(tmp, name + ".py")
            with open(files[name], "w") as f:
                f.write(text)
        check("list", ["list", "--workload-file", files["good"]], 0, "py.good", "a user's workload")
        check("validate", ["validate", "--workload-file", files["good"], "--workloads", "py.good", "--threads", "1,2"],
              0, "0 failures")
        out_dir = os.path.join(tmp, "sweep")
        check("run", ["run", "--workload-file", files["good"], "--workloads", "py.good", "--variants", "gil,brc",
                      "--threads", "1,2", "--repetitions", "2", "--no-calibration", "--out", out_dir], 0)
        if os.path.exists(os.path.join(out_dir, "results.json")):
            with open(os.path.join(out_dir, "results.json")) as f:
                rows = [b for b in json.load(f)["benchmarks"] if b.get("run_type") == "iteration"]
            if len(rows) != 8 or {r["workload"] for r in rows} != {"py.good"}:
                failures.append(f"run: expected 8 runs of py.good (each in a child process), got {len(rows)}")
        check("syntax error", ["list", "--workload-file", files["syntax"]], 2,
              "syntax.py:", "SyntaxError", "'lambda' is not supported")
        check("raises", ["validate", "--workload-file", files["raises"], "--workloads", "py.raises", "--threads", "1"],
              2, "Traceback (most recent call last)", 'line 10, in lookup', "KeyError: 'missing'")
        check("no header", ["list", "--workload-file", files["noheader"]], 2, "noheader.py", "'# category: ...'")
        check("bad size", ["list", "--workload-file", files["badsize"]], 2, "badsize.py", "not a whole number")
        check("missing", ["list", "--workload-file", os.path.join(tmp, "nope.py")], 2, "no such workload file")
        check("not python", ["list", "--workload-file", ftbench], 2, "is not a Python file")
        check("no path", ["list", "--workload-file"], 2, "--workload-file needs a path")
        clash = os.path.join(tmp, "clash")
        os.mkdir(clash)
        with open(os.path.join(clash, "fib.py"), "w") as f:
            f.write(GOOD)
        check("name taken", ["list", "--workload-file", os.path.join(clash, "fib.py")], 2,
              "two workload files are named py.fib")
    for f in failures:
        print("FAIL", f)
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
