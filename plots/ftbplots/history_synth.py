"""Synthetic sweep histories: results.json documents of made-up machines along made-up commits,
with known steps, for the tests (plots/tests/test_history.py) and for sizing the dashboard
(scripts/synthetic-history.py; docs/history.md, "Size and time").

Each sweep has every (workload, variant, threads) cell with `repetitions` iteration rows and a
median row (wall_seconds with its interval, speedup, efficiency, overhead_vs_gil, peak RSS), in
schema version 2, and goes into the database through results.load and history_store.insert_sweep,
as `ftbench history add` stores a real one. The noise: each run's time is multiplied by a
log-normal factor (run_noise), each sweep's by another (sweep_noise: the machine's drift between
sweeps), and one sweep in `slow_every` runs 1.3x slower throughout (a slow phase of the host).
A Step multiplies a cell's times from a commit on.
"""
from __future__ import annotations

import hashlib
import json
import math
import random
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from . import history_store, results

VARIANTS = ("gil", "brc")
THREADS = (1, 2, 4, 8)


@dataclass(frozen=True)
class Step:
    machine: int          # index of the machine (0 ...)
    commit: int           # first commit index with the new times
    workload: str
    variant: str
    threads: int | None   # None: every thread count
    factor: float         # new time / old time


def commit_hash(i: int) -> str:
    return hashlib.sha1(f"synthetic commit {i}".encode()).hexdigest()[:9]


def workload_names(n: int) -> list:
    return [f"w{i:02d}" for i in range(n)]


def sweep_document(machine: int, commit: int, workloads, variants=VARIANTS, threads=THREADS,
                   repetitions: int = 5, steps=(), rng: random.Random | None = None,
                   run_noise: float = 0.02, sweep_noise: float = 0.01, slow_every: int = 0,
                   host: str | None = None, memory: bool = True) -> dict:
    rng = rng or random.Random(machine * 100003 + commit)
    cores = (2, 16, 64, 192, 8)[machine % 5]
    drift = math.exp(rng.gauss(0, sweep_noise)) * (1.3 if slow_every and commit % slow_every == slow_every // 2 else 1.0)
    start = datetime(2026, 1, 1, 3, 0, tzinfo=timezone.utc)
    rows = []
    for w_index, workload in enumerate(workloads):
        base_ms = 5 + (w_index * 37 % 120)
        one_thread = {}
        for variant in variants:
            for n in threads:
                factor = 1.0
                for s in steps:
                    if s.machine == machine and commit >= s.commit and s.workload == workload \
                            and s.variant == variant and s.threads in (None, n):
                        factor *= s.factor
                overhead = 1.0 if variant == "gil" else 1.15 + 0.01 * (w_index % 7)
                efficiency = 1.0 / n if variant == "gil" else 0.95 ** math.log2(n)
                mean = base_ms * overhead * factor * drift / (n * efficiency)  # strong scaling
                times = [mean * math.exp(rng.gauss(0, run_noise)) for _ in range(repetitions)]
                name = f"{workload}/{variant}/threads:{n}/strong/compact"
                rss = (40 + 3 * n + (8 if variant == "brc" else 0)) * 1048576 * (1 + rng.gauss(0, 0.002))
                for i, t in enumerate(times):
                    row = {"name": name, "run_name": name, "run_type": "iteration", "repetitions": repetitions,
                           "repetition_index": i, "threads": n, "iterations": 1, "real_time": t,
                           "cpu_time": t * n, "time_unit": "ms", "workload": workload, "variant": variant,
                           "placement": "compact", "scaling": "strong", "category": "cpu", "wall_seconds": t / 1000}
                    if memory:
                        row["memory"] = {"peak_rss": int(rss)}
                    rows.append(row)
                med = sorted(times)[len(times) // 2]
                if n == 1:
                    one_thread[variant] = med
                speedup = one_thread.get(variant, med) / med
                eff = speedup / n
                median = {"name": name + "_median", "run_name": name, "run_type": "aggregate",
                          "aggregate_name": "median", "aggregate_unit": "time", "repetitions": repetitions,
                          "threads": n, "iterations": 1, "real_time": med, "cpu_time": med * n,
                          "time_unit": "ms", "workload": workload, "variant": variant, "placement": "compact",
                          "scaling": "strong", "category": "cpu", "wall_seconds": med / 1000,
                          "wall_seconds_ci": {"value": med / 1000, "ci_low": min(times) / 1000,
                                              "ci_high": max(times) / 1000},
                          "speedup": {"value": speedup, "ci_low": speedup * 0.97, "ci_high": speedup * 1.03},
                          "efficiency": {"value": eff, "ci_low": eff * 0.97, "ci_high": eff * 1.03}}
                if n == 1 and "gil" in one_thread:
                    o = med / one_thread["gil"]
                    median["overhead_vs_gil"] = {"value": o, "ci_low": o * 0.98, "ci_high": o * 1.02}
                if memory:
                    median["memory"] = {"peak_rss": int(rss)}
                rows.append(median)
    return {"context": {
        "date": (start + timedelta(days=commit, minutes=7 * machine)).isoformat(timespec="seconds"),
        "host_name": host if host is not None else f"synthetic-{machine}",
        "num_cpus": cores, "library_build_type": "release", "json_schema_version": 1,
        "ftbench": {"schema_version": 2, "cpu_model": f"Synthetic CPU {machine}", "packages": 1,
                    "numa_nodes": 1, "cores": cores, "pus": cores, "topology": f"Core:{cores}",
                    "kernel": "Linux", "compiler": "GNU 12.2.0", "build_type": "Release",
                    "git_commit": commit_hash(commit), "git_dirty": False, "repetitions": repetitions,
                    "warmup": 0, "work_scale": 1.0, "quick": False, "mode": "time",
                    "isolation": "process", "placement": "compact", "scaling": "strong",
                    "knobs": {}, "threads": list(threads), "variants": list(variants),
                    "workloads": list(workloads), "command_line": "synthetic"}},
        "benchmarks": rows}


def generate(db_path, machines: int = 5, commits: int = 300, workloads: int = 35,
             variants=VARIANTS, threads=THREADS, repetitions: int = 5, steps=(),
             branch: str | None = "main", seed: int = 1, run_noise: float = 0.02,
             sweep_noise: float = 0.01, slow_every: int = 50, progress=None) -> int:
    """Stores machines x commits synthetic sweeps in db_path; returns how many were added."""
    names = workload_names(workloads)
    added = 0
    conn = history_store.open_db(db_path, create=True)
    try:
        with tempfile.TemporaryDirectory(prefix="ftbench-synth-") as tmp:
            for m in range(machines):
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for c in range(commits):
                        rng = random.Random(seed * 7919 + m * 100003 + c)
                        doc = sweep_document(m, c, names, variants, threads, repetitions, steps, rng,
                                             run_noise, sweep_noise, slow_every)
                        path = Path(tmp) / "results.json"
                        path.write_text(json.dumps(doc), encoding="utf-8")
                        res = results.load(path)
                        _, new = history_store.insert_sweep(conn, res, doc, source=f"synthetic {m}/{c}",
                                                            branch=branch)
                        added += new
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                if progress:
                    progress(m + 1, machines)
    finally:
        conn.close()
    return added
