#!/usr/bin/python3
"""An interrupted sweep keeps its finished runs, and --resume completes it without redoing them.

usage: resume_test.py FTBENCH
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time


def iteration_rows(path):
    with open(path) as f:
        doc = json.load(f)
    return [r for r in doc["benchmarks"] if r["run_type"] == "iteration"]


def key(row):
    return (row["workload"], row["variant"], row["threads"], row["repetition_index"])


def wait_until_stopped(pid):
    """Until the process is in the stopped state (SIGSTOP takes effect asynchronously)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "T":
                return
        time.sleep(0.001)
    raise AssertionError(f"pid {pid} did not stop within 10 s of SIGSTOP")


def main():
    out = tempfile.mkdtemp(prefix="ftbench-resume-")
    try:
        check(sys.argv[1], out)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def check(ftbench, out):
    results = os.path.join(out, "results.json")
    args = [ftbench, "run", "--workloads", "fib", "--threads", "1,2", "--repetitions", "5", "--warmup", "0",
            "--work-scale", "1", "--seed", "3", "--out", out]
    total = (3 * 2 + 2) * 5  # 3 variants x 2 thread counts, and the machine calibration at each
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Not a terminal: the sweep prints one "[k/N] ..." line per finished run, after recording it.
    # From the third on, stop the sweep (SIGSTOP: it cannot write while stopped) and count the runs
    # in results.json; once the periodic writes (every two seconds) hold fewer runs than have
    # finished, interrupt it there. The runs kept beyond those can only come from the write on
    # interruption.
    lines, finished, on_disk = [], 0, None
    for line in proc.stderr:
        lines.append(line)
        finished += line.startswith("[")
        if finished < 3:
            continue
        proc.send_signal(signal.SIGSTOP)
        wait_until_stopped(proc.pid)
        on_disk = len(iteration_rows(results))
        if on_disk < finished:
            break
        proc.send_signal(signal.SIGCONT)
    assert on_disk is not None and on_disk < finished, \
        f"never found the periodic write behind the finished runs ({on_disk} on disk, {finished} finished)"
    proc.send_signal(signal.SIGINT)  # delivered when the sweep continues, before it runs on
    proc.send_signal(signal.SIGCONT)
    _, err = proc.communicate(timeout=120)
    err = "".join(lines) + err
    assert proc.returncode == 130, f"interrupted sweep: exit {proc.returncode}, expected 130\n{err}"
    assert "--resume" in err, "the interrupted sweep should say how to resume:\n" + err
    kept = iteration_rows(results)  # must parse: written atomically
    assert on_disk < finished <= len(kept) < total, \
        f"{len(kept)} runs kept of {total}; {finished} had finished, {on_disk} were written before the signal"
    # wall_seconds, not real_time: a cell's time_unit follows its median and may change when
    # the resumed sweep completes it.
    kept_times = {key(r): r["wall_seconds"] for r in kept}

    done = subprocess.run([ftbench, "run", "--resume", out], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"resume: exit {done.returncode}\n{done.stderr}"
    rows = iteration_rows(results)
    keys = [key(r) for r in rows]
    assert len(keys) == total, f"{len(keys)} runs after resume, expected {total}"
    assert len(set(keys)) == total, "a run was recorded twice"
    for r in rows:
        if key(r) in kept_times:
            assert r["wall_seconds"] == kept_times[key(r)], f"{key(r)} was run again"
    with open(results) as f:
        medians = [r for r in json.load(f)["benchmarks"] if r.get("aggregate_name") == "median"]
    assert len(medians) == 8, f"{len(medians)} cells with aggregates, expected 8"

    again = subprocess.run([ftbench, "run", "--out", out], capture_output=True, text=True)
    assert again.returncode == 2 and "--resume" in again.stderr, "reusing a results directory must be refused"
    print(f"ok: interrupted after {len(kept)} of {total} runs, resumed to {total}")


main()
