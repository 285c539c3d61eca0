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
