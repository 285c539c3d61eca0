"""The machine calibration of a sweep (docs/results-format.md, "Machine calibration").

`ftbench run` runs a pure-CPU kernel (no runtime, no shared data, no allocation) at every thread
count in every repetition round, as the pseudo-cell calibration/machine, and writes the machine's
speedup per round in the top-level "calibration" block. results.load() keeps those cells out of
Results.cells (they are no workload: no chart, table or comparison treats them as one) and puts
them, with the block, in Results.calibration_cells and Results.calibration. This module reads
them: the machine's speedup per thread count, the rounds it fell short in, and each variant's
efficiency relative to the machine's (variant speedup / machine speedup: what the locking strategy
lost, not what the machine lost). A results file without calibration gives None and [] throughout.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from . import stats
from .results import Metric, Results, _parse_metric

WORKLOAD = "calibration"
VARIANT = "machine"
# A round whose machine efficiency (speedup / threads) is below this at some thread count is
# flagged; `ftbench report --calibration-threshold` changes it.
DEFAULT_THRESHOLD = 0.9


def is_calibration(workload: str, variant: str) -> bool:
    return workload == WORKLOAD and variant == VARIANT


def present(results: Results) -> bool:
    return bool(results.calibration) and bool(rounds(results))


@dataclass(frozen=True)
class Round:
    """One repetition round: the machine's speedup per thread count (1 included)."""
    repetition: int
    speedup: dict  # threads -> speedup

    def efficiency(self, threads: int) -> float | None:
        s = self.speedup.get(threads)
        return None if s is None else s / threads

    @property
    def lowest_efficiency(self) -> float | None:
        values = [s / n for n, s in self.speedup.items() if n > 1]
        return min(values) if values else None

    def flagged(self, threshold: float) -> bool:
        low = self.lowest_efficiency
        return low is not None and low < threshold


def rounds(results: Results) -> list:
    """The block's rounds that have a speedup at 1 thread and some other thread count."""
    block = results.calibration or {}
    out = []
    for raw in block.get("rounds") or []:
        if not isinstance(raw, dict) or not isinstance(raw.get("speedup"), dict):
            continue
        speedup = {}
        for n, s in raw["speedup"].items():
            if str(n).isdigit() and _number(s):
                speedup[int(n)] = float(s)
        if any(n > 1 for n in speedup):
            out.append(Round(int(raw.get("repetition", len(out))), speedup))
    return out


def flagged_rounds(results: Results, threshold: float = DEFAULT_THRESHOLD) -> list:
    return [r for r in rounds(results) if r.flagged(threshold)]


# The threads of a multi-thread run of a CPU workload each do an equal share of its units, so
# each should use about the same CPU time. When the host runs one of the machine's CPUs slower
# than the others for a while (another tenant on its core, on a VM), that CPU's thread uses more
# and every cell of those rounds waits for it, every variant alike. The calibration kernel, one
# dependent chain in registers, hardly slows down under such sharing where code that works
# through caches does (measured on a 2-vCPU VM: ten consecutive rounds in which the second
# vCPU took 1.7x the first's CPU time for the same work, in every variant, and the kernel
# flagged one of them), so the rounds are also judged by the cells' own per-thread CPU times.
IMBALANCE_THRESHOLD = 1.25


def thread_imbalance(results: Results) -> dict:
    """Per repetition round (0-based): the median, over the round's multi-thread runs of `cpu`
    workloads and of the calibration kernel, of the longest thread CPU time over the shortest.
    Empty for files without per-thread CPU times."""
    per_round = {}
    cells = [c for c in results.cells if c.threads > 1 and c.category == "cpu"]
    cells += [c for c in results.calibration_cells if c.threads > 1]
    for cell in cells:
        for row in cell.iterations:
            cpu, r = row.get("thread_cpu_seconds"), row.get("repetition_index")
            if (isinstance(cpu, list) and len(cpu) > 1 and all(_number(x) and x > 0 for x in cpu)
                    and isinstance(r, int) and not isinstance(r, bool)):
                per_round.setdefault(r, []).append(max(cpu) / min(cpu))
    return {r: stats.median(v) for r, v in sorted(per_round.items())}


def unbalanced_rounds(imbalance: dict, threshold: float = IMBALANCE_THRESHOLD) -> list:
    """The rounds (0-based) of thread_imbalance()'s result above `threshold`."""
    return [r for r, v in imbalance.items() if v > threshold]


def thread_counts(results: Results) -> list:
    """Thread counts above 1 at which the machine was calibrated."""
    return sorted({n for r in rounds(results) for n in r.speedup if n > 1})


def machine_speedup(results: Results, threads: int) -> Metric | None:
    """The machine's speedup at `threads`: the median over rounds with its interval."""
    entry = ((results.calibration or {}).get("threads") or {}).get(str(threads))
    if isinstance(entry, dict):
        metric = _parse_metric(entry.get("speedup"))
        if metric:
            return metric
    values = sorted(r.speedup[threads] for r in rounds(results) if threads in r.speedup)
    if not values:
        return None
    mid = len(values) // 2
    median = values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
    return Metric(median, values[0], values[-1])


def relative_efficiency(results: Results, workload: str, variant: str,
                        threads: int) -> Metric | None:
    """The cell's speedup / the machine's speedup at its thread count (1 = lost nothing the
    machine did not), with the interval from the two intervals' crosswise bounds."""
    cell = results.cell(workload, variant, threads)
    machine = machine_speedup(results, threads)
    speedup = cell.metric("speedup") if cell else None
    if not speedup or not machine or machine.value <= 0 or machine.ci_low <= 0:
        return None
    return Metric(speedup.value / machine.value, speedup.ci_low / machine.ci_high,
                  speedup.ci_high / machine.ci_low)


def round_samples(results: Results, threads: int) -> list:
    """The machine's speedup at `threads` in each round (compare's samples)."""
    return [r.speedup[threads] for r in rounds(results) if threads in r.speedup]


def single_thread_times_ms(results: Results) -> list:
    """The calibration's 1-thread real_time of each round in ms (the machine's serial speed)."""
    times = []
    for cell in results.calibration_cells:
        if cell.threads != 1:
            continue
        for row in cell.iterations:
            value, unit = row.get("real_time"), row.get("time_unit", "ms")
            factor = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1000.0}.get(str(unit))
            if _number(value) and value > 0 and factor:
                times.append(float(value) * factor)
    return times


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


# --- compare: did the machine itself change? ----------------------------------------------------

@dataclass
class MachineChange:
    """The calibration of BASE against NEW at one thread count: at 1 thread the kernel's time
    (the machine's serial speed), above it the machine's speedup per round."""
    threads: int
    quantity: str            # "1-thread time (ms)" or "speedup"
    base: float              # median over rounds
    new: float
    ratio: float             # new / base
    p: float | None          # Mann-Whitney over the rounds, Bonferroni over the thread counts
    bound: float             # the change that counts: max(threshold, noise_factor * noise)
    differs: bool

    @property
    def message(self) -> str:
        what = ("the machine's single-thread speed (calibration kernel time)" if self.threads == 1
                else f"the machine's own speedup at {self.threads} threads")
        p = "" if self.p is None else f", p {self.p:.2g}"
        return (f"{what}: {self.base:.3g} vs {self.new:.3g} ({self.ratio - 1:+.1%}, beyond the "
                f"noise bound {self.bound:.1%}{p})")


def compare_machines(base: Results, new: Results, threshold: float, alpha: float,
                     noise_factor: float) -> tuple:
    """(changes, notes): a MachineChange per thread count both calibrations have, and notes for
    the person comparing (a side without calibration; each change beyond the noise)."""
    missing = [name for name, r in (("base", base), ("new", new)) if not present(r)]
    if missing:
        if len(missing) == 2:
            return [], []
        return [], [f"{' and '.join(missing)} has no machine calibration (--no-calibration or an "
                    "older ftbench): whether the machine itself changed was not checked"]
    samples = []
    b1, n1 = single_thread_times_ms(base), single_thread_times_ms(new)
    if b1 and n1:
        samples.append((1, "1-thread time (ms)", b1, n1))
    for n in thread_counts(new):
        b, v = round_samples(base, n), round_samples(new, n)
        if b and v:
            samples.append((n, "speedup", b, v))
    changes = []
    for threads, quantity, b, v in samples:
        mb, mv = stats.median(b), stats.median(v)
        noise = (max(stats.robust_cv(b), stats.robust_cv(v))
                 if len(b) >= 3 and len(v) >= 3 else 0.0)
        bound = max(threshold, noise_factor * noise)
        p = None
        if len(b) >= 2 and len(v) >= 2:
            p = min(1.0, stats.mann_whitney(b, v).p * len(samples))
        ratio = mv / mb
        differs = abs(ratio - 1) > bound and (p is None or p <= alpha)
        changes.append(MachineChange(threads, quantity, mb, mv, ratio, p, bound, differs))
    notes = [f"machine calibration differs: {c.message}; the cells' "
             + ("times" if c.threads == 1 else f"{c.threads}-thread times and speedups")
             + " include this change of the machine, not only of the code"
             for c in changes if c.differs]
    return changes, notes
