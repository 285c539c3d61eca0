#!/usr/bin/python3
"""ftbench run --baseline-binary: bad base binaries refused before the sweep (exit 2, one line
naming the option); a tiny paired sweep with this binary as base writes both builds' runs, every
cell by both in every round, the base runs in baseline.json only; --resume completes both files;
--baseline-work-scale gives the base side its own sizes; compare --paired reads the sweep.

usage: baseline_test.py FTBENCH
"""
import json
import os
import stat
import subprocess
import sys
import tempfile
import time

SWEEP = ["--workloads", "fib", "--variants", "gil,brc", "--threads", "1,2", "--repetitions", "3",
         "--work-scale", "0.1", "--seed", "11"]


def run(*args, timeout=300):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=timeout)


def fake(directory, name, body):
    """A shell script standing in for a base binary."""
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body)
    os.chmod(path, 0o755)
    return path


def check_refused(ftbench, args, wanted):
    out = tempfile.mkdtemp(prefix="ftbench-baseline-bad-")
    done = run(ftbench, "run", *SWEEP, "--out", out, *args)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, (args, done.returncode, done.stderr)
    # One line (CLI11's own option errors add its "Run with --help" hint).
    assert lines and wanted in lines[0] and lines[1:] in ([], ["Run with --help for more information."]), \
        (args, done.stderr)
    assert not os.path.exists(os.path.join(out, "results.json")), f"{args}: a sweep began"


def bad_inputs(ftbench, scratch):
    not_executable = os.path.join(scratch, "plain")
    open(not_executable, "w").close()
    os.chmod(not_executable, stat.S_IRUSR | stat.S_IWUSR)
    # An ftbench whose list lacks fib; one whose cells fail (an unknown variant); one whose cells
    # print what this build cannot read (another cell protocol).
    header = 'echo "NAME                 CATEGORY        SIZE  DESCRIPTION"\n'
    no_fib = fake(scratch, "no-fib", f'[ "$1" = list ] && {{ {header} echo "nbody cpu 500 x"; exit 0; }}\nexit 2\n')
    no_variant = fake(scratch, "no-variant",
                      f'[ "$1" = list ] && {{ {header} echo "fib cpu 400 x"; exit 0; }}\n'
                      'echo "ftbench cell: error: unknown variant" >&2; exit 2\n')
    other_protocol = fake(scratch, "other-protocol",
                          f'[ "$1" = --version ] && {{ echo "ftbench 9.9"; exit 0; }}\n'
                          f'[ "$1" = list ] && {{ {header} echo "fib cpu 400 x"; exit 0; }}\n'
                          'echo "{\\"wall\\": 1}"; exit 0\n')
    cases = [
        (["--baseline-binary", os.path.join(scratch, "missing")], "--baseline-binary"),
        (["--baseline-binary", scratch], "not a regular file"),
        (["--baseline-binary", not_executable], "not executable"),
        (["--baseline-binary", "/bin/true"], "not an ftbench"),
        (["--baseline-binary", no_fib], "does not know the workload 'fib'"),
        (["--baseline-binary", no_variant], "probe cell fib/gil exited with status 2"),
        (["--baseline-binary", other_protocol], "another cell protocol"),
        (["--baseline-binary", ""], "--baseline-binary"),
        (["--baseline-work-scale", "1"], "--baseline-work-scale needs --baseline-binary"),
        (["--baseline-binary", ftbench, "--in-process"], "drop --in-process"),
        (["--baseline-binary", ftbench, "--python", sys.executable], "real interpreters (--python) have no base"),
        (["--baseline-binary", ftbench, "--baseline-work-scale", "0"], "--baseline-work-scale"),
    ]
    for args, wanted in cases:
        check_refused(ftbench, args, wanted)
    # A base binary that hangs (here in a child of its own: the probe kills the whole group, or
    # reading its output would wait for the orphan) is killed and refused.
    hangs = fake(scratch, "hangs", f'[ "$1" = list ] && {{ {header} echo "fib cpu 400 x"; exit 0; }}\nsleep 120\n')
    os.environ["FTBENCH_PROBE_TIMEOUT_S"] = "2"
    try:
        started = time.monotonic()
        check_refused(ftbench, ["--baseline-binary", hangs], "`--version` did not finish in 2 s (killed)")
        assert time.monotonic() - started < 60, "the hanging probe was not killed in time"
    finally:
        del os.environ["FTBENCH_PROBE_TIMEOUT_S"]
    done = run(ftbench, "run", "--resume", scratch, "--baseline-binary", ftbench)
    assert done.returncode == 2 and "drop --baseline-binary" in done.stderr, done.stderr


def iterations(path):
    with open(path) as f:
        doc = json.load(f)
    return doc, [r for r in doc["benchmarks"] if r["run_type"] == "iteration"]


def paired_sweep(ftbench, scratch):
    out = os.path.join(scratch, "paired")
    done = run(ftbench, "run", *SWEEP, "--baseline-binary", ftbench, "--out", out)
    assert done.returncode == 0, done.stderr
    new_doc, new_rows = iterations(os.path.join(out, "results.json"))
    base_doc, base_rows = iterations(os.path.join(out, "baseline.json"))
    block = new_doc["context"]["ftbench"]["baseline"]
    assert block["binary"] == os.path.realpath(ftbench) or block["binary"] == os.path.abspath(ftbench), block
    assert block["version"].startswith("ftbench ") and block["file"] == "baseline.json", block
    assert block["work_scale"] == new_doc["context"]["ftbench"]["work_scale"] == 0.1
    assert base_doc["context"]["ftbench"]["build"] == "base", base_doc["context"]["ftbench"]
    assert base_doc["context"]["ftbench"]["seed"] == 11
    cells = {(w, v, t, r) for w in ["fib"] for v in ["gil", "brc"] for t in [1, 2] for r in range(3)}
    key = lambda row: (row["workload"], row["variant"], row["threads"], row["repetition_index"])
    # Every cell by both builds in every round; the calibration cell by this build only.
    assert {key(r) for r in new_rows if r["workload"] != "calibration"} == cells
    assert sorted(key(r) for r in base_rows) == sorted(cells), [key(r) for r in base_rows]
    assert all(r.get("build") == "base" for r in base_rows)
    assert not any("build" in r for r in new_rows)
    assert any(r["workload"] == "calibration" for r in new_rows)
    # Same sizes on both sides by default.
    assert {r["size"] for r in base_rows} == {r["size"] for r in new_rows if r["workload"] == "fib"}
    for suffix in ("csv", "txt"):
        assert os.path.getsize(os.path.join(out, f"baseline.{suffix}")) > 0

    # compare --paired reads it (the verdict is timing, not asserted): 4 cells x 3 rounds x wall and
    # CPU time; one
    # directory that is a paired sweep is compared paired without --paired too.
    done = run(ftbench, "compare", "--paired", out)
    assert done.returncode in (0, 1) and "Whole sweep, wall time (12 pairs)" in done.stdout \
        and "Whole sweep, cpu time (12 pairs)" in done.stdout, (done.returncode, done.stderr)
    assert len([l for l in done.stdout.splitlines() if l.startswith("fib ")]) == 8, done.stdout
    assert run(ftbench, "compare", out).stdout == done.stdout
    return out


def resume_refusals(ftbench, out, scratch):
    """A paired sweep without its baseline.json, or whose base binary is gone: exit 2, one line."""
    import shutil
    no_file = shutil.copytree(out, os.path.join(scratch, "no-baseline-file"))
    os.unlink(os.path.join(no_file, "baseline.json"))
    gone = shutil.copytree(out, os.path.join(scratch, "binary-gone"))
    with open(os.path.join(gone, "results.json")) as f:
        doc = json.load(f)
    doc["context"]["ftbench"]["baseline"]["binary"] = os.path.join(scratch, "no-such-ftbench")
    with open(os.path.join(gone, "results.json"), "w") as f:
        json.dump(doc, f)
    for directory, wanted in ((no_file, "baseline.json does not exist"), (gone, "no such file")):
        done = run(ftbench, "run", "--resume", directory)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1 and wanted in lines[0], done.stderr


def resume(ftbench, out):
    """Drop round 2 from both files (as if the sweep had been killed), then --resume."""
    for name in ("results.json", "baseline.json"):
        path = os.path.join(out, name)
        with open(path) as f:
            doc = json.load(f)
        doc["benchmarks"] = [r for r in doc["benchmarks"]
                             if r["run_type"] == "iteration" and r["repetition_index"] != 2]
        with open(path, "w") as f:
            json.dump(doc, f)
    done = run(ftbench, "run", "--resume", out)
    assert done.returncode == 0, done.stderr
    _, new_rows = iterations(os.path.join(out, "results.json"))
    _, base_rows = iterations(os.path.join(out, "baseline.json"))
    assert len(base_rows) == 12 and sorted({r["repetition_index"] for r in base_rows}) == [0, 1, 2]
    assert len([r for r in new_rows if r["workload"] == "fib"]) == 12
    assert all(r.get("build") == "base" for r in base_rows)


def work_scale(ftbench, scratch):
    out = os.path.join(scratch, "scaled")
    done = run(ftbench, "run", "--workloads", "fib", "--variants", "gil", "--threads", "1",
               "--repetitions", "1", "--warmup", "0", "--work-scale", "0.1", "--no-calibration",
               "--baseline-binary", ftbench, "--baseline-work-scale", "0.2", "--out", out)
    assert done.returncode == 0, done.stderr
    _, new_rows = iterations(os.path.join(out, "results.json"))
    _, base_rows = iterations(os.path.join(out, "baseline.json"))
    assert [r["size"] for r in new_rows] == [40] and [r["size"] for r in base_rows] == [80], \
        (new_rows, base_rows)
    done = run(ftbench, "compare", "--paired", out, "--allow-inconclusive")
    assert "different work scales" in done.stdout, done.stdout


def main():
    ftbench = sys.argv[1]
    scratch = tempfile.mkdtemp(prefix="ftbench-baseline-")
    bad_inputs(ftbench, scratch)
    out = paired_sweep(ftbench, scratch)
    resume_refusals(ftbench, out, scratch)
    resume(ftbench, out)
    work_scale(ftbench, scratch)
    print("baseline_test: ok")


if __name__ == "__main__":
    main()
