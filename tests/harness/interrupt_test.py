#!/usr/bin/python3
"""A sweep stopped by a signal: no cell child outlives it, every finished run is kept, and the
exit code is 128 + the signal.

usage: interrupt_test.py FTBENCH term|hup|second-int|kill

  term, hup   SIGTERM (SIGHUP) while a child runs a long `sleep` cell: exit 143 (129), one line
              saying what was kept, no process of the child's group left 1 s later, every run the
              sweep reported finished in results.json, and --resume completes the sweep.
  second-int  an in-process sweep in a long cell: the first SIGINT waits for the cell, a second
              one exits at once with 130, and results.json is whole.
  kill        SIGKILL of the sweep: its child dies with it.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

FTBENCH = sys.argv[1]
CASE = sys.argv[2]
# sleep cells of 30 units (300 x 0.1) of 70 ms: about 2 s each; fib cells take milliseconds.
SWEEP = ["run", "--no-calibration", "--workloads", "fib,sleep", "--variants", "gil,brc", "--threads", "1", "--repetitions", "2",
         "--warmup", "0", "--work-scale", "0.1", "--knob", "sleep.sleep_us=70000", "--seed", "7"]
TOTAL = 2 * 2 * 1 * 2
STARTED = []  # every sweep started, stopped at the end whatever happened
PROGRESS = re.compile(r"^\[\d+/\d+\] (\w+)/(\w+)/threads:(\d+) rep (\d+)/\d+")


def stat(pid):
    """(state, ppid, pgrp) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[2])


def alive(pid):
    s = stat(pid)
    return s is not None and s[0] != "Z"


def live_pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and alive(int(p))]


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().split(b"\0")
    except OSError:
        return []


def sleep_child(parent):
    """The pid of `parent`'s child running a sleep cell, or None."""
    for pid in live_pids():
        s = stat(pid)
        if s and s[1] == parent and b"cell" in cmdline(pid) and b"sleep" in cmdline(pid):
            return pid
    return None


class Sweep:
    """ftbench run in the background, its stderr collected line by line."""

    def __init__(self, args):
        self.proc = subprocess.Popen([FTBENCH] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        STARTED.append(self.proc)
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def finished(self):
        return [m.groups() for m in map(PROGRESS.match, list(self.lines)) if m]

    def wait_for(self, condition, what, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the sweep ended (exit {self.proc.returncode}) before {what}:\n" + self.stderr())
            value = condition()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}:\n" + self.stderr())

    def end(self, timeout=30):
        code = self.proc.wait(timeout=timeout)
        self.reader.join(timeout=10)
        return code

    def stderr(self):
        return "\n".join(self.lines)


def rows(out):
    with open(os.path.join(out, "results.json")) as f:  # must parse: written atomically
        doc = json.load(f)
    return [r for r in doc["benchmarks"] if r["run_type"] == "iteration"]


def key(row):
    return (row["workload"], row["variant"], row["threads"], row["repetition_index"])


def mid_sleep_cell(sweep):
    """Waits until at least one run finished and a child has been in a sleep cell for 0.5 s."""
    def ready():
        if not sweep.finished():
            return None
        child = sleep_child(sweep.proc.pid)
        if child is None:
            return None
        time.sleep(0.5)
        return child if alive(child) else None
    child = sweep.wait_for(ready, "a finished run, then a child in a sleep cell")
    return child, stat(child)[2]


def signal_mid_cell(out, sig):
    sweep = Sweep(SWEEP + ["--out", out])
    child, group = mid_sleep_cell(sweep)
    assert group == child, f"the child {child} should lead its own process group, not {group}"
    sweep.proc.send_signal(sig)
    signalled = time.monotonic()
    code = sweep.end()
    time.sleep(max(0.0, signalled + 1.0 - time.monotonic()))
    left = [pid for pid in live_pids() if pid == child or (stat(pid) or (0, 0, 0))[2] == group]
    assert not left, f"1 s after {sig.name}, processes of the child's group are still running: {left}"
    assert code == 128 + sig, f"{sig.name}: exit {code}, expected {128 + sig}\n{sweep.stderr()}"
    said = [l for l in sweep.lines if "interrupted by " + sig.name in l]
    assert len(said) == 1 and "--resume " + out in said[0], "expected one line saying what was kept:\n" + sweep.stderr()

    reported = {(w, v, int(t), int(r) - 1) for w, v, t, r in sweep.finished()}
    kept = {key(r): r["real_time"] for r in rows(out)}
    assert reported, "no run finished before the signal"
    assert set(kept) == reported, f"runs reported finished {sorted(reported)} != runs kept {sorted(kept)}"
    assert f"{len(kept)} of {TOTAL} runs kept" in said[0], said[0]

    done = subprocess.run([FTBENCH, "run", "--resume", out], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"resume: exit {done.returncode}\n{done.stderr}"
    after = rows(out)
    assert sorted(key(r) for r in after) == sorted(set(key(r) for r in after)) and len(after) == TOTAL, \
        f"{len(after)} runs after resume, expected {TOTAL} distinct"
    for r in after:
        if key(r) in kept:
            assert r["real_time"] == kept[key(r)], f"{key(r)} was run again"
    return f"{sig.name}: exit {code}, {len(kept)} of {TOTAL} runs kept, child gone, resumed to {TOTAL}"


def second_sigint(out):
    # In process, a cell cannot be killed: the first SIGINT waits for it (30 units of 300 ms, 9 s).
    sweep = Sweep(["run", "--no-calibration", "--workloads", "sleep", "--variants", "gil", "--threads", "1", "--repetitions", "3",
                   "--warmup", "0", "--work-scale", "0.1", "--knob", "sleep.sleep_us=300000", "--seed", "7",
                   "--in-process", "--out", out])
    sweep.wait_for(lambda: any(l.startswith("sweep:") for l in sweep.lines), "the sweep to start")
    time.sleep(0.5)
    sweep.proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    assert sweep.proc.poll() is None, "the first SIGINT should let the in-process cell finish"
    sweep.proc.send_signal(signal.SIGINT)
    try:
        code = sweep.end(timeout=4)  # the cell has about 8 s left
    except subprocess.TimeoutExpired:
        raise AssertionError("a second SIGINT should stop the sweep at once")
    assert code == 130, f"second SIGINT: exit {code}, expected 130\n{sweep.stderr()}"
    assert any("second signal" in l for l in sweep.lines), sweep.stderr()
    assert len(rows(out)) == 0, "no run finished"
    return "second SIGINT: exit 130 at once, results.json whole"


def kill_parent(out):
    sweep = Sweep(SWEEP + ["--out", out])
    child, group = mid_sleep_cell(sweep)
    sweep.proc.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    sweep.end()
    time.sleep(max(0.0, killed + 1.0 - time.monotonic()))
    left = [pid for pid in live_pids() if pid == child or (stat(pid) or (0, 0, 0))[2] == group]
    assert not left, f"1 s after the sweep was killed, its child's group is still running: {left}"
    rows(out)
    return "SIGKILL: the child died with the sweep"


def main():
    out = tempfile.mkdtemp(prefix="ftbench-interrupt-")
    try:
        case = {"term": lambda: signal_mid_cell(out, signal.SIGTERM),
                "hup": lambda: signal_mid_cell(out, signal.SIGHUP),
                "second-int": lambda: second_sigint(out),
                "kill": lambda: kill_parent(out)}[CASE]
        print("ok:", case())
    finally:
        for proc in STARTED:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        shutil.rmtree(out, ignore_errors=True)


main()
