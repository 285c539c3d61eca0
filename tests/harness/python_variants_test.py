"""`run --python`: a real interpreter as a variant, end to end, and every bad interpreter a clear
error (exit 2, one line, before the sweep starts).

    python_variants_test.py FTBENCH [PYTHON]

PYTHON (default Debian's /usr/bin/python3, 3.11) is swept with the model's gil over py.fib and a
C++ workload (fib) at 1 and 2 threads: the interpreter's variant runs py.fib only, in rows of the
same results.json without the figures it cannot measure, with gil's checksum; --resume completes
it; a workload that raises under CPython stops the sweep with its traceback (exit 2).
"""
import json
import os
import re
import subprocess
import sys
import tempfile

RAISES = """# category: cpu
# size: 100
# validate-size: 4
# description: raises under CPython only
import os

def setup(threads, size, scaling):
    return None

def worker(state, index, begin, end):
    try:
        os.sched_getaffinity
    except AttributeError:
        return end - begin
    raise ValueError("only under CPython")

def finish(state, results):
    return sum(results)
"""


def main():
    ftbench = sys.argv[1]
    python = sys.argv[2] if len(sys.argv) > 2 else "/usr/bin/python3"
    failures = []

    def run(args, timeout=300):
        proc = subprocess.run([ftbench] + args, capture_output=True, text=True, timeout=timeout)
        return proc.returncode, proc.stdout + proc.stderr

    def check(name, args, rc, *needles):
        code, out = run(args)
        if code != rc:
            failures.append(f"{name}: exit {code}, expected {rc}\n{out[-1200:]}")
        for needle in needles:
            if needle not in out:
                failures.append(f"{name}: output lacks {needle!r}\n{out[-1200:]}")
        return out

    def rows(out_dir):
        with open(os.path.join(out_dir, "results.json")) as f:
            doc = json.load(f)
        return doc, [b for b in doc["benchmarks"] if b.get("run_type") == "iteration"]

    probe = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2], "
                            "int(getattr(sys, '_is_gil_enabled', lambda: True)()))"],
                           capture_output=True, text=True, check=True).stdout.split()
    variant = f"cpython-{probe[0]}" + ("" if probe[1] == "1" else "t")

    with tempfile.TemporaryDirectory() as tmp:
        out_dir = os.path.join(tmp, "sweep")
        sweep = ["run", "--workloads", "py.fib,fib", "--variants", "gil", "--python", python, "--threads", "1,2",
                 "--repetitions", "2", "--work-scale", "0.05", "--no-calibration", "--seed", "7"]
        out = check("sweep", sweep + ["--out", out_dir], 0, f"{variant}: ")
        doc, runs = rows(out_dir)
        mine = [r for r in runs if r["variant"] == variant]
        if sorted((r["workload"], r["threads"]) for r in mine) != [("py.fib", 1), ("py.fib", 1), ("py.fib", 2),
                                                                      ("py.fib", 2)]:
            failures.append(f"sweep: {variant} should run py.fib at 1 and 2 threads twice each (the C++ workload "
                            f"left out of its plan), ran {[(r['workload'], r['threads']) for r in mine]}")
        if len([r for r in runs if r["variant"] == "gil"]) != 8:
            failures.append("sweep: gil should run py.fib and fib at 1 and 2 threads twice each")
        pythons = doc["context"]["ftbench"].get("pythons", [])
        if [p.get("variant") for p in pythons] != [variant] or not os.path.isabs(pythons[0].get("path", "")) \
                or not re.fullmatch(r"\d+\.\d+\.\d+", pythons[0].get("version", "")):
            failures.append(f"sweep: context.ftbench.pythons is {pythons}")
        if variant not in doc["context"]["ftbench"]["variants"]:
            failures.append("sweep: the interpreter's variant is not among context.ftbench.variants")
        gil_sum = {r["checksum"] for r in runs if r["variant"] == "gil" and r["workload"] == "py.fib"}
        for r in mine:
            for absent in ("leaked_objects", "memory"):
                if absent in r:
                    failures.append(f"sweep: {variant}'s row has {absent}, which the driver does not measure")
            if r["counters"] != {}:
                failures.append(f"sweep: {variant}'s row has counters {r['counters']}")
            if {r["checksum"]} != gil_sum:
                failures.append(f"sweep: checksum {r['checksum']} differs from gil's {gil_sum}")
            if len(r["cpu_placed"]) != r["threads"] or len(r["thread_cpu_seconds"]) != r["threads"]:
                failures.append(f"sweep: {variant} row has {len(r['cpu_placed'])} placed threads of {r['threads']}")
            if not r["wall_seconds"] > 0 or not all(c >= 0 for c in r["thread_cpu_seconds"]):
                failures.append(f"sweep: {variant} row times {r['wall_seconds']}, {r['thread_cpu_seconds']}")
            if r["gil_enabled"] != (probe[1] == "1"):
                failures.append(f"sweep: gil_enabled {r['gil_enabled']} in a {variant} row")
        aggregates = [b for b in doc["benchmarks"] if b.get("run_type") == "aggregate" and b["variant"] == variant
                      and b.get("aggregate_name") == "median"]
        if len(aggregates) != 2 or any("speedup" not in a for a in aggregates):
            failures.append(f"sweep: expected median rows with a speedup for {variant} at 1 and 2 threads")
        with open(os.path.join(out_dir, "results.csv")) as f:
            if not any(line.startswith(f"py.fib,{variant},") and line.rstrip("\n").endswith(",") for line in f):
                failures.append("sweep: results.csv's leaked_objects should be empty for the interpreter's rows")

        # --resume: the interpreter's runs taken out are run again.
        doc["benchmarks"] = [b for b in doc["benchmarks"]
                             if b.get("run_type") == "iteration" and not (b["variant"] == variant
                                                                          and b["repetition_index"] == 1)]
        with open(os.path.join(out_dir, "results.json"), "w") as f:
            json.dump(doc, f)
        check("resume", ["run", "--resume", out_dir], 0, "runs already done")
        _, runs = rows(out_dir)
        if len([r for r in runs if r["variant"] == variant]) != 4:
            failures.append("resume: the interpreter's runs were not completed")
        doc, _ = rows(out_dir)
        doc["context"]["ftbench"]["pythons"][0]["path"] = os.path.join(tmp, "gone", "python3")
        with open(os.path.join(out_dir, "results.json"), "w") as f:
            json.dump(doc, f)
        check("resume, interpreter gone", ["run", "--resume", out_dir], 2, "cannot resume", "no such file")

        # Bad interpreters: exit 2 with one line, before the sweep starts.
        old = os.path.join(tmp, "python3.8")
        with open(old, "w") as f:
            f.write("#!/bin/sh\necho ftbench-python-probe 3.8.10 1\n")
        os.chmod(old, 0o755)
        plain = os.path.join(tmp, "plain.txt")
        with open(plain, "w") as f:
            f.write("not a program\n")
        base = ["run", "--workloads", "py.fib", "--variants", "gil", "--threads", "1", "--repetitions", "1",
                "--no-calibration"]
        for name, path, needle in (("missing", os.path.join(tmp, "nope"), "no such file"),
                                   ("directory", tmp, "a directory"),
                                   ("not executable", plain, "not executable"),
                                   ("not a python", "/bin/true", "not a Python interpreter"),
                                   ("old version", old, "Python 3.8.10, and the Python workloads need 3.11")):
            out = check(name, base + ["--python", path, "--out", os.path.join(tmp, name)], 2, needle)
            errors = [line for line in out.splitlines() if line.startswith("ftbench: error:")]
            if len(errors) != 1 or "sweep:" in out or "Traceback" in out:
                failures.append(f"{name}: expected one error line before any sweep\n{out[-800:]}")
        check("same variant twice", base + ["--python", f"{python},{python}", "--out", os.path.join(tmp, "twice")],
              2, "are both")
        check("no python workload", ["run", "--workloads", "fib", "--python", python, "--out", os.path.join(tmp, "c")],
              2, "none is selected")
        check("with --instructions", ["run", "--workloads", "py.fib", "--python", python, "--instructions",
                                      "--out", os.path.join(tmp, "i")], 2, "drop --python")

        # A workload that raises under CPython only: the sweep stops with its traceback, exit 2.
        raises = os.path.join(tmp, "raises.py")
        with open(raises, "w") as f:
            f.write(RAISES)
        out = check("raises", ["run", "--workload-file", raises, "--workloads", "py.raises", "--variants", "gil",
                               "--python", python, "--threads", "1", "--repetitions", "1", "--no-calibration",
                               "--out", os.path.join(tmp, "raises")],
                    2, "Traceback (most recent call last)", "ValueError: only under CPython",
                    f"py.raises/{variant}/threads:1")
        if "internal error" in out:
            failures.append(f"raises: reported as an internal error\n{out[-800:]}")
    for f in failures:
        print("FAIL", f)
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
