#!/usr/bin/python3
"""Turns `ftbench micro` JSON (Google Benchmark format, ideally with --repetitions >= 5) into the
markdown tables of docs/primitives.md: medians over repetitions with their coefficient of
variation, the ratios between variants, and a check of each published claim.

usage: /usr/bin/python3 micro/tools/primitives_table.py results/<dir>/micro.json > table.md

Statistics (docs/statistics.md) from plots/ftbplots/stats.py: the median, and the sample
coefficient of variation (sample SD / mean, as Google Benchmark's cv rows of the same file).

Which number is read:
  - single-thread rows (reference counts, create/free, uncontended locks): cpu_time, the thread's
    own CPU time per iteration. On a shared machine the wall time also counts the time the thread
    was not scheduled; the CPU time does not.
  - multi-thread rows: throughput over wall time (items_per_second for the shared reference-count
    rows, the acq_per_s counter for contended locks), plus the counters named in the tables.
"""
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plots"))
from ftbplots import stats  # noqa: E402  (the project's one set of statistics)

VARIANTS = ["gil", "atomic", "brc"]
LOCKS = ["ftb_mutex", "std_mutex", "tbb_spin_mutex", "tbb_queuing_mutex", "ttas_spinlock"]


def load(path):
    doc = json.load(open(path))
    runs = defaultdict(list)  # name -> per-repetition entries
    for b in doc["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        runs[b["run_name"] if "run_name" in b else b["name"]].append(b)
    return doc["context"], runs


class Stat:
    def __init__(self, values):
        self.values = values
        self.median = stats.median(values) if values else float("nan")
        self.cv = stats.sample_cv(values) if values else 0.0

    def fmt(self, digits=2, scale=1.0):
        if not self.values:
            return "n/a"
        return f"{self.median * scale:.{digits}f} ({self.cv * 100:.0f}%)"


def stat(runs, name, key, per_time_unit_ns=False):
    entries = runs.get(name, [])
    values = []
    for e in entries:
        v = e.get(key)
        if v is None:
            continue
        if per_time_unit_ns:  # cpu_time/real_time are in the row's time_unit
            v = v * {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[e.get("time_unit", "ns")]
        values.append(v)
    return Stat(values)


def ratio(a, b):
    return a.median / b.median if a.values and b.values and b.median else float("nan")


def main():
    context, runs = load(sys.argv[1])
    out = []
    reps = max((len(v) for v in runs.values()), default=0)
    out.append(f"Medians over {reps} repetitions; the sample coefficient of variation (sample "
               "stddev / mean over the repetitions) in parentheses.\n")

    # --- reference counts
    out.append("### Reference counts, one thread (ns per incref+decref pair, CPU time)\n")
    out.append("| operation | " + " | ".join(VARIANTS) + " |")
    out.append("|---|" + "---:|" * len(VARIANTS))
    rc = {}
    for op, label in [("refcount/owner_incref_decref", "owner thread"),
                      ("refcount/non_owner_incref_decref", "non-owner thread"),
                      ("refcount/immortal_incref_decref", "immortal object (None)"),
                      ("object/create_free", "create + free a float")]:
        cells = []
        for v in VARIANTS:
            s = stat(runs, f"{v}/{op}", "cpu_time", True)
            rc[(v, op)] = s
            cells.append(s.fmt())
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    out.append("")
    owner = {v: rc[(v, "refcount/owner_incref_decref")] for v in VARIANTS}
    r_brc = ratio(owner["brc"], owner["gil"])
    r_atomic = ratio(owner["atomic"], owner["gil"])
    r_atomic_brc = ratio(owner["atomic"], owner["brc"])
    out.append(f"Owner-path ratios: **brc / gil = {r_brc:.2f}x**, atomic / gil = {r_atomic:.2f}x, "
               f"atomic / brc = {r_atomic_brc:.2f}x.\n")

    qm = "brc/refcount/queue_and_merge/manual_time"
    if qm in runs:
        q = stat(runs, qm, "queue_ns_per_obj")
        m = stat(runs, qm, "merge_ns_per_obj")
        out.append(f"brc queue-and-merge (a non-owner drops the last reference; the owner merges and frees "
                   f"at its eval-breaker check): queue {q.fmt(1)} ns per object on the non-owner, "
                   f"merge + free {m.fmt(1)} ns per object on the owner.\n")

    # --- shared reference counts
    threads = sorted({int(n.rsplit("threads:", 1)[1]) for n in runs if "/refcount/shared_incref_decref" in n})
    if threads:
        out.append("### One object shared by N threads (million incref+decref pairs per second, all threads)\n")
        out.append("| variant, object | " + " | ".join(f"N={t}" for t in threads) + " |")
        out.append("|---|" + "---:|" * len(threads))
        for kind, label in [("shared_incref_decref", "ordinary"), ("shared_immortal_incref_decref", "immortal")]:
            for v in VARIANTS:
                cells = [stat(runs, f"{v}/refcount/{kind}/real_time/threads:{t}", "items_per_second").fmt(0, 1e-6)
                         for t in threads]
                out.append(f"| {v}, {label} | " + " | ".join(cells) + " |")
        out.append("")

    # --- locks
    out.append("### Locks, uncontended (ns per lock+unlock, CPU time)\n")
    out.append("| lock | ns |")
    out.append("|---|---:|")
    unc = {}
    for lock in LOCKS:
        unc[lock] = stat(runs, f"lock/{lock}/uncontended", "cpu_time", True)
        out.append(f"| {lock} | {unc[lock].fmt()} |")
    out.append("")

    knobs = sorted({n.split("/contended/")[1].split("/threads:")[0] for n in runs if "/contended/" in n})
    cont_threads = sorted({int(n.split("/threads:")[1].split("/")[0]) for n in runs if "/contended/" in n})
    contended = {}
    for knob in knobs:
        out.append(f"### Locks, contended, {knob.replace('/', ', ')}\n")
        out.append("Throughput (million acquisitions per second, all threads) / Jain's fairness index:\n")
        out.append("| lock | " + " | ".join(f"T={t}" for t in cont_threads) + " |")
        out.append("|---|" + "---:|" * len(cont_threads))
        for lock in LOCKS:
            cells = []
            for t in cont_threads:
                name = f"lock/{lock}/contended/{knob}/threads:{t}/manual_time"
                thr = stat(runs, name, "acq_per_s")
                jain = stat(runs, name, "jain")
                contended[(knob, lock, t)] = thr
                cells.append(f"{thr.fmt(1, 1e-6)} / {jain.median:.2f}" if thr.values else "n/a")
            out.append(f"| {lock} | " + " | ".join(cells) + " |")
        out.append("")
        out.append("Acquire latency p50 / p99 / p99.9 (ns; every 16th acquisition timed with the TSC, "
                   "which advances in 10 ns steps on this CPU):\n")
        out.append("| lock | " + " | ".join(f"T={t}" for t in cont_threads) + " |")
        out.append("|---|" + "---:|" * len(cont_threads))
        for lock in LOCKS:
            cells = []
            for t in cont_threads:
                name = f"lock/{lock}/contended/{knob}/threads:{t}/manual_time"
                p50, p99 = stat(runs, name, "lat_p50_ns"), stat(runs, name, "lat_p99_ns")
                p999 = stat(runs, name, "lat_p999_ns")
                cells.append(f"{p50.median:.0f} / {p99.median:.0f} / {p999.median:.0f}" if p50.values else "n/a")
            out.append(f"| {lock} | " + " | ".join(cells) + " |")
        out.append("")

    # --- global lock
    gl = "gil/global_lock/two_cpu_threads/manual_time"
    if gl in runs:
        out.append("### Global lock, two CPU-bound threads (gil, switch interval 5 ms)\n")
        out.append("| measure | median (CV) |")
        out.append("|---|---:|")
        for key, label in [("handoff_p50_us", "hand-off p50: drop request noticed -> other thread running (us)"),
                           ("handoff_p99_us", "hand-off p99 (us)"),
                           ("slice_p50_ms", "time a holder runs before it is asked to drop, p50 (ms)"),
                           ("slice_p99_ms", "same, p99 (ms)"),
                           ("switches_per_s", "switches per second")]:
            out.append(f"| {label} | {stat(runs, gl, key).fmt(1)} |")
        out.append("")

    # --- claims
    out.append("### The published claims, checked\n")
    def verdict(ok):
        return "holds" if ok else "**does not hold**"
    out.append(f"1. brc owner-path incref+decref at most 2x gil's: {r_brc:.2f}x, {verdict(r_brc <= 2.0)}. "
               f"(atomic, uncontended: {r_atomic:.2f}x gil.)")
    u_ftb, u_std = unc["ftb_mutex"], unc["std_mutex"]
    out.append(f"2. 1-byte lock uncontended no slower than std::mutex: {u_ftb.median:.2f} vs {u_std.median:.2f} ns, "
               f"{verdict(u_ftb.median <= u_std.median)}.")
    for knob in knobs:
        a, b = contended.get((knob, "ftb_mutex", 2)), contended.get((knob, "std_mutex", 2))
        if a and b and a.values and b.values:
            out.append(f"   At 2 threads ({knob.replace('/', ', ')}): ftb_mutex {a.median / 1e6:.1f}M/s vs std_mutex "
                       f"{b.median / 1e6:.1f}M/s ({ratio(a, b):.2f}x), {verdict(a.median >= b.median)}.")
    out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
